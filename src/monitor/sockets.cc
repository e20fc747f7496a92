// Attach and console sockets.
#include "monitor/sockets.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

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

AttachClients::Client* AttachClients::find(int fd) {
  for (auto& c : clients_)
    if (c.fd.get() == fd) return &c;
  return nullptr;
}

void AttachClients::remove(int fd) {
  for (auto it = clients_.begin(); it != clients_.end(); ++it)
    if (it->fd.get() == fd) {
      clients_.erase(it);
      return;
    }
}

static bool sendPacket(int fd, const struct iovec* iov, int n) {
  struct msghdr msg {};
  msg.msg_iov = const_cast<struct iovec*>(iov);
  msg.msg_iovlen = n;
  for (int tries = 0; tries < 10;) {
    if (::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0) return true;
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return false;
    struct pollfd p = {fd, POLLOUT, 0};
    ::poll(&p, 1, 100);
    ++tries;
  }
  return false;
}

std::vector<int> AttachClients::broadcast(char stream_id, const char* data, size_t len) {
  std::vector<int> dropped;
  struct iovec iov[2] = {{&stream_id, 1}, {const_cast<char*>(data), len}};
  for (auto it = clients_.begin(); it != clients_.end();) {
    if (sendPacket(it->fd.get(), iov, 2)) {
      ++it;
    } else {
      dropped.push_back(it->fd.get());
      it = clients_.erase(it);
    }
  }
  return dropped;
}

}  // namespace berth::monitor
