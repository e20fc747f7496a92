// Containers on networks: the network fields completed at create, the netns and netavark
// setup at init, idempotent teardown on every exit path, /etc/hosts and /etc/resolv.conf,
// and the NetworkSettings of inspect.
#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <set>

#include "base/fd.h"
#include "base/fs.h"
#include "base/log.h"
#include "config/containers_conf.h"
#include "config/host_env.h"
#include "engine/container_service.h"
#include "engine/engine.h"
#include "network/etc_files.h"
#include "network/spec.h"
#include "state/containers.h"
#include "sys/netns.h"

namespace berth::engine {

// A port mapping's protocol list ("tcp,udp"): each entry, "" meaning tcp.
std::vector<std::string> splitProtocols(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string proto = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? list.size() + 1 : comma + 1;
    out.push_back(proto.empty() ? "tcp" : proto);
  }
  return out;
}

namespace {

using api::NamespaceMode;

// The host's first IPv4 address outside loopback and link-local ("hostname -I"'s first).
std::string firstHostAddress() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) < 0) return "";
  std::string out;
  for (ifaddrs* a = list; a && out.empty(); a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || (a->ifa_flags & IFF_LOOPBACK)) continue;
    auto* sin = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
    uint32_t host = ntohl(sin->sin_addr.s_addr);
    if ((host >> 16) == 0xa9fe) continue;  // 169.254/16
    char buf[INET_ADDRSTRLEN];
    if (::inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf)) out = buf;
  }
  ::freeifaddrs(list);
  return out;
}

bool usesNetavark(const api::SpecGenerator& s) {
  return s.netns.isDefault() || s.netns.is(NamespaceMode::kBridge) || s.netns.is(NamespaceMode::kPrivate);
}


// A socket bound to host_ip:port ("" = every IPv4 address), listening for TCP: used to test
// a port and to hold it. The errno of a failed socket/bind/listen is returned as is.
Result<UniqueFd> bindHostPort(const std::string& host_ip, uint16_t port, bool udp) {
  auto ip = network::IpAddr::parse(host_ip.empty() ? "0.0.0.0" : host_ip);
  if (!ip.ok()) return makeError(Code::kInvalidArgument, "host IP {:?} of port {} is not an address", host_ip, port);
  UniqueFd fd(::socket(ip->isV6() ? AF_INET6 : AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0));
  if (!fd) return errnoError("socket for host port {}", port);
  int one = 1;
  if (!udp) ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  int rc;
  if (ip->isV6()) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(port);
    std::memcpy(&a.sin6_addr, ip->bytes(), 16);
    rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
  } else {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    std::memcpy(&a.sin_addr, ip->bytes(), 4);
    rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  if (rc < 0 || (!udp && ::listen(fd.get(), 128) < 0)) return errnoError("bind host port {}", port);
  return fd;
}

// Whether `port` (and the `range`-1 after it) can be bound on `host_ip` for every protocol.
bool portsFree(const std::string& host_ip, const std::string& protocols, uint16_t port, uint16_t range) {
  for (uint32_t p = port; p < uint32_t(port) + range; ++p) {
    if (p > 65535) return false;
    for (auto& proto : splitProtocols(protocols))
      if (!bindHostPort(host_ip, uint16_t(p), proto == "udp").ok()) return false;
  }
  return true;
}

// A free host port (range of ports) for a mapping given with host port 0, as podman picks
// one at create: random tries in the ephemeral range.
Result<uint16_t> pickHostPort(const network::PortMapping& m) {
  static std::mt19937 rng{std::random_device{}()};
  uint16_t range = m.range == 0 ? 1 : m.range;
  std::uniform_int_distribution<int> dist(32768, 60999 - range);
  for (int i = 0; i < 200; ++i) {
    uint16_t p = uint16_t(dist(rng));
    if (portsFree(m.host_ip, m.protocol.empty() ? "tcp" : m.protocol, p, range)) return p;
  }
  return makeError(Code::kUnavailable, "failed to find an open port to expose container port {} on the host",
                   m.container_port);
}

network::PortMapping fromApi(const api::PortMapping& p) {
  network::PortMapping m;
  m.host_ip = p.host_ip;
  m.container_port = p.container_port;
  m.host_port = p.host_port;
  m.range = p.range == 0 ? 1 : p.range;
  m.protocol = p.protocol.empty() ? "tcp" : p.protocol;
  return m;
}

