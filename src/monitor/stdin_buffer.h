// Bytes from attach clients on their way to the container's stdin (pipe or pty master).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace berth::monitor {

// A bounded queue in front of a non-blocking fd. The monitor reads client
// packets only while hasRoom(), writes with flush() and waits for POLLOUT
// while flush() reports kBlocked: the container's stdin never blocks the
// event loop and no byte is dropped while the reader lives.
class StdinBuffer {
 public:
  // Reading from clients stops at this many pending bytes (one packet more
  // may be appended, so the buffer holds at most kHighWater + one packet).
  static constexpr size_t kHighWater = 64 * 1024;

  enum class Flush {
    kDrained,  // everything written
    kBlocked,  // the fd is full (EAGAIN): wait for POLLOUT, call again
    kBroken,   // the reader is gone (EPIPE, EIO on a hung-up pty, ...): pending data dropped
  };

  bool hasRoom() const { return pending() < kHighWater; }
  size_t pending() const { return data_.size() - off_; }
  void append(std::string_view bytes);
  // Writes pending bytes to `fd` (which must be O_NONBLOCK); partial writes
  // are retried from where they stopped on the next call.
  Flush flush(int fd);
  // Drops pending bytes and releases the memory.
  void clear();

 private:
  std::string data_;
  size_t off_ = 0;
};

}  // namespace berth::monitor
