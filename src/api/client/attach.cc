// Hijacked attach/exec streams.
#include "api/client/attach.h"
#include "api/client/http.h"
#include "base/detach_keys.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <optional>
#include <thread>
#include <vector>

#include "base/fs.h"

namespace berth::api::client {

Result<std::string> detachKeyBytes(std::string_view spec) { return parseDetachKeys(spec); }

bool terminalSize(int fd, int& height, int& width) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0) return false;
  height = ws.ws_row;
  width = ws.ws_col;
  return true;
}

namespace {

// Signals arrive on a self-pipe so the pump's poll loop handles them.
int g_sig_pipe = -1;
void onSignal(int sig) {
  int saved = errno;
  unsigned char b = static_cast<unsigned char>(sig);
  if (g_sig_pipe >= 0) (void)!::write(g_sig_pipe, &b, 1);
  errno = saved;
}

class SignalRelay {
 public:
  SignalRelay(const std::vector<int>& sigs) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) return;
    rd_.reset(p[0]);
    wr_.reset(p[1]);
    g_sig_pipe = wr_.get();
    for (int s : sigs) {
      struct sigaction sa{}, old{};
      sa.sa_handler = onSignal;
      sigemptyset(&sa.sa_mask);
      if (::sigaction(s, &sa, &old) == 0) saved_.emplace_back(s, old);
    }
  }
  ~SignalRelay() {
    for (auto& [s, old] : saved_) ::sigaction(s, &old, nullptr);
    g_sig_pipe = -1;
  }
  int fd() const { return rd_.get(); }

 private:
  UniqueFd rd_, wr_;
  std::vector<std::pair<int, struct sigaction>> saved_;
};

class RawTerminal {
 public:
  explicit RawTerminal(int fd) : fd_(fd) {
    if (::tcgetattr(fd, &saved_) != 0) return;
    termios raw = saved_;
    ::cfmakeraw(&raw);
    raw.c_oflag = saved_.c_oflag;  // keep output processing, as moby/term's MakeRaw does
    if (::tcsetattr(fd, TCSANOW, &raw) == 0) active_ = true;
  }
  ~RawTerminal() {
    if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
  }

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};


// Copies `in` to the socket until EOF (then half-closes it), the detach keys (sets
// `detached` and shuts the socket down), an error, or `stop` becoming readable.
void copyStdin(int in, int sock, int stop, const std::string& keys, std::atomic<bool>& detached) {
  size_t matched = 0;
  std::string buf(32 * 1024, '\0');
  for (;;) {
    pollfd p[2] = {{in, POLLIN, 0}, {stop, POLLIN, 0}};
    int r = ::poll(p, 2, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (p[1].revents) return;
    if (!p[0].revents) continue;
    ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      n = 0;  // a broken stdin ends like EOF
    }
    if (n == 0) {
      if (matched) (void)sendAll(sock, std::string_view(keys.data(), matched));
      ::shutdown(sock, SHUT_WR);
      return;
    }
    std::string out;
    for (ssize_t i = 0; i < n; ++i) {
      char c = buf[size_t(i)];
      if (!keys.empty() && c == keys[matched]) {
        if (++matched == keys.size()) {
          (void)sendAll(sock, out);
          detached = true;
          ::shutdown(sock, SHUT_RDWR);
          return;
        }
        continue;
      }
      if (matched) {
        out.append(keys, 0, matched);
        matched = 0;
        if (!keys.empty() && c == keys[0]) {
          matched = 1;
          continue;
        }
      }
      out.push_back(c);
    }
    if (!out.empty() && !sendAll(sock, out)) return;
  }
}

// Writes container output to the caller's streams; false when the reader is gone.
struct OutputSink {
  const AttachStreams& s;
  bool deliver(int stream, std::string_view data) {
    if (data.empty()) return true;
    if (s.output) return s.output(stream, data);
    int fd = stream == 2 ? s.err : s.out;
    if (fd < 0) return true;
    return fs::writeAll(fd, data).ok();
  }
};

}  // namespace