Result<network::PerNetworkOptions> perNetFromApi(const api::PerNetworkOptions& o) {
  network::PerNetworkOptions r;
  for (auto& ip : o.static_ips) r.static_ips.push_back(TRY(network::IpAddr::parse(ip)));
  r.aliases = o.aliases;
  if (!o.static_mac.empty()) r.static_mac = TRY(network::MacAddr::parse(o.static_mac));
  r.interface_name = o.interface_name;
  return r;
}

// The container's exposed ports: the image's ExposedPorts ("80/tcp") and --expose.
std::vector<std::pair<uint16_t, std::string>> exposedPorts(const api::SpecGenerator& s, const Json& image_config) {
  std::vector<std::pair<uint16_t, std::string>> out;
  if (auto it = image_config.find("ExposedPorts"); it != image_config.end() && it->is_object()) {
    for (auto& [key, v] : it->items()) {
      auto slash = key.find('/');
      unsigned n = std::strtoul(key.substr(0, slash).c_str(), nullptr, 10);
      if (n == 0 || n > 65535) continue;
      out.emplace_back(uint16_t(n), slash == std::string::npos ? "tcp" : key.substr(slash + 1));
    }
  }
  for (auto& [port, protos] : s.expose)
    for (auto& proto : splitProtocols(protos)) out.emplace_back(port, proto);
  return out;
}

// Rewrites a file that is bind-mounted into a running container: in place, so the
// container sees the new content (a rename would leave it the old inode).
Status rewriteInPlace(const std::string& path, const std::string& data) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return errnoError("open {}", path);
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errnoError("write {}", path);
    off += size_t(n);
  }
  return {};
}

}  // namespace

Status LocalContainerService::completeNetworkSpec(api::SpecGenerator& spec, const Json& image_config) {
  if (spec.netns.isDefault() || spec.netns.is(NamespaceMode::kPrivate)) spec.netns = {NamespaceMode::kBridge, ""};
  if (spec.netns.is(NamespaceMode::kContainer)) {
    auto other = TRY(state::findContainer(e_.db(), spec.netns.value));
    spec.netns.value = other.id;
  }
  if (!spec.netns.is(NamespaceMode::kBridge)) {
    return {};
  }
  auto& store = e_.networkStore();
  const std::string dflt = store.options().default_network;
  if (auto d = spec.networks.find("default"); d != spec.networks.end()) {
    auto opts = d->second;
    spec.networks.erase(d);
    spec.networks[dflt] = opts;
  }
  if (spec.networks.empty()) spec.networks[dflt] = {};
  std::map<std::string, api::PerNetworkOptions> normalized;
  std::set<std::string> used_ifnames;
  for (auto& [name, opts] : spec.networks) {
    if (opts.interface_name.empty()) continue;
    if (!used_ifnames.insert(opts.interface_name).second)
      return makeError(Code::kInvalidArgument, "network interface name {:?} is already assigned to another network",
                       opts.interface_name);
  }
  int next_if = 0;
  for (auto& [name, opts] : spec.networks) {
    auto net = TRY(store.get(name));
    api::PerNetworkOptions o = opts;
    if (o.interface_name.empty()) {
      while (used_ifnames.count(fmt::format("eth{}", next_if))) ++next_if;
      o.interface_name = fmt::format("eth{}", next_if);
      used_ifnames.insert(o.interface_name);
    }
    if (normalized.count(net.name))
      return makeError(Code::kInvalidArgument, "network {:?} is given more than once", net.name);
    normalized[net.name] = o;
  }
  spec.networks = std::move(normalized);
  // -P: every exposed port without a mapping gets a random host port.
  if (spec.publish_image_ports.value_or(false)) {
    for (auto& [port, proto] : exposedPorts(spec, image_config)) {
      bool mapped = false;
      for (auto& m : spec.portmappings) {
        std::string mp = m.protocol.empty() ? "tcp" : m.protocol;
        uint16_t r = m.range == 0 ? 1 : m.range;
        if (mp.find(proto) != std::string::npos && port >= m.container_port && port < m.container_port + r)
          mapped = true;
      }
      if (!mapped) spec.portmappings.push_back(api::PortMapping{"", port, 0, 1, proto});
    }
  }
  for (auto& m : spec.portmappings) {
    if (m.protocol.empty()) m.protocol = "tcp";
    if (m.range == 0) m.range = 1;
    if (m.host_port == 0) m.host_port = TRY(pickHostPort(fromApi(m)));
  }
  return {};
}

