// Attach and console sockets.
#include "monitor/sockets.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace berth::monitor {

Result<UniqueFd> listenUnix(const std::string& path, int type, int backlog) {
  struct sockaddr_un addr {};
  if (path.size() >= sizeof addr.sun_path)
    return makeError(Code::kInvalidArgument, "socket path {} is longer than {} bytes", path,
                     sizeof addr.sun_path - 1);
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return errnoError("socket");
  ::unlink(path.c_str());
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
    return errnoError("bind {}", path);
  if (::listen(fd.get(), backlog) < 0) return errnoError("listen {}", path);
  return fd;
}

Result<UniqueFd> receiveFd(int conn) {
  char byte[256];
  struct iovec iov = {byte, sizeof byte};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } ctl;
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = ctl.buf;
  msg.msg_controllen = sizeof ctl.buf;
  ssize_t n;
  while ((n = ::recvmsg(conn, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  if (n < 0) return errnoError("recvmsg console socket");
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
      return UniqueFd(fd);
    }
  }
  return makeError(Code::kDataLoss, "console socket: no file descriptor received");
}

Result<UniqueFd> acceptConsole(int listener, int timeout_ms) {
  struct pollfd p = {listener, POLLIN, 0};
  int r;
  while ((r = ::poll(&p, 1, timeout_ms)) < 0 && errno == EINTR) {
  }
  if (r < 0) return errnoError("poll console socket");
  if (r == 0) return makeError(Code::kDeadlineExceeded, "the runtime sent no terminal");
  UniqueFd conn(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
  if (!conn) return errnoError("accept console socket");
  return receiveFd(conn.get());
}

AttachClients::Client& AttachClients::add(UniqueFd fd) {
  clients_.push_back(Client{});
  clients_.back().fd = std::move(fd);
  return clients_.back();
}

AttachClients::Client* AttachClients::find(int fd) {
  for (auto& c : clients_)
    if (c.fd.get() == fd) return &c;
  return nullptr;
}

void AttachClients::remove(int fd) {
  clients_.remove_if([fd](const Client& c) { return c.fd.get() == fd; });
}

size_t AttachClients::backlog() const {
  size_t m = 0;
  for (auto& c : clients_) m = std::max(m, c.out_bytes);
  return m;
}

void AttachClients::flush(Client& c, int64_t now_ms) {
  while (!c.out.empty() && !c.hung_up) {
    const std::string& p = c.out.front();
    ssize_t n = ::send(c.fd.get(), p.data(), p.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) {
      c.out_bytes -= p.size();
      c.out.pop_front();
      c.last_progress_ms = now_ms;
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return;
    c.hung_up = true;
  }
  if (c.hung_up) {
    c.out.clear();
    c.out_bytes = 0;
  }
}

void AttachClients::broadcast(char stream_id, const char* data, size_t len, int64_t now_ms) {
  std::string packet;
  packet.reserve(len + 1);
  packet.push_back(stream_id);
  packet.append(data, len);
  for (auto& c : clients_) {
    if (c.hung_up) continue;
    if (c.out.empty()) c.last_progress_ms = now_ms;
    c.out_bytes += packet.size();
    c.out.push_back(packet);
    flush(c, now_ms);
  }
}

}  // namespace berth::monitor
