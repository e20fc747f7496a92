// Unix sockets of the monitor: the attach server and the console socket.
#pragma once

#include <cstdint>
#include <deque>
#include <list>
#include <string>

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

// Attach clients of one container (protocol: runtime/attach_protocol.h).
// Output is queued per client and sent without blocking: a client that
// cannot take a packet now keeps it queued until its socket is writable.
// The monitor watches backlog() to stop reading the container's output
// while a client lags (back-pressure instead of loss).
class AttachClients {
 public:
  struct Client {
    UniqueFd fd;
    bool read_closed = false;  // the client sent EOF (shutdown(SHUT_WR) or close)
    bool hung_up = false;      // sending failed: the client takes no more output
    std::deque<std::string> out;  // queued packets, oldest first
    size_t out_bytes = 0;
    int64_t last_progress_ms = 0;  // monotonic: last send, or when the queue began
    uint32_t armed = 0;            // epoll events registered for fd (the monitor's)
  };
  // Queues one packet (stream id + data) for every client that takes output
  // and sends what the sockets accept now.
  void broadcast(char stream_id, const char* data, size_t len, int64_t now_ms);
  // Sends queued packets until the socket is full. A send error marks the
  // client hung up and drops its queue.
  void flush(Client& c, int64_t now_ms);
  Client& add(UniqueFd fd);
  Client* find(int fd);
  void remove(int fd);
  void clear() { clients_.clear(); }
  size_t size() const { return clients_.size(); }
  std::list<Client>& all() { return clients_; }
  const std::list<Client>& all() const { return clients_; }
  // The largest queued byte count of any client.
  size_t backlog() const;

 private:
  std::list<Client> clients_;  // list: Client& stays valid while others come and go
};

}  // namespace berth::monitor
