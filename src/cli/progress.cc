// Transfer progress rendering.
#include "cli/progress.h"

#include <unistd.h>

#include "base/fs.h"
#include "base/timefmt.h"

namespace berth::cli {

namespace {
std::string mib(uint64_t n) { return fmt::format("{:.1f}MiB", double(n) / (1024.0 * 1024.0)); }
void err(std::string_view s) { (void)fs::writeAll(2, s); }
}  // namespace

ProgressRenderer::ProgressRenderer(bool quiet) : quiet_(quiet), tty_(::isatty(2)) {}

void ProgressRenderer::redraw() {
  std::string out;
  if (drawn_) out += fmt::format("\x1b[{}A", drawn_);
  for (auto& d : order_) {
    auto& b = blobs_[d];
    std::string bar;
    if (b.state == "skipped") bar = "skipped: already exists";
    else if (b.state == "done") bar = "done";
    else {
      int width = 30;
      int fill = b.total ? int(double(b.done) / double(b.total) * width) : 0;
      bar = "[" + std::string(std::min(fill, width), '=') + (fill < width ? ">" : "") +
            std::string(std::max(0, width - fill - 1), ' ') + "] " + mib(b.done) + " / " + mib(b.total);
    }
    out += fmt::format("\x1b[2KCopying blob {} {}\n", d.substr(7, 12), bar);
  }
  drawn_ = order_.size();
  err(out);
}

void ProgressRenderer::operator()(const api::TransferProgress& p) {
  if (quiet_) return;
  using K = api::TransferProgress;
  if (p.kind == K::kStart || p.kind == K::kMessage) {
    err(p.text + "\n");
    return;
  }
  if (!said_signatures_) {
    err("Getting image source signatures\n");
    said_signatures_ = true;
  }
  if (p.kind == K::kBlob || p.kind == K::kBlobDone || p.kind == K::kBlobSkipped) {
    bool is_new = !blobs_.count(p.digest);
    auto& b = blobs_[p.digest];
    if (is_new) order_.push_back(p.digest);
    b.done = p.done;
    b.total = p.total;
    if (p.kind == K::kBlobDone) b.state = "done";
    if (p.kind == K::kBlobSkipped) b.state = "skipped";
    if (tty_) {
      int64_t now = nowNanos();
      if (p.kind != K::kBlob || is_new || now - last_draw_ns_ > 100000000) {
        last_draw_ns_ = now;
        redraw();
      }
    } else if (p.kind == K::kBlobDone || p.kind == K::kBlobSkipped) {
      err(fmt::format("Copying blob {} {}\n", p.digest, p.kind == K::kBlobDone ? "done" : "skipped: already exists"));
    }
    return;
  }
  if (p.kind == K::kConfig) err(fmt::format("Copying config {} done\n", p.digest));
  if (p.kind == K::kManifest) err("Writing manifest to image destination\nStoring signatures\n");
}

}  // namespace berth::cli
