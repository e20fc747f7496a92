// --network slirp4netns: a user-mode network stack (Debian's slirp4netns) attached to the
// container's bound network namespace, as podman runs it: tap0 at CIDR+100, the gateway at
// CIDR+2, DNS at CIDR+3; published ports through slirp4netns's API socket (add_hostfwd).
// slirp4netns outlives the command that started it; teardown kills it by the recorded pid
// once /proc shows it is still that slirp4netns.
#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "base/fd.h"
#include "base/fs.h"
#include "base/log.h"
#include "engine/container_service.h"
#include "engine/engine.h"
#include "sys/netns.h"

namespace berth::engine {

using api::NamespaceMode;

namespace {

constexpr const char* kDefaultSlirpCidr = "10.0.2.0/24";

Result<std::string> findSlirp4netns() {
  for (const char* p : {"/usr/bin/slirp4netns", "/usr/local/bin/slirp4netns", "/usr/libexec/podman/slirp4netns"})
    if (::access(p, X_OK) == 0) return std::string(p);
  return makeError(Code::kNotFound, "slirp4netns not found in /usr/bin or /usr/local/bin: install slirp4netns");
}

// The address at `offset` in an IPv4 CIDR ("10.0.2.0/24", 100 -> "10.0.2.100").
Result<std::string> cidrAddress(const std::string& cidr, uint32_t offset) {
  auto slash = cidr.find('/');
  std::string ip = cidr.substr(0, slash);
  int prefix = slash == std::string::npos ? 24 : std::atoi(cidr.c_str() + slash + 1);
  in_addr a{};
  if (::inet_pton(AF_INET, ip.c_str(), &a) != 1 || prefix < 1 || prefix > 25)
    return makeError(Code::kInvalidArgument, "invalid slirp4netns cidr {:?}: want an IPv4 network of /25 or larger", cidr);
  uint32_t host = ntohl(a.s_addr);
  uint32_t mask = prefix == 32 ? 0xffffffffu : ~((1u << (32 - prefix)) - 1);
  a.s_addr = htonl((host & mask) + offset);
  char buf[INET_ADDRSTRLEN];
  return std::string(::inet_ntop(AF_INET, &a, buf, sizeof buf));
}

// One request on slirp4netns's API socket: it answers on the same connection and closes it.
Status slirpApi(const std::string& sock, const Json& request) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return errnoError("socket");
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (sock.size() >= sizeof sa.sun_path) return makeError(Code::kInvalidArgument, "{}: socket path too long", sock);
  std::memcpy(sa.sun_path, sock.c_str(), sock.size());
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) return errnoError("connect {}", sock);
  std::string body = request.dump();
  if (::write(fd.get(), body.data(), body.size()) != ssize_t(body.size())) return errnoError("write {}", sock);
  ::shutdown(fd.get(), SHUT_WR);
  std::string reply;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reply.append(buf, size_t(n));
    if (reply.size() > 65536) break;
  }
  Json j = Json::parse(reply, nullptr, false);
  if (!j.is_object()) return makeError(Code::kInternal, "slirp4netns API: unexpected reply {:?}", reply.substr(0, 200));
  if (auto e = j.find("error"); e != j.end()) {
    std::string desc = e->is_object() && e->contains("desc") && (*e)["desc"].is_string() ? (*e)["desc"].get<std::string>()
                                                                                       : e->dump();
    return makeError(Code::kUnavailable, "slirp4netns: {}", desc);
  }
  return {};
}

bool isSlirpProcess(int pid, const std::string& netns) {
  if (pid <= 0) return false;
  auto cmdline = fs::readFile(fmt::format("/proc/{}/cmdline", pid));
  if (!cmdline.ok()) return false;
  return cmdline->find("slirp4netns") != std::string::npos && cmdline->find(netns) != std::string::npos;
}

}  // namespace

