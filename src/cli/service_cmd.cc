// `berth system service [URI]`: the REST API service (podman system service).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "api/server/routes.h"
#include "api/server/server.h"
#include "base/fs.h"
#include "base/log.h"
#include "cli/commands.h"
#include "cli/context.h"

namespace berth::cli {

namespace {

// The parts of Go's url.Parse that decide where podman listens.
struct Uri {
  std::string scheme;  // lower-cased
  std::string host;    // after "//"
  std::string path;
  std::string opaque;  // "tcp:127.0.0.1:80" -> "127.0.0.1:80"
};

Result<Uri> parseUri(const std::string& raw) {
  Uri u;
  std::string rest = raw;
  // getScheme: letters first, then letters, digits, + - .; a ':' ends it.
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (std::isalpha(static_cast<unsigned char>(c))) continue;
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.') {
      if (i == 0) break;
      continue;
    }
    if (c == ':') {
      if (i == 0) return makeError(Code::kInvalidArgument, "missing protocol scheme");
      u.scheme = raw.substr(0, i);
      for (auto& ch : u.scheme) ch = char(std::tolower(static_cast<unsigned char>(ch)));
      rest = raw.substr(i + 1);
    }
    break;
  }
  if (u.scheme.empty()) rest = raw;
  if (!u.scheme.empty() && (rest.empty() || rest[0] != '/')) {
    u.opaque = rest;
    return u;
  }
  if (rest.rfind("//", 0) == 0) {
    size_t slash = rest.find('/', 2);
    u.host = rest.substr(2, slash == std::string::npos ? std::string::npos : slash - 2);
    u.path = slash == std::string::npos ? "" : rest.substr(slash);
  } else {
    u.path = rest;
  }
  return u;
}

Result<UniqueFd> listenUnix(const std::string& path) {
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    return makeError(Code::kInvalidArgument, "unable to create socket: socket path {} is too long", path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::unlink(path.c_str()) < 0 && errno != ENOENT) return errnoError("remove old socket {}", path);
  auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) TRY(fs::mkdirAll(path.substr(0, slash), 0711));
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return errnoError("unable to create socket");
  mode_t old = ::umask(0117);  // the socket file is created 0660
  int rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int e = errno;
  ::umask(old);
  if (rc < 0) return sysError(e, fmt::format("unable to create socket: listen unix {}: bind", path));
  ::chmod(path.c_str(), 0660);
  if (::listen(fd.get(), 1024) < 0) return errnoError("unable to create socket: listen unix {}", path);
  return fd;
}

Result<UniqueFd> listenTcp(const std::string& hostport) {
  std::string host, port;
  if (!hostport.empty() && hostport[0] == '[') {
    auto close = hostport.find(']');
    if (close == std::string::npos || close + 1 >= hostport.size() || hostport[close + 1] != ':')
      return makeError(Code::kInvalidArgument, "unable to create socket {}: missing port in address", hostport);
    host = hostport.substr(1, close - 1);
    port = hostport.substr(close + 2);
  } else {
    auto colon = hostport.rfind(':');
    if (colon == std::string::npos)
      return makeError(Code::kInvalidArgument, "unable to create socket {}: address {}: missing port in address",
                       hostport, hostport);
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
  }
  struct addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  struct addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0)
    return makeError(Code::kInvalidArgument, "unable to create socket {}: {}", hostport, ::gai_strerror(rc));
  Error last(Code::kInternal, "no address");
  for (auto* ai = res; ai; ai = ai->ai_next) {
    UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (!fd) {
      last = errnoError("unable to create socket {}", hostport);
      continue;
    }
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd.get(), ai->ai_addr, ai->ai_addrlen) < 0 || ::listen(fd.get(), 1024) < 0) {
      last = errnoError("unable to create socket {}: listen tcp {}", hostport, hostport);
      continue;
    }
    ::freeaddrinfo(res);
    return fd;
  }
  ::freeaddrinfo(res);
  return last;
}

std::string describeAddr(int fd) {
  struct sockaddr_storage ss = {};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) return "?";
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
    return fmt::format("{}:{}", buf, ntohs(a->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    ::inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
    return fmt::format("[{}]:{}", buf, ntohs(a->sin6_port));
  }
  if (ss.ss_family == AF_UNIX) return reinterpret_cast<sockaddr_un*>(&ss)->sun_path;
  return "?";
}

// systemd socket activation (sd_listen_fds): LISTEN_PID is us and LISTEN_FDS >= 1.
int activatedFds() {
  const char* pid = std::getenv("LISTEN_PID");
  const char* n = std::getenv("LISTEN_FDS");
  if (!pid || !n) return 0;
  if (std::atoi(pid) != int(::getpid())) return 0;
  return std::atoi(n);
}

Result<UniqueFd> activatedListener() {
  int n = activatedFds();
  if (n != 1)
    return makeError(Code::kInvalidArgument,
                     "wrong number of file descriptors for socket activation protocol ({} != 1)", n);
  int fd = 3;
  int type = 0;
  socklen_t len = sizeof type;
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM)
    return makeError(Code::kInvalidArgument, "unexpected fd received from systemd: cannot listen on it");
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_FDNAMES");
  return UniqueFd(fd);
}

