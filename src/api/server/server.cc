// Server: accept loop, connection threads, dispatch, idle timeout, graceful shutdown.
#include "api/server/server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>
#include <thread>

#include "api/server/call.h"
#include "api/server/errors.h"
#include "base/log.h"
#include "engine/system_service.h"

namespace berth::api::server {

namespace {

std::atomic<int> g_wake_fd{-1};

void onStopSignal(int) {
  int fd = g_wake_fd.load();
  if (fd >= 0) {
    char c = 1;
    (void)!::write(fd, &c, 1);
  }
}

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A response for a request that could not be parsed; the connection closes after it.
void answerAndClose(int fd, int status, const std::string& why, const CommonHeaders& common) {
  Request r;
  r.keep_alive = false;
  Limits limits;
  limits.write_timeout_ms = 2000;
  Response res(fd, r, common, limits);
  (void)res.json(status, Json{{"cause", why}, {"message", why}, {"response", status}});
}

}  // namespace

void installStopSignals(Server* server) {
  struct sigaction sa = {};
  sa.sa_handler = onStopSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
}

Server::Server(ServiceOptions opts, engine::Options engine_opts) : pool_(std::move(engine_opts)) {
  state_.opts = std::move(opts);
  if (state_.opts.spool_dir.empty())
    state_.opts.spool_dir = (pool_.options().tmpdir.empty() ? pool_.options().runroot + "/tmp" : pool_.options().tmpdir);
  int p[2];
  if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0) {
    wake_r_.reset(p[0]);
    wake_w_.reset(p[1]);
    g_wake_fd.store(p[1]);
  }
  std::string v = engine::VersionInfo::kApiVersion;
  common_.text = "Api-Version: 1.41\r\nLibpod-Api-Version: " + v + "\r\nServer: Libpod/" + v + " (linux)\r\n";
  if (!state_.opts.cors.empty()) {
    common_.text += "Access-Control-Allow-Origin: " + state_.opts.cors + "\r\n";
    common_.text +=
        "Access-Control-Allow-Headers: Origin, X-Requested-With, Content-Type, Accept, X-Registry-Auth, Connection, "
        "Upgrade, X-Registry-Config\r\n";
    common_.text += "Access-Control-Allow-Methods: HEAD, GET, POST, DELETE, PUT, OPTIONS\r\n";
  }
}

Server::~Server() {
  int expected = wake_w_.get();
  g_wake_fd.compare_exchange_strong(expected, -1);
}

void Server::requestStop() {
  char c = 1;
  (void)!::write(wake_w_.get(), &c, 1);
}

void Server::touch() { last_activity_ms_.store(nowMs()); }

