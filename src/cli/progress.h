// Transfer progress on stderr: bars on a terminal, plain lines when piped, nothing with --quiet.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "berth/api/images.h"

namespace berth::cli {

class ProgressRenderer {
 public:
  // `quiet`: print nothing. On a terminal (stderr) draws one bar per blob.
  explicit ProgressRenderer(bool quiet);
  void operator()(const api::TransferProgress& p);
  api::ProgressFn fn() {
    return [this](const api::TransferProgress& p) { (*this)(p); };
  }

 private:
  void redraw();
  bool quiet_, tty_;
  bool said_signatures_ = false;
  struct Blob {
    uint64_t done = 0, total = 0;
    std::string state;  // "", "done", "skipped"
  };
  std::vector<std::string> order_;
  std::map<std::string, Blob> blobs_;
  size_t drawn_ = 0;
  int64_t last_draw_ns_ = 0;
};

}  // namespace berth::cli