Result<SlirpOptions> slirpOptions(const api::SpecGenerator& spec) {
  SlirpOptions o;
  o.cidr = kDefaultSlirpCidr;
  auto it = spec.network_options.find("slirp4netns");
  if (it == spec.network_options.end()) return o;
  for (auto& opt : it->second) {
    auto eq = opt.find('=');
    std::string k = opt.substr(0, eq), v = eq == std::string::npos ? "" : opt.substr(eq + 1);
    auto boolean = [&]() -> Result<bool> {
      if (v == "true") return true;
      if (v == "false") return false;
      return makeError(Code::kInvalidArgument, "slirp4netns option {:?}: want true or false", opt);
    };
    if (k == "cidr") {
      TRY(cidrAddress(v, 0));
      o.cidr = v;
    } else if (k == "allow_host_loopback") {
      o.allow_host_loopback = TRY(boolean());
    } else if (k == "enable_ipv6") {
      o.enable_ipv6 = TRY(boolean());
    } else if (k == "mtu") {
      int m = std::atoi(v.c_str());
      if (m < 68 || std::to_string(m) != v) return makeError(Code::kInvalidArgument, "invalid slirp4netns mtu {:?}", v);
      o.mtu = m;
    } else if (k == "port_handler") {
      // rootlesskit's handler is podman's rootlessport helper: berth forwards through
      // slirp4netns itself for both, which behaves the same from the host.
      if (v != "slirp4netns" && v != "rootlesskit")
        return makeError(Code::kInvalidArgument, "unknown port_handler for slirp4netns: {:?}", v);
      o.port_handler = v;
    } else if (k == "outbound_addr" || k == "outbound_addr6") {
      (k == "outbound_addr" ? o.outbound_addr : o.outbound_addr6) = v;
    } else {
      return makeError(Code::kInvalidArgument, "unknown option for slirp4netns: {:?}", opt);
    }
  }
  return o;
}

Result<std::string> slirpContainerAddress(const SlirpOptions& o) { return cidrAddress(o.cidr, 100); }
Result<std::string> slirpDnsAddress(const SlirpOptions& o) { return cidrAddress(o.cidr, 3); }