Result<int> pumpAttach(HijackedConn conn, const AttachStreams& s, bool tty, const PumpHooks& hooks) {
  std::string keys = TRY(detachKeyBytes(s.detach_keys));
  int sock = conn.fd.get();
  std::optional<RawTerminal> raw;
  std::vector<int> sigs;
  bool in_tty = s.in >= 0 && ::isatty(s.in);
  if (tty && in_tty) {
    raw.emplace(s.in);
    if (hooks.resize) sigs.push_back(SIGWINCH);
  }
  if (!tty && s.proxy_signals && hooks.signal)
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) sigs.push_back(sig);
  std::optional<SignalRelay> relay;
  if (!sigs.empty()) relay.emplace(sigs);
  if (tty && in_tty && hooks.resize) {
    int h, w;
    if (terminalSize(s.in, h, w)) hooks.resize(h, w);
  }

  std::atomic<bool> detached{false};
  UniqueFd stop_rd, stop_wr;
  std::thread input;
  if (s.in >= 0) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return sysError(errno, "pipe");
    stop_rd.reset(p[0]);
    stop_wr.reset(p[1]);
    input = std::thread(copyStdin, s.in, sock, stop_rd.get(), std::cref(keys), std::ref(detached));
  }
  auto finish = [&]() {
    if (input.joinable()) {
      (void)!::write(stop_wr.get(), "x", 1);
      input.join();
    }
  };

  OutputSink sink{s};
  std::optional<Error> failure;
  bool reader_gone = false;
  // Frame state (non-tty): the header being collected, then `left` payload bytes of `stream`.
  std::string hdr;
  size_t left = 0;
  int stream = 1;
  std::string service_error;
  auto consume = [&](std::string_view data) -> bool {
    if (tty) return sink.deliver(1, data);
    while (!data.empty()) {
      if (left == 0) {
        size_t take = std::min(data.size(), 8 - hdr.size());
        hdr.append(data.substr(0, take));
        data.remove_prefix(take);
        if (hdr.size() < 8) break;
        auto* h = reinterpret_cast<const unsigned char*>(hdr.data());
        stream = h[0];
        left = (size_t(h[4]) << 24) | (size_t(h[5]) << 16) | (size_t(h[6]) << 8) | size_t(h[7]);
        hdr.clear();
        if (stream > 3) {
          failure = Error(Code::kDataLoss, fmt::format("unrecognized channel '{}' in header, 0-3 supported", stream));
          return false;
        }
        continue;
      }
      size_t take = std::min(data.size(), left);
      std::string_view piece = data.substr(0, take);
      data.remove_prefix(take);
      left -= take;
      if (stream == 3) {
        if (service_error.size() < 64 * 1024) service_error.append(piece.substr(0, 64 * 1024 - service_error.size()));
        if (left == 0) {
          failure = Error(Code::kInternal, fmt::format("from service from stream: {}", service_error));
          return false;
        }
        continue;
      }
      if (!sink.deliver(stream == 2 ? 2 : 1, piece)) return false;
    }
    return true;
  };

  if (!conn.buffered.empty() && !consume(conn.buffered)) reader_gone = !failure;
  std::string buf(64 * 1024, '\0');
  while (!reader_gone && !failure) {
    pollfd p[2] = {{sock, POLLIN, 0}, {relay ? relay->fd() : -1, POLLIN, 0}};
    int r = ::poll(p, relay ? 2 : 1, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      failure = sysError(errno, "poll");
      break;
    }
    if (relay && p[1].revents) {
      unsigned char sigbuf[64];
      ssize_t n = ::read(relay->fd(), sigbuf, sizeof(sigbuf));
      for (ssize_t i = 0; i < n; ++i) {
        if (sigbuf[i] == SIGWINCH) {
          int h, w;
          if (hooks.resize && terminalSize(s.in, h, w)) hooks.resize(h, w);
        } else if (hooks.signal) {
          hooks.signal(sigbuf[i]);
        }
      }
    }
    if (!p[0].revents) continue;
    ssize_t n = ::recv(sock, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (detached) break;
      if (errno == ECONNRESET) break;  // the service dropped the stream: it is over
      failure = sysError(errno, "reading the attach stream");
      break;
    }
    if (n == 0) break;
    if (!consume(std::string_view(buf.data(), size_t(n)))) {
      if (!failure) reader_gone = true;
    }
  }
  ::shutdown(sock, SHUT_RDWR);
  finish();
  if (failure) return std::move(*failure);
  if (!tty && left > 0 && !detached && !reader_gone)
    return Error(Code::kDataLoss, "the attach stream ended in the middle of a frame");
  return (detached || reader_gone) ? -1 : 0;
}

}  // namespace berth::api::client
