// StdinBuffer: bounded, non-blocking relay of client input to the container.
#include "monitor/stdin_buffer.h"

#include <errno.h>
#include <unistd.h>

namespace berth::monitor {

void StdinBuffer::append(std::string_view bytes) {
  if (off_ > 0 && off_ == data_.size()) {
    data_.clear();
    off_ = 0;
  }
  data_.append(bytes);
}

StdinBuffer::Flush StdinBuffer::flush(int fd) {
  while (pending() > 0) {
    ssize_t n = ::write(fd, data_.data() + off_, pending());
    if (n > 0) {
      off_ += size_t(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || errno == EAGAIN) {
      // Keep memory bounded: move the unwritten tail to the front once the
      // written head dominates.
      if (off_ > kHighWater) {
        data_.erase(0, off_);
        off_ = 0;
      }
      return Flush::kBlocked;
    }
    clear();
    return Flush::kBroken;
  }
  clear();
  return Flush::kDrained;
}

void StdinBuffer::clear() {
  data_.clear();
  if (data_.capacity() > kHighWater) data_.shrink_to_fit();
  off_ = 0;
}

}  // namespace berth::monitor