Status LocalContainerService::setupSlirpLocked(state::ContainerRecord& rec, const api::SpecGenerator& spec) {
  TRY(teardownNetworkLocked(rec, spec));  // leftovers of a run that crashed
  SlirpOptions opts = TRY(slirpOptions(spec));
  std::string bin = TRY(findSlirp4netns());
  auto p = paths(rec.id);
  TRY(fs::mkdirAll(e_.options().runroot + "/netns", 0755));
  TRY_CTX(sys::createNetns(p.netns), "create the network namespace of {}", rec.id.substr(0, 12));
  TRY(fs::mkdirAll(p.run_dir, 0700));
  std::string api_sock = p.socket + ".slirp";  // short: unix socket paths are limited to 108 bytes
  ::unlink(api_sock.c_str());
  std::vector<std::string> args = {bin, "--configure", "--mtu=" + std::to_string(opts.mtu), "--ready-fd=3",
                                   "--netns-type=path", "--cidr=" + opts.cidr, "--api-socket=" + api_sock};
  if (!opts.allow_host_loopback) args.push_back("--disable-host-loopback");
  if (opts.enable_ipv6) args.push_back("--enable-ipv6");
  if (!opts.outbound_addr.empty()) args.push_back("--outbound-addr=" + opts.outbound_addr);
  if (!opts.outbound_addr6.empty()) args.push_back("--outbound-addr6=" + opts.outbound_addr6);
  args.insert(args.end(), {p.netns, "tap0"});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string log_path = p.run_dir + "/slirp4netns.log";

  int ready[2], pidpipe[2];
  if (::pipe2(ready, O_CLOEXEC) < 0) return errnoError("pipe");
  UniqueFd ready_r(ready[0]), ready_w(ready[1]);
  if (::pipe2(pidpipe, O_CLOEXEC) < 0) return errnoError("pipe");
  UniqueFd pid_r(pidpipe[0]), pid_w(pidpipe[1]);
  pid_t child = ::fork();
  if (child < 0) return errnoError("fork slirp4netns");
  if (child == 0) {
    // Detached from the caller's session: slirp4netns lives as long as the container.
    ::setsid();
    pid_t gc = ::fork();
    if (gc != 0) {
      int v = gc;
      (void)!::write(pid_w.get(), &v, sizeof v);
      ::_exit(gc < 0 ? 1 : 0);
    }
    int devnull = ::open("/dev/null", O_RDWR);
    int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ::dup2(devnull, 0);
    ::dup2(devnull, 1);
    ::dup2(log >= 0 ? log : devnull, 2);
    ::dup2(ready_w.get(), 3);  // dup2 clears FD_CLOEXEC
    ::signal(SIGPIPE, SIG_DFL);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ready_w.reset();
  pid_w.reset();
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  int slirp_pid = 0;
  if (::read(pid_r.get(), &slirp_pid, sizeof slirp_pid) != sizeof slirp_pid || slirp_pid <= 0) {
    (void)sys::removeNetns(p.netns);
    return makeError(Code::kInternal, "start slirp4netns for container {}: fork failed", rec.id.substr(0, 12));
  }
  rec.state["slirp4netns"] = Json{{"pid", slirp_pid}, {"cidr", opts.cidr}, {"api_socket", api_sock}};
  auto fail = [&](Error e) -> Status {
    std::string why = e.what();
    if (auto log = fs::readFile(log_path); log.ok() && !log->empty()) {
      std::string text = log->substr(0, 500);
      while (!text.empty() && text.back() == '\n') text.pop_back();
      for (auto& ch : text)
        if (ch == '\n') ch = ';';
      why += " (its log: " + text + ")";
    }
    if (auto t = teardownNetworkLocked(rec, spec); !t.ok()) LOG_WARN("{}", t.error().what());
    return makeError(e.code(), "set up slirp4netns for container {}: {}", rec.id.substr(0, 12), why);
  };
  // slirp4netns writes "1" on the ready fd once tap0 is configured; EOF means it died.
  pollfd pfd{ready_r.get(), POLLIN, 0};
  int pr;
  while ((pr = ::poll(&pfd, 1, 10000)) < 0 && errno == EINTR) {
  }
  char c = 0;
  if (pr <= 0 || ::read(ready_r.get(), &c, 1) != 1 || c != '1')
    return fail(Error(Code::kUnavailable, pr == 0 ? "not ready after 10 s" : "exited before it was ready"));
  for (auto& m : spec.portmappings) {
    uint16_t n = m.range > 1 ? m.range : 1;
    for (auto& proto : splitProtocols(m.protocol)) {
      if (proto == "sctp") return fail(Error(Code::kInvalidArgument, "slirp4netns cannot forward sctp ports"));
      for (uint16_t i = 0; i < n; ++i) {
        Json req = {{"execute", "add_hostfwd"},
                    {"arguments",
                     {{"proto", proto},
                      {"host_addr", m.host_ip.empty() ? "0.0.0.0" : m.host_ip},
                      {"host_port", m.host_port + i},
                      {"guest_port", m.container_port + i}}}};
        if (auto s = slirpApi(api_sock, req); !s.ok())
          return fail(std::move(s).error().context(
              fmt::format("publish {}:{}/{}", m.host_port + i, m.container_port + i, proto)));
      }
    }
  }
  return {};
}

Status LocalContainerService::teardownSlirpLocked(state::ContainerRecord& rec) {
  auto it = rec.state.find("slirp4netns");
  if (it == rec.state.end()) return {};
  int pid = it->is_object() ? it->value("pid", 0) : 0;
  auto p = paths(rec.id);
  if (isSlirpProcess(pid, p.netns)) {
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 100 && isSlirpProcess(pid, p.netns); ++i) ::usleep(10000);
    if (isSlirpProcess(pid, p.netns)) ::kill(pid, SIGKILL);
  }
  ::unlink((p.socket + ".slirp").c_str());
  rec.state.erase("slirp4netns");
  return {};
}

}  // namespace berth::engine