Result<network::SetupRequest> LocalContainerService::networkRequest(const state::ContainerRecord& rec,
                                                                    const api::SpecGenerator& spec) {
  network::SetupRequest req;
  req.container_id = rec.id;
  req.container_name = rec.name;
  req.netns_path = paths(rec.id).netns;
  for (auto& [name, opts] : spec.networks) {
    auto o = TRY_CTX(perNetFromApi(opts), "network {} of container {}", name, rec.id.substr(0, 12));
    o.aliases.push_back(rec.id.substr(0, 12));  // podman adds the short ID as an alias
    req.networks[name] = std::move(o);
  }
  for (auto& p : spec.portmappings) req.port_mappings.push_back(fromApi(p));
  for (auto& d : spec.dns_server)
    if (auto ip = network::IpAddr::parse(d); ip.ok()) req.dns_servers.push_back(*ip);
  return req;
}

Status LocalContainerService::setupNetworkLocked(state::ContainerRecord& rec, const api::SpecGenerator& spec) {
  if (spec.netns.is(NamespaceMode::kSlirp4netns)) return setupSlirpLocked(rec, spec);
  if (!usesNetavark(spec) || spec.networks.empty()) return {};
  TRY(beginNetworkSetupLocked(rec, spec));
  return finishNetworkSetupLocked(rec);
}

bool LocalContainerService::overlapsNetworkSetup(const api::SpecGenerator& spec) {
  static const bool enabled = [] {
    const char* v = std::getenv("BERTH_NETWORK_OVERLAP");
    return !(v && std::string_view(v) == "0");
  }();
  return enabled && usesNetavark(spec) && !spec.networks.empty();
}

Status LocalContainerService::beginNetworkSetupLocked(state::ContainerRecord& rec, const api::SpecGenerator& spec) {
  TRY(teardownNetworkLocked(rec, spec));  // leftovers of a run that crashed
  auto p = paths(rec.id);
  TRY(fs::mkdirAll(e_.options().runroot + "/netns", 0755));
  TRY_CTX(sys::createNetns(p.netns), "create the network namespace of {}", rec.id.substr(0, 12));
  auto req = networkRequest(rec, spec);
  if (!req.ok()) {
    if (auto s = sys::removeNetns(p.netns); !s.ok()) LOG_WARN("{}", s.error().what());
    return std::move(req).error().context(fmt::format("set up the network of container {}", rec.id.substr(0, 12)));
  }
  // The namespace is there (empty until netavark is done): the bundle may name it already.
  rec.state["network_status"] = Json::object();
  auto pending = std::make_unique<PendingNetworkSetup>();
  PendingNetworkSetup* raw = pending.get();
  network::Store& store = e_.networkStore();
  pending->thread = std::thread([raw, &store, r = std::move(*req)]() mutable { raw->status = store.setup(std::move(r)); });
  pending_network_[rec.id] = std::move(pending);
  return {};
}

Status LocalContainerService::finishNetworkSetupLocked(state::ContainerRecord& rec) {
  auto it = pending_network_.find(rec.id);
  if (it == pending_network_.end()) return {};
  std::unique_ptr<PendingNetworkSetup> pending = std::move(it->second);
  pending_network_.erase(it);
  pending->thread.join();
  auto& status = pending->status;
  if (!status.ok()) {
    rec.state.erase("network_status");
    if (auto s = sys::removeNetns(paths(rec.id).netns); !s.ok()) LOG_WARN("{}", s.error().what());
    return std::move(status).error().context(fmt::format("set up the network of container {}", rec.id.substr(0, 12)));
  }
  Json j = Json::object();
  for (auto& [name, block] : *status) j[name] = network::toJson(block);
  rec.state["network_status"] = j;
  return {};
}