Status Server::run() {
  for (auto& l : listeners_) {
    int fl = ::fcntl(l.get(), F_GETFL);
    ::fcntl(l.get(), F_SETFL, fl | O_NONBLOCK);
  }
  unsigned loops = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  for (unsigned i = 0; i < loops; ++i) {
    auto w = std::make_unique<Worker>();
    w->ep.reset(::epoll_create1(EPOLL_CLOEXEC));
    w->wake.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!w->ep || !w->wake) return errnoError("create the API service's event loop");
    struct epoll_event ev = {};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr;
    if (::epoll_ctl(w->ep.get(), EPOLL_CTL_ADD, w->wake.get(), &ev) != 0) return errnoError("epoll_ctl");
    workers_.push_back(std::move(w));
  }
  for (auto& w : workers_) w->thread = std::thread([this, p = w.get()] { workerLoop(p); });
  size_t next_worker = 0;
  Status result;
  touch();
  const int64_t idle_ms = int64_t(state_.opts.idle_timeout_s) * 1000;
  for (;;) {
    std::vector<struct pollfd> fds;
    for (auto& l : listeners_) fds.push_back({l.get(), POLLIN, 0});
    fds.push_back({wake_r_.get(), POLLIN, 0});
    int timeout = 1000;
    if (idle_ms > 0 && busy_.load() == 0) {
      int64_t left = idle_ms - (nowMs() - last_activity_ms_.load());
      timeout = int(std::max<int64_t>(0, std::min<int64_t>(left, 1000)));
    }
    int n = ::poll(fds.data(), fds.size(), timeout);
    if (n < 0 && errno != EINTR) {
      result = errnoError("poll listeners");
      break;
    }
    if (n > 0 && (fds.back().revents & POLLIN)) {
      LOG_DEBUG("API service shutting down on request");
      break;
    }
    for (size_t i = 0; n > 0 && i < listeners_.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      for (int k = 0; k < 64; ++k) {
        int cfd = ::accept4(listeners_[i].get(), nullptr, nullptr, SOCK_CLOEXEC);
        if (cfd < 0) break;
        touch();
        {
          std::lock_guard<std::mutex> g(mu_);
          if (conns_.size() >= size_t(state_.opts.max_connections)) {
            answerAndClose(cfd, 503, "too many connections", common_);
            ::close(cfd);
            continue;
          }
        }
        auto* c = new Conn;
        c->fd = cfd;
        c->http = std::make_unique<HttpConnection>(UniqueFd(cfd), state_.opts.limits);
        c->worker = workers_[next_worker++ % workers_.size()].get();
        c->last_ms.store(nowMs());
        {
          std::lock_guard<std::mutex> g(mu_);
          conns_.insert(c);
        }
        struct epoll_event ev = {};
        ev.events = EPOLLIN;
        ev.data.ptr = c;
        if (::epoll_ctl(c->worker->ep.get(), EPOLL_CTL_ADD, cfd, &ev) != 0) {
          LOG_WARN("API service: cannot watch a new connection: {}", std::strerror(errno));
          closeConn(c);
        }
      }
    }
    if (idle_ms > 0 && busy_.load() == 0 && nowMs() - last_activity_ms_.load() >= idle_ms) {
      LOG_DEBUG("API service(s) shutting down, idle for {}s", state_.opts.idle_timeout_s);
      break;
    }
  }
  // Stop accepting; idle keep-alive connections and streams end now, requests in
  // flight get the grace period.
  state_.stopping.store(true);
  listeners_.clear();
  for (auto& p : unlink_paths_) ::unlink(p.c_str());
  {
    std::unique_lock<std::mutex> lk(mu_);
    for (auto* c : conns_)
      if (c->phase.load() != 1) ::shutdown(c->fd, SHUT_RDWR);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(state_.opts.shutdown_grace_ms);
    while (!conns_.empty()) {
      if (cv_.wait_until(lk, deadline) == std::cv_status::timeout) {
        LOG_WARN("API service stopping with {} request(s) still in flight", conns_.size());
        for (auto* c : conns_) ::shutdown(c->fd, SHUT_RDWR);
        cv_.wait_for(lk, std::chrono::seconds(1), [&] { return conns_.empty(); });
        break;
      }
      for (auto* c : conns_)
        if (c->phase.load() != 1) ::shutdown(c->fd, SHUT_RDWR);
    }
  }
  quit_.store(true);
  for (auto& w : workers_) {
    uint64_t one = 1;
    (void)!::write(w->wake.get(), &one, sizeof one);
  }
  for (auto& w : workers_) w->thread.join();
  return result;
}

void Server::workerLoop(Worker* w) {
  struct epoll_event evs[64];
  int64_t last_sweep = nowMs();
  while (!quit_.load()) {
    int n = ::epoll_wait(w->ep.get(), evs, 64, 1000);
    if (n < 0 && errno != EINTR) {
      LOG_ERROR("API service event loop: epoll_wait: {}", std::strerror(errno));
      return;
    }
    // Each connection appears once per batch, and only serveReady of that event closes it.
    for (int i = 0; i < n; ++i) {
      if (evs[i].data.ptr) serveReady(static_cast<Conn*>(evs[i].data.ptr));
    }
    if (nowMs() - last_sweep >= 1000) {
      sweep(w);
      last_sweep = nowMs();
    }
  }
}

// Closes this loop's keep-alive connections idle for longer than the limit.
void Server::sweep(Worker* w) {
  int64_t cutoff = nowMs() - state_.opts.limits.keepalive_timeout_ms;
  std::vector<Conn*> idle;
  {
    std::lock_guard<std::mutex> g(mu_);
    for (auto* c : conns_)
      if (c->worker == w && !c->away.load() && c->last_ms.load() < cutoff) idle.push_back(c);
  }
  for (auto* c : idle) closeConn(c);
}

void Server::badHeader(Conn* c, HttpConnection::ReadStatus st, const std::string& why) {
  int status = st == HttpConnection::ReadStatus::kTimeout    ? 408
               : st == HttpConnection::ReadStatus::kTooLarge ? 431
                                                             : 400;
  LOG_INFO("Failed Request: ({}:{}) {}", status, statusText(status), why);
  answerAndClose(c->http->fd(), status, why, common_);
}

