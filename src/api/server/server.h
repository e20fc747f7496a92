// Server: listeners; an event loop per core that reads requests and answers the inline
// routes (ping, lists, inspect) itself; a thread of its own for every other request
// (engine calls block, attach and streams hold their connection), after which the
// connection goes back to its loop; the idle timeout and graceful shutdown.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <string>
#include <vector>

#include "api/server/engine_pool.h"
#include "api/server/http.h"
#include "api/server/router.h"
#include "base/fd.h"
#include "base/result.h"

namespace berth::api::server {

struct ServiceOptions {
  int idle_timeout_s = 5;  // podman's --time; 0 = forever
  std::string cors;        // Access-Control-Allow-Origin value; "" = none
  std::string remote_uri;  // what info reports as host.remoteSocket.path
  Limits limits;
  int max_connections = 1000;
  int shutdown_grace_ms = 30000;  // in-flight requests get this long after SIGTERM
  std::string spool_dir;          // uploads (load, import); default <tmpdir>
};

// What handlers may read about the running service.
struct ServerState {
  ServiceOptions opts;
  std::atomic<bool> stopping{false};
};

class Server {
 public:
  Server(ServiceOptions opts, engine::Options engine_opts);
  ~Server();

  Router& router() { return router_; }
  ServerState& state() { return state_; }
  // `unlink_path`: a unix socket file this service created; removed when it stops
  // (as Go's listener Close does for podman).
  void addListener(UniqueFd fd, std::string unlink_path = "") {
    listeners_.push_back(std::move(fd));
    if (!unlink_path.empty()) unlink_paths_.push_back(std::move(unlink_path));
  }

  // Serves until SIGTERM/SIGINT, requestStop() or the idle timeout; then stops
  // accepting, lets in-flight requests finish (up to the grace period) and returns.
  // Running containers are never touched.
  Status run();
  void requestStop();

 private:
  struct Worker;
  struct Conn {
    int fd;
    std::atomic<int> phase{0};  // 0 idle (waiting for a request), 1 busy, 2 streaming/hijacked
    std::unique_ptr<HttpConnection> http;
    Worker* worker = nullptr;
    std::atomic<bool> away{false};    // out of the loop, served by a thread of its own
    std::atomic<int64_t> last_ms{0};  // end of its last request (keep-alive timeout)
  };
  struct Worker {
    UniqueFd ep;    // epoll set of this loop's connections
    UniqueFd wake;  // eventfd: quit
    std::thread thread;
  };
  void workerLoop(Worker* w);
  void sweep(Worker* w);
  // Serves what a ready connection sent, on the loop.
  void serveReady(Conn* c);
  // Takes `c` out of its loop onto a thread of its own: `req` (matched as `m`) to
  // dispatch, or the rest of a header to wait for, or `unsent` bytes of an answer.
  void handOff(Conn* c, std::optional<Request> req, RouteMatch m, std::string unsent, bool close_after);
  void serveAway(Conn* c, std::optional<Request> req, RouteMatch m, std::string unsent, bool close_after);
  void closeConn(Conn* c);
  void badHeader(Conn* c, HttpConnection::ReadStatus st, const std::string& why);
  void dispatch(HttpConnection& conn, Request& req, Response& res, RouteMatch& m);
  void touch();

  ServerState state_;
  EnginePool pool_;
  Router router_;
  CommonHeaders common_;
  std::vector<UniqueFd> listeners_;
  std::vector<std::string> unlink_paths_;
  UniqueFd wake_r_, wake_w_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::set<Conn*> conns_;
  std::atomic<int> busy_{0};
  std::atomic<int64_t> last_activity_ms_{0};
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<bool> quit_{false};
};

// Installs SIGTERM/SIGINT handlers that make Server::run return (idempotent).
void installStopSignals(Server* server);

}  // namespace berth::api::server