Status LocalContainerService::teardownNetworkLocked(state::ContainerRecord& rec, const api::SpecGenerator& spec) {
  auto p = paths(rec.id);
  // A member of another's network namespace leaves its line in the shared /etc/hosts.
  if (spec.netns.is(NamespaceMode::kContainer) && !spec.use_image_hosts.value_or(false) &&
      rec.state.value("joined_hosts", false)) {
    std::string hosts = paths(spec.netns.value).run_dir + "/hosts";
    if (auto s = editJoinedHosts(hosts, rec.name, false); !s.ok() && s.error().code() != Code::kNotFound)
      LOG_WARN("remove container {} from {}: {}", rec.id.substr(0, 12), hosts, s.error().what());
    rec.state.erase("joined_hosts");
  }
  TRY(teardownSlirpLocked(rec));
  // The netns file is created first and removed last: without it nothing is left to undo.
  if (::access(p.netns.c_str(), F_OK) != 0) {
    rec.state.erase("network_status");
    return {};
  }
  if (usesNetavark(spec)) {
    auto req = networkRequest(rec, spec);
    if (req.ok()) {
      if (!sys::isNetns(p.netns)) req->netns_path.clear();  // created, never bound: addresses only
      if (auto s = e_.networkStore().teardown(*req); !s.ok())
        LOG_WARN("tear down the network of container {}: {}", rec.id.substr(0, 12), s.error().what());
    } else {
      LOG_WARN("tear down the network of container {}: {}", rec.id.substr(0, 12), req.error().what());
    }
  }
  TRY_CTX(sys::removeNetns(p.netns), "remove the network namespace of {}", rec.id.substr(0, 12));
  rec.state.erase("network_status");
  return {};
}