void Server::serveReady(Conn* c) {
  for (;;) {
    Request req;
    std::string why;
    auto st = c->http->tryReadHeader(req, why);
    if (st == HttpConnection::ReadStatus::kAgain) {
      // Half a header: a thread waits for the rest (with the header timeout), not the loop.
      if (c->http->headerStarted()) handOff(c, std::nullopt, {}, {}, false);
      return;
    }
    if (st == HttpConnection::ReadStatus::kClosed) return closeConn(c);
    if (st != HttpConnection::ReadStatus::kOk) {
      badHeader(c, st, why);
      return closeConn(c);
    }
    touch();
    RouteMatch m = router_.match(req.method, req.path);
    if (!m.route || !m.route->inline_ok || req.has_body || state_.stopping.load())
      return handOff(c, std::move(req), std::move(m), {}, false);
    c->phase.store(1);
    busy_.fetch_add(1);
    std::string out;
    Response res(c->http->fd(), req, common_, state_.opts.limits);
    res.capture(&out);
    res.setConnection(c->http.get());
    dispatch(*c->http, req, res, m);
    busy_.fetch_sub(1);
    c->phase.store(0);
    touch();
    size_t sent = 0;
    while (sent < out.size()) {
      ssize_t k = ::send(c->http->fd(), out.data() + sent, out.size() - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (k < 0 && errno == EINTR) continue;
      if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (k < 0) return closeConn(c);  // the client is gone
      sent += size_t(k);
    }
    bool keep = res.keepAlive() && !state_.stopping.load();
    // A reader slower than the socket buffer gets the rest from a thread.
    if (sent < out.size()) return handOff(c, std::nullopt, {}, out.substr(sent), !keep);
    if (!keep) return closeConn(c);
    c->last_ms.store(nowMs());
    // One request per turn: a fast client would otherwise keep the loop to itself. What
    // it already sent (pipelined) is served now; anything newer waits for epoll's next
    // round, behind the other connections.
    if (!c->http->headerStarted()) return;
  }
}

void Server::handOff(Conn* c, std::optional<Request> req, RouteMatch m, std::string unsent, bool close_after) {
  ::epoll_ctl(c->worker->ep.get(), EPOLL_CTL_DEL, c->http->fd(), nullptr);
  c->away.store(true);
  try {
    std::thread([this, c, r = std::move(req), m = std::move(m), u = std::move(unsent), close_after]() mutable {
      serveAway(c, std::move(r), std::move(m), std::move(u), close_after);
    }).detach();
  } catch (const std::system_error& e) {
    LOG_WARN("API service: no thread for a request ({}); closing its connection", e.what());
    closeConn(c);
  }
}

void Server::serveAway(Conn* c, std::optional<Request> first, RouteMatch first_match, std::string unsent,
                       bool close_after) {
  if (!unsent.empty()) {
    Request none;
    Response res(c->http->fd(), none, common_, state_.opts.limits);
    if (!res.writeRaw(unsent) || close_after) return closeConn(c);
  }
  // The first request, then whatever the client already sent after it; the loop takes
  // the connection back once it is waiting for a new request.
  for (;;) {
    Request req;
    RouteMatch m;
    if (first) {
      req = std::move(*first);
      m = std::move(first_match);
      first.reset();
    } else {
      if (!c->http->headerStarted()) break;
      std::string why;
      auto st = c->http->readHeader(req, state_.stopping, why);
      if (st == HttpConnection::ReadStatus::kClosed) return closeConn(c);
      if (st != HttpConnection::ReadStatus::kOk) {
        badHeader(c, st, why);
        return closeConn(c);
      }
      m = router_.match(req.method, req.path);
    }
    c->phase.store(1);
    busy_.fetch_add(1);
    touch();
    Response res(c->http->fd(), req, common_, state_.opts.limits);
    res.setConnection(c->http.get());
    res.setPhase(&c->phase);
    dispatch(*c->http, req, res, m);
    if (!req.body_file.empty()) ::unlink(req.body_file.c_str());
    busy_.fetch_sub(1);
    c->phase.store(0);
    touch();
    if (!res.keepAlive() || state_.stopping.load()) {
      if (req.unread_body) c->http->lingeringClose(2000);
      return closeConn(c);
    }
  }
  if (state_.stopping.load()) return closeConn(c);
  // Back to the loop. Under mu_ so that a sweep never sees it half returned; once it is
  // in the epoll set it is the loop's, and this thread no longer touches it.
  {
    std::lock_guard<std::mutex> g(mu_);
    c->last_ms.store(nowMs());
    c->away.store(false);
    struct epoll_event ev = {};
    ev.events = EPOLLIN;
    ev.data.ptr = c;
    if (::epoll_ctl(c->worker->ep.get(), EPOLL_CTL_ADD, c->http->fd(), &ev) == 0) return;
    c->away.store(true);
  }
  LOG_WARN("API service: cannot watch a connection again: {}", std::strerror(errno));
  closeConn(c);
}

void Server::closeConn(Conn* c) {
  ::epoll_ctl(c->worker->ep.get(), EPOLL_CTL_DEL, c->http->fd(), nullptr);
  {
    std::lock_guard<std::mutex> g(mu_);
    conns_.erase(c);
    cv_.notify_all();
  }
  delete c;  // closes the socket
}

void Server::dispatch(HttpConnection& conn, Request& req, Response& res, RouteMatch& m) {
  LOG_DEBUG("API request {} {}", req.method, req.target);
  auto reject = [&](int status, const std::string& msg) {
    Error e(status == 404 ? Code::kNotFound : Code::kInvalidArgument, msg);
    LOG_INFO("Failed Request: ({}:{}) for {}:'{}'", status, statusText(status), req.method, req.target);
    if (req.has_body && !conn.skipBody(req, 1 << 20)) {
      req.keep_alive = false;
      req.unread_body = true;
    }
    (void)res.json(status, errorBody(m.tree, status, e));
  };
  if (!m.bad_request.empty()) return reject(400, m.bad_request);
  const auto& lim = state_.opts.limits;
  bool over_cap = req.content_length && *req.content_length > lim.max_json_body;
  if (!m.route && over_cap) {
    req.keep_alive = false;
    req.unread_body = true;
    return reject(413, fmt::format("{}: {} bytes, the limit is {}", kTooLargeMarker, *req.content_length,
                                   lim.max_json_body));
  }
  if (!m.route) {
    if (req.method == "OPTIONS" && !state_.opts.cors.empty()) {
      if (req.has_body && !conn.skipBody(req, 1 << 20)) req.keep_alive = false;
      (void)res.empty(200);
      return;
    }
    // The status is podman's; the code header tells berth's client that the route, not an
    // object, is missing (it reports the command as unsupported in remote mode).
    res.header(kErrorCodeHeader, std::string(codeName(Code::kUnimplemented)));
    if (m.method_mismatch) return reject(405, fmt::format("method {} not allowed for {}", req.method, req.path));
    return reject(404, fmt::format("no such route: {} {}", req.method, req.path));
  }
  if (!m.version.empty()) {
    int ma = 0, mi = 0, pa = 0;
    bool ok = parseVersion(m.version, ma, mi, pa);
    if (m.tree == Tree::kLibpod && (!ok || ma < 4 || ma > 5))
      return reject(400, fmt::format("unsupported libpod API version {:?}: this service speaks 4.x and 5.x", m.version));
    if (m.tree == Tree::kCompat && (!ok || ma != 1 || mi < 24))
      return reject(400, fmt::format("client version {} is too old. Minimum supported API version is 1.24, please "
                                     "upgrade your client to a newer version",
                                     m.version));
  }
  if (req.has_body) {
    uint64_t cap = m.route->body == BodyMode::kBuffer ? lim.max_json_body : lim.max_upload_body;
    Status s = conn.readBody(req, m.route->body, cap, state_.opts.spool_dir);
    if (!s.ok()) {
      req.keep_alive = false;
      req.unread_body = true;
      Error e = std::move(s).error();
      int status = e.message().rfind(kTooLargeMarker, 0) == 0 ? 413
                   : e.code() == Code::kDeadlineExceeded     ? 408
                   : e.code() == Code::kCancelled            ? 0
                                                             : 400;
      if (status == 0) return;  // the client is gone
      LOG_INFO("Failed Request: ({}:{}) for {}:'{}': {}", status, statusText(status), req.method, req.target,
               e.message());
      (void)res.json(status, errorBody(m.tree, status, e));
      return;
    }
  }
  Call call(req, res, m, pool_, state_);
  try {
    Status s = m.route->handler(call);
    if (!s.ok()) {
      LOG_INFO("Request Failed({}): {}", statusText(httpStatus(s.error().code())), s.error().what());
      (void)call.fail(s.error());
    }
    if (!res.started()) (void)call.fail(Error(Code::kInternal, "handler gave no response"));
  } catch (const std::exception& ex) {
    LOG_ERROR("API handler for {} {} failed: {}", req.method, req.path, ex.what());
    if (!res.started()) (void)call.fail(Error(Code::kInternal, std::string("internal error: ") + ex.what()));
    else req.keep_alive = false;
  }
}

}  // namespace berth::api::server
