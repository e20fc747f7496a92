// Unix sockets of the monitor: the attach server and the console socket.
#pragma once

#include <string>
#include <vector>

#include "base/fd.h"
#include "base/result.h"

namespace berth::monitor {

// A listening AF_UNIX socket at `path` (an old socket file is replaced).
// kInvalidArgument when the path does not fit sockaddr_un (108 bytes).
Result<UniqueFd> listenUnix(const std::string& path, int type, int backlog = 16);

// Receives one fd passed with SCM_RIGHTS on connected socket `conn`
// (the runtime's --console-socket protocol: the pty master).
Result<UniqueFd> receiveFd(int conn);

// Accepts one connection on `listener`, waiting at most timeout_ms, and
// receives the pty master from it.
Result<UniqueFd> acceptConsole(int listener, int timeout_ms);

// Attach clients of one container. Each packet sent to a client is one
// stream-id byte (2 stdout, 3 stderr) followed by the data (conmon's
// protocol); what a client sends is data for the container's stdin.
class AttachClients {
 public:
  struct Client {
    UniqueFd fd;
    bool read_closed = false;  // the client sent EOF (shutdown(SHUT_WR) or close)
  };
  // Sends to every client; a client that cannot take the packet within
  // ~1 s, or is gone, is dropped. Returns the fds dropped (for epoll).
  std::vector<int> broadcast(char stream_id, const char* data, size_t len);
  void add(UniqueFd fd) { clients_.push_back({std::move(fd), false}); }
  Client* find(int fd);
  void remove(int fd);
  void clear() { clients_.clear(); }
  size_t size() const { return clients_.size(); }

 private:
  std::vector<Client> clients_;
};

}  // namespace berth::monitor
