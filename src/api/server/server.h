// Server: listeners, one thread per connection (engine calls block, attach and
// streams hold their connection), the idle timeout and graceful shutdown.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
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
  struct Conn {
    int fd;
    std::atomic<int> phase{0};  // 0 idle (waiting for a request), 1 busy, 2 streaming/hijacked
  };
  void serveConnection(UniqueFd fd, Conn* self);
  void dispatch(HttpConnection& conn, Request& req, Response& res);
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
};

// Installs SIGTERM/SIGINT handlers that make Server::run return (idempotent).
void installStopSignals(Server* server);

}  // namespace berth::api::server
