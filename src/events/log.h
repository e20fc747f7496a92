// The event log: where berth's events are written and read back (file, journald or none).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "base/result.h"
#include "events/event.h"

namespace berth::events {

struct LogConfig {
  std::string backend = "file";  // file|journald|none
  std::string path;              // the file backend's log (podman: <tmpdir>/events/events.log)
  uint64_t max_size = 0;         // rotate when the file would exceed this; 0 = never
  std::string identifier = "berth";  // journald SYSLOG_IDENTIFIER
};

struct ReadOptions {
  bool stream = false;      // follow new events until `stop` is set or `until` passes
  bool from_start = false;  // streaming: start at the beginning (else at the end)
  const Filter* filter = nullptr;
  const std::atomic<bool>* stop = nullptr;
};

// Writing never fails the caller's operation: an event that cannot be
// written is logged (warning) and dropped. A file event is appended with one
// O_APPEND write(2) of one line, so concurrent writers never interleave;
// with a size cap, writers take <path>.lock and the file is rotated as
// podman does (its second half kept, then a "log-rotation" system event).
class Log {
 public:
  explicit Log(LogConfig cfg) : cfg_(std::move(cfg)) {}
  const LogConfig& config() const { return cfg_; }

  void write(const Event& e) const noexcept;

  // Calls `sink` for every matching event in order; `sink` returning false
  // stops the read. Errors: kFailedPrecondition "cannot read events with the
  // \"none\" backend", a malformed line (naming the file and line), I/O errors.
  // A file rotated while it is followed is continued after the rotation event,
  // so no event is lost or repeated.
  Status read(const ReadOptions& opts, const std::function<bool(const Event&)>& sink) const;

 private:
  Status writeFile(const std::string& line) const;
  Status writeJournald(const Event& e) const;
  Status readFile(const ReadOptions& opts, const std::function<bool(const Event&)>& sink) const;
  Status readJournald(const ReadOptions& opts, const std::function<bool(const Event&)>& sink) const;

  LogConfig cfg_;
};

}  // namespace berth::events