Status editJoinedHosts(const std::string& hosts_path, const std::string& name, bool add) {
  constexpr size_t kMaxHosts = 1 << 20;
  UniqueFd fd(::open(hosts_path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (!fd) return errnoError("open {}", hosts_path);
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) return errnoError("stat {}", hosts_path);
  if (!S_ISREG(st.st_mode)) return makeError(Code::kFailedPrecondition, "{}: not a regular file", hosts_path);
  while (::flock(fd.get(), LOCK_EX) < 0)
    if (errno != EINTR) return errnoError("lock {}", hosts_path);
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::pread(fd.get(), buf, sizeof buf, off_t(text.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errnoError("read {}", hosts_path);
    if (n == 0) break;
    text.append(buf, size_t(n));
    if (text.size() > kMaxHosts) return makeError(Code::kFailedPrecondition, "{}: larger than 1 MiB", hosts_path);
  }
  const std::string entry = "127.0.0.1\t" + name;
  std::string out;
  bool found = false;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    if (line == entry) {
      found = true;
      if (!add) continue;
    }
    out += line + "\n";
  }
  if (add == found) return {};
  if (add) out += entry + "\n";
  if (::ftruncate(fd.get(), 0) < 0) return errnoError("truncate {}", hosts_path);
  for (size_t off = 0; off < out.size();) {
    ssize_t n = ::pwrite(fd.get(), out.data() + off, out.size() - off, off_t(off));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errnoError("write {}", hosts_path);
    off += size_t(n);
  }
  return {};
}

Result<std::vector<UniqueFd>> reserveHostPorts(const api::SpecGenerator& spec) {
  std::vector<UniqueFd> out;
  // slirp4netns binds the published ports itself.
  if (spec.netns.is(NamespaceMode::kHost) || spec.netns.is(NamespaceMode::kNone) ||
      spec.netns.is(NamespaceMode::kSlirp4netns))
    return out;
  for (const auto& m : spec.portmappings) {
    if (m.host_port == 0) continue;
    uint16_t r = m.range == 0 ? 1 : m.range;
    for (auto& proto : splitProtocols(m.protocol)) {
      if (proto != "tcp" && proto != "udp") continue;
      for (uint32_t i = 0; i < r; ++i) {
        uint16_t port = uint16_t(m.host_port + i);
        auto fd = bindHostPort(m.host_ip, port, proto == "udp");
        if (!fd.ok()) {
          // podman's words: "cannot listen on the TCP port: listen tcp4 :8080: bind: ...".
          bool in_use = fd.error().sysErrno() == EADDRINUSE;
          std::string what = fmt::format("{}{} {}:{}", proto, m.host_ip.find(':') != std::string::npos ? "6" : "4",
                                         m.host_ip, port);
          return makeError(in_use ? Code::kConflict : fd.error().code(), "cannot listen on the {} port: listen {}: bind: {}",
                           proto == "tcp" ? "TCP" : "UDP", what,
                           in_use ? std::string("address already in use") : fd.error().message());
        }
        out.push_back(std::move(*fd));
      }
    }
  }
  return out;
}

Status LocalContainerService::writeNetworkFiles(const state::ContainerRecord& rec, const api::SpecGenerator& spec,
                                                const std::string& hostname, bool in_place) {
  auto p = paths(rec.id);
  auto write = [&](const std::string& path, const std::string& data) {
    return in_place ? rewriteInPlace(path, data) : fs::writeFileReplace(path, data);
  };
  std::map<std::string, network::StatusBlock> status;
  if (auto it = rec.state.find("network_status"); it != rec.state.end())
    status = TRY_CTX(network::statusFromJson(*it), "network status of {}", rec.id.substr(0, 12));
  // containers.conf [containers]: DNS defaults for containers that set none, the base hosts
  // file and host.containers.internal's address.
  Json conf_ctrs = Json::object();
  if (auto conf = config::loadContainersConf(config::HostEnv::current()); conf.ok()) {
    if (auto it = conf->find("containers"); it != conf->end() && it->is_object()) conf_ctrs = *it;
  } else if (conf.error().code() != Code::kNotFound) {
    LOG_WARN("containers.conf: {}", conf.error().what());
  }
  auto confStrings = [&](const char* key) {
    std::vector<std::string> out;
    if (auto it = conf_ctrs.find(key); it != conf_ctrs.end() && it->is_array())
      for (auto& v : *it)
        if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
  };
  auto confString = [&](const char* key) {
    auto it = conf_ctrs.find(key);
    return it != conf_ctrs.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  // /etc/hosts (podman's etchosts.New over the host's /etc/hosts, or base_hosts_file).
  network::HostsParams hp;
  hp.extra_hosts = spec.hostadd;
  std::string base_file = confString("base_hosts_file");
  if (base_file == "none") base_file.clear();
  else if (base_file.empty()) base_file = "/etc/hosts";
  auto base = base_file.empty() ? Result<std::string>(std::string()) : fs::readFile(base_file);
  if (!base.ok()) LOG_WARN("base_hosts_file {}: {}", base_file, base.error().what());
  hp.base = base.ok() ? *base : "";
  std::vector<std::string> names = {hostname, rec.name};
  std::string gateway4, gateway6;
  for (auto& [net, block] : status)
    for (auto& [ifname, iface] : block.interfaces)
      for (auto& a : iface.subnets) {
        hp.container_entries.push_back({a.ipnet.ip().str(), names});
        if (a.gateway) (a.gateway->isV4() ? gateway4 : gateway6) = a.gateway->str();
      }
  if (spec.netns.is(NamespaceMode::kNone)) hp.container_entries.push_back({"127.0.0.1", names});
  std::optional<SlirpOptions> slirp;
  if (spec.netns.is(NamespaceMode::kSlirp4netns)) {
    slirp = TRY(slirpOptions(spec));
    hp.container_entries.push_back({TRY(slirpContainerAddress(*slirp)), names});
  }
  hp.host_containers_internal_ip = confString("host_containers_internal_ip");
  // slirp4netns reaches the host through its outside addresses: podman names the first.
  if (hp.host_containers_internal_ip.empty() && slirp) hp.host_containers_internal_ip = firstHostAddress();
  if (hp.host_containers_internal_ip.empty()) hp.host_containers_internal_ip = !gateway4.empty() ? gateway4 : gateway6;
  for (auto& h : hp.extra_hosts)
    if (auto c = h.find(':'); c != std::string::npos && h.substr(c + 1) == "host-gateway")
      h = h.substr(0, c + 1) + hp.host_containers_internal_ip;
  TRY(write(p.run_dir + "/hosts", TRY(network::buildHosts(hp))));
  // /etc/resolv.conf (podman's generateResolvConf).
  network::ResolvParams rp;
  rp.host_netns = spec.netns.is(NamespaceMode::kHost);
  std::vector<std::string> net_servers, net_search;
  for (auto& [net, block] : status) {
    for (auto& ip : block.dns_server_ips) net_servers.push_back(ip.str());
    for (auto& d : block.dns_search_domains) net_search.push_back(d);
    for (auto& [ifname, iface] : block.interfaces)
      for (auto& a : iface.subnets) rp.ipv6 = rp.ipv6 || a.ipnet.isV6();
  }
  if (slirp) net_servers.insert(net_servers.begin(), TRY(slirpDnsAddress(*slirp)));  // its DNS forwarder
  rp.nameservers = spec.dns_server;
  if (rp.nameservers.empty()) rp.nameservers = confStrings("dns_servers");
  if (rp.nameservers.empty()) {
    rp.keep_host_servers = true;
    rp.nameservers = net_servers;
    rp.searches = net_search;
  }
  if (!spec.dns_search.empty()) rp.searches = spec.dns_search;
  else if (auto conf_search = confStrings("dns_searches"); !conf_search.empty()) rp.searches = conf_search;
  rp.options = spec.dns_option;
  if (rp.options.empty()) rp.options = confStrings("dns_options");
  // As podman: a container whose network is disabled (--network none) gets no resolv.conf.
  if (spec.netns.is(api::NamespaceMode::kNone)) return {};
  auto host_resolv = fs::readFile("/etc/resolv.conf");
  TRY(write(p.run_dir + "/resolv.conf", network::buildResolvConf(rp, host_resolv.ok() ? *host_resolv : "")));
  return {};
}

Json LocalContainerService::networkSettings(const state::ContainerRecord& rec, const api::SpecGenerator& spec) {
  auto p = paths(rec.id);
  Json ports = Json::object();
  for (auto& m : spec.portmappings) {
    uint16_t r = m.range == 0 ? 1 : m.range;
    for (auto& proto : splitProtocols(m.protocol)) {
      for (uint16_t i = 0; i < r; ++i) {
        Json& list = ports[fmt::format("{}/{}", m.container_port + i, proto)];
        if (!list.is_array()) list = Json::array();
        list.push_back(Json{{"HostIp", m.host_ip}, {"HostPort", std::to_string(m.host_port + i)}});
      }
    }
  }
  for (auto& [port, proto] : exposedPorts(spec, rec.config.value("image_config", Json::object()))) {
    std::string key = fmt::format("{}/{}", port, proto);
    if (!ports.contains(key)) ports[key] = nullptr;
  }
  auto basic = [](const network::StatusBlock* b) {
    Json c = {{"EndpointID", ""},         {"Gateway", ""},    {"IPAddress", ""},   {"IPPrefixLen", 0},
              {"IPv6Gateway", ""},        {"GlobalIPv6Address", ""}, {"GlobalIPv6PrefixLen", 0},
              {"MacAddress", ""}};
    if (!b) return c;
    Json secondary4 = Json::array(), secondary6 = Json::array(), macs = Json::array();
    for (auto& [ifname, iface] : b->interfaces) {  // sorted by name, as podman sorts them
      for (auto& a : iface.subnets) {
        std::string gw = a.gateway ? a.gateway->str() : "<nil>";
        if (a.ipnet.ip().isV4()) {
          if (c["IPAddress"] == "") {
            c["IPAddress"] = a.ipnet.ip().str();
            c["IPPrefixLen"] = a.ipnet.prefix();
            c["Gateway"] = gw;
          } else {
            secondary4.push_back(Json{{"Addr", a.ipnet.ip().str()}, {"PrefixLength", a.ipnet.prefix()}});
          }
        } else if (c["GlobalIPv6Address"] == "") {
          c["GlobalIPv6Address"] = a.ipnet.ip().str();
          c["GlobalIPv6PrefixLen"] = a.ipnet.prefix();
          c["IPv6Gateway"] = gw;
        } else {
          secondary6.push_back(Json{{"Addr", a.ipnet.ip().str()}, {"PrefixLength", a.ipnet.prefix()}});
        }
      }
      if (c["MacAddress"] == "") c["MacAddress"] = iface.mac_address;
      else macs.push_back(iface.mac_address);
    }
    if (!secondary4.empty()) c["SecondaryIPAddresses"] = secondary4;
    if (!secondary6.empty()) c["SecondaryIPv6Addresses"] = secondary6;
    if (!macs.empty()) c["AdditionalMACAddresses"] = macs;
    return c;
  };
  std::map<std::string, network::StatusBlock> status;
  bool have_status = false;
  if (auto it = rec.state.find("network_status"); it != rec.state.end()) {
    auto s = network::statusFromJson(*it);
    if (s.ok()) {
      status = std::move(*s);
      have_status = true;
    }
  }
  Json settings = basic(nullptr);
  settings["Bridge"] = "";
  settings["SandboxID"] = "";
  settings["HairpinMode"] = false;
  settings["LinkLocalIPv6Address"] = "";
  settings["LinkLocalIPv6PrefixLen"] = 0;
  settings["Ports"] = ports;
  settings["SandboxKey"] = have_status ? p.netns : "";
  if (usesNetavark(spec) && !spec.networks.empty()) {
    Json nets = Json::object();
    for (auto& [name, opts] : spec.networks) {
      auto it = status.find(name);
      Json n = basic(it == status.end() ? nullptr : &it->second);
      n["NetworkID"] = name;
      n["DriverOpts"] = nullptr;
      n["IPAMConfig"] = nullptr;
      n["Links"] = nullptr;
      Json aliases = Json::array();
      for (auto& a : opts.aliases) aliases.push_back(a);
      aliases.push_back(rec.id.substr(0, 12));
      n["Aliases"] = aliases;
      nets[name] = n;
    }
    settings["Networks"] = nets;
    const std::string& dflt = e_.networkStore().options().default_network;
    if (spec.networks.size() == 1 && spec.networks.count(dflt) && status.count(dflt)) {
      Json b = basic(&status[dflt]);
      for (auto& [k, v] : b.items()) settings[k] = v;
    }
  }
  return settings;
}

Result<LocalContainerService::LockedContainer> LocalContainerService::lockSynced(const std::string& name) {
  auto found = TRY(state::findContainer(e_.db(), name));
  auto lock = TRY(ContainerLock::take(e_.options().runroot, found.id));
  auto cur = TRY(state::getContainer(e_.db(), found.id));
  if (!cur) return makeError(Code::kNotFound, "no container with name or ID {:?} found: no such container", name);
  TRY(syncLocked(*cur));
  return LockedContainer{std::move(lock), std::move(*cur)};
}

Status LocalContainerService::networkConnect(const std::string& network, const std::string& name,
                                             const api::PerNetworkOptions& opts) {
  auto net = TRY(e_.networkStore().get(network));
  auto locked = TRY(lockSynced(name));
  state::ContainerRecord& rec = locked.rec;
  api::SpecGenerator spec = storedSpec(rec.config);
  if (!spec.netns.is(NamespaceMode::kBridge))
    return makeError(Code::kInvalidArgument, "network mode {:?} is not supported: network connect needs bridge mode",
                     api::namespaceModeName(spec.netns.nsmode));
  if (spec.networks.count(net.name))
    return makeError(Code::kConflict, "container {} is already connected to network {:?}: network is already connected",
                     rec.id, net.name);
  api::PerNetworkOptions o = opts;
  std::set<std::string> used;
  for (auto& [n, po] : spec.networks) used.insert(po.interface_name);
  if (o.interface_name.empty())
    for (int i = 0; o.interface_name.empty(); ++i)
      if (!used.count(fmt::format("eth{}", i))) o.interface_name = fmt::format("eth{}", i);
  TRY(perNetFromApi(o));  // checks the addresses
  spec.networks[net.name] = o;
  rec.config["spec"] = api::encodeSpecGenerator(spec);
  TRY(e_.db().transaction([&]() -> Status { return state::updateContainerConfig(e_.db(), rec.id, rec.config); }));
  std::string status = rec.state.value("status", "");
  if ((status != "running" && status != "paused") || !rec.state.contains("network_status")) return {};
  // Running: set up the new network alone in its namespace.
  api::SpecGenerator only = spec;
  only.networks = {{net.name, o}};
  auto req = TRY(networkRequest(rec, only));
  auto result = e_.networkStore().setup(req);
  if (!result.ok()) {
    spec.networks.erase(net.name);
    rec.config["spec"] = api::encodeSpecGenerator(spec);
    if (auto s = e_.db().transaction([&]() -> Status { return state::updateContainerConfig(e_.db(), rec.id, rec.config); });
        !s.ok())
      LOG_ERROR("undo network connect of {}: {}", rec.id.substr(0, 12), s.error().what());
    return std::move(result).error();
  }
  for (auto& [n, block] : *result) rec.state["network_status"][n] = network::toJson(block);
  TRY(saveState(rec));
  // Refresh /etc/hosts and /etc/resolv.conf in place (they are bind-mounted files).
  std::string hostname = spec.hostname.empty() ? rec.id.substr(0, 12) : spec.hostname;
  if (auto s = writeNetworkFiles(rec, spec, hostname, true); !s.ok()) LOG_WARN("{}", s.error().what());
  return {};
}

Status LocalContainerService::networkDisconnect(const std::string& network, const std::string& name, bool force) {
  auto locked = TRY(lockSynced(name));
  state::ContainerRecord& rec = locked.rec;
  api::SpecGenerator spec = storedSpec(rec.config);
  std::string net_name = network;
  if (auto net = e_.networkStore().get(network); net.ok()) net_name = net->name;
  auto it = spec.networks.find(net_name);
  if (!spec.netns.is(NamespaceMode::kBridge) || it == spec.networks.end())
    return makeError(Code::kNotFound, "container {} is not connected to network {}: network not found", rec.id, network);
  std::string status = rec.state.value("status", "");
  if ((status == "running" || status == "paused") && rec.state.contains("network_status")) {
    api::SpecGenerator only = spec;
    only.networks = {{it->first, it->second}};
    auto req = TRY(networkRequest(rec, only));
    if (auto s = e_.networkStore().teardown(req); !s.ok()) {
      if (!force) return s;
      LOG_WARN("{}", s.error().what());
    }
    rec.state["network_status"].erase(net_name);
  }
  spec.networks.erase(it);
  rec.config["spec"] = api::encodeSpecGenerator(spec);
  TRY(e_.db().transaction([&]() -> Status {
    TRY(state::updateContainerConfig(e_.db(), rec.id, rec.config));
    return state::updateContainerState(e_.db(), rec.id, rec.state);
  }));
  if (rec.state.contains("network_status")) {
    std::string hostname = spec.hostname.empty() ? rec.id.substr(0, 12) : spec.hostname;
    if (auto s = writeNetworkFiles(rec, spec, hostname, true); !s.ok()) LOG_WARN("{}", s.error().what());
  }
  return {};
}

Result<std::string> LocalContainerService::networkReload(const std::string& name) {
  auto locked = TRY(lockSynced(name));
  state::ContainerRecord& rec = locked.rec;
  std::string status = rec.state.value("status", "");
  if (status != "running" && status != "paused")
    return makeError(Code::kFailedPrecondition, "container {} is not running: container state improper", rec.id);
  api::SpecGenerator spec = storedSpec(rec.config);
  if (!usesNetavark(spec) || !rec.state.contains("network_status")) return rec.id;  // nothing of ours to reload
  std::map<std::string, network::StatusBlock> before =
      TRY_CTX(network::statusFromJson(rec.state["network_status"]), "network status of {}", rec.id.substr(0, 12));
  // The same addresses and MACs as before, as podman's reload asks for them.
  api::SpecGenerator again = spec;
  for (auto& [net, opts] : again.networks) {
    auto b = before.find(net);
    if (b == before.end()) continue;
    for (auto& [ifname, iface] : b->second.interfaces) {
      if (ifname != opts.interface_name) continue;
      opts.static_ips.clear();
      for (auto& a : iface.subnets) opts.static_ips.push_back(a.ipnet.ip().str());
      opts.static_mac = iface.mac_address;
    }
  }
  auto req = TRY(networkRequest(rec, again));
  if (auto s = e_.networkStore().teardown(req); !s.ok())
    LOG_DEBUG("network reload of {}: teardown: {}", rec.id.substr(0, 12), s.error().what());
  auto after = TRY_CTX(e_.networkStore().setup(req), "network reload of container {}", rec.id.substr(0, 12));
  Json j = Json::object();
  for (auto& [n, block] : after) j[n] = network::toJson(block);
  rec.state["network_status"] = j;
  TRY(saveState(rec));
  return rec.id;
}

}  // namespace berth::engine