struct ServiceFlags {
  int time = 5;
  std::string timeout_alias;
  std::string cors;
  std::string pprof;
};

int runService(Context& ctx, const ServiceFlags& f, const std::vector<std::string>& args) {
  int timeout = f.time;
  if (!f.timeout_alias.empty()) timeout = std::atoi(f.timeout_alias.c_str());
  if (timeout < 0)
    return ctx.fail(makeError(Code::kInvalidArgument,
                              "invalid argument \"{}\" for \"-t, --time\" flag: strconv.ParseUint: parsing \"{}\": "
                              "invalid syntax",
                              timeout, timeout));
  std::string uri = args.empty() ? "" : args[0];
  if (uri.empty()) {
    if (const char* v = std::getenv("PODMAN_SOCKET"); v && *v) {
      LOG_DEBUG("PODMAN_SOCKET={:?} used to determine API endpoint", std::string(v));
      uri = v;
    }
  }
  bool activated = false;
  if (uri.empty()) {
    if (activatedFds() > 0) {
      LOG_INFO("Using systemd socket activation to determine API endpoint");
      activated = true;
    } else {
      uri = "unix://" + ctx.opts.runroot + "/berth.sock";
    }
  }
  // The engine opens first: a bad root or storage driver fails before listening.
  ctx.serving = true;
  auto eng = ctx.localEngine();
  if (!eng.ok()) return ctx.fail(eng.error());
  // Stop signals work from the moment the socket can be seen.
  api::server::ServiceOptions so;
  so.idle_timeout_s = timeout;
  so.cors = f.cors;
  // Test knob: a short header timeout so slow-client tests need not wait 30 s.
  if (const char* t = std::getenv("BERTH_API_HEADER_TIMEOUT_MS"); t && std::atoi(t) > 0)
    so.limits.header_timeout_ms = std::atoi(t);
  api::server::Server server(so, ctx.opts);
  api::server::installStopSignals(&server);

  UniqueFd listener;
  std::string created_socket;
  std::string remote_uri = uri;
  if (activated) {
    auto l = activatedListener();
    if (!l.ok()) return ctx.fail(l.error());
    listener = std::move(*l);
    remote_uri = "unix://" + describeAddr(listener.get());
  } else {
    auto u = parseUri(uri);
    if (!u.ok()) return ctx.fail(makeError(Code::kInvalidArgument, "{} is an invalid socket destination", uri));
    if (u->scheme == "unix") {
      std::string path = u->path.empty() ? u->opaque : u->path;
      if (!path.empty() && path[0] != '/') {
        char cwd[4096];
        if (::getcwd(cwd, sizeof cwd)) path = std::string(cwd) + "/" + path;
      }
      if (activatedFds() > 0) {
        auto l = activatedListener();
        if (!l.ok()) return ctx.fail(l.error());
        listener = std::move(*l);
      } else {
        auto l = listenUnix(path);
        if (!l.ok()) return ctx.fail(l.error());
        listener = std::move(*l);
        created_socket = path;
      }
    } else if (u->scheme == "tcp") {
      std::string host = u->host.empty() ? u->opaque : u->host;
      auto l = listenTcp(host);
      if (!l.ok()) return ctx.fail(l.error());
      listener = std::move(*l);
    } else {
      return ctx.fail(makeError(Code::kInvalidArgument,
                                "API Service endpoint scheme {:?} is not supported. Try tcp://{} or unix:/{}",
                                u->scheme, uri, uri));
    }
  }
  // Close stdin so that nothing prompts (short names).
  if (int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC); devnull >= 0) {
    ::dup2(devnull, 0);
    ::close(devnull);
  }
  server.state().opts.remote_uri = remote_uri;
  LOG_INFO("API service listening on {:?}. URI: {:?}", describeAddr(listener.get()), remote_uri);
  if (f.cors.empty()) LOG_DEBUG("CORS Headers were not set");
  else LOG_DEBUG("CORS Headers were set to {:?}", f.cors);
  api::server::registerAllRoutes(server.router());
  server.addListener(std::move(listener), created_socket);
  auto st = server.run();
  if (!st.ok()) return ctx.fail(st.error());
  return 0;
}

}  // namespace

std::unique_ptr<Command> serviceCommand() {
  auto f = std::make_shared<ServiceFlags>();
  auto c = std::make_unique<Command>("service [options] [URI]", "Run API service");
  c->args(0, 1)
      .description("Run an API service\n\nEnable a listening service for API access to Podman commands.\n")
      .example("podman system service --time=0 unix:///tmp/podman.sock\n  podman system service --time=0 tcp://localhost:8888")
      .flag("time", 't', &f->time, "Time until the service session expires in seconds.  Use 0 to disable the timeout")
      .flag("cors", 0, &f->cors, "Set CORS Headers")
      .hiddenFlag("timeout", &f->timeout_alias)
      .hiddenFlag("pprof-address", &f->pprof)
      .run([f](Context& ctx, const std::vector<std::string>& args) { return runService(ctx, *f, args); });
  return c;
}

}  // namespace berth::cli
