// Container shapes and the Docker create conversion.
#include "api/server/compat_containers.h"

#include <charconv>

#include "api/server/call.h"
#include "base/timefmt.h"
#include "specgen/specgen.h"

namespace berth::api::server {

namespace {

Error bad(std::string_view field, std::string_view why) {
  return makeError(Code::kInvalidArgument, "invalid {}: {}", field, why);
}

// "a,b,,c" -> {"a", "b", "c"}.
std::vector<std::string> splitList(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t c = s.find(sep, i);
    if (c == std::string_view::npos) c = s.size();
    if (c > i) out.emplace_back(s.substr(i, c - i));
    i = c + 1;
  }
  return out;
}

// The destinations something is already mounted on.
bool mountedAt(const SpecGenerator& s, const std::string& dest) {
  for (auto& m : s.mounts)
    if (m.destination == dest) return true;
  for (auto& v : s.volumes)
    if (v.dest == dest) return true;
  return false;
}

// Go's time.Duration in a Docker body: integer nanoseconds.
Status getDuration(const Json& obj, std::string_view field, std::string_view path, std::chrono::nanoseconds& out) {
  int64_t v = 0;
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return {};
  TRY_CTX(getInt(obj, field, v), "{}", path);
  out = std::chrono::nanoseconds(v);
  return {};
}

Result<uint16_t> parsePort(std::string_view s, std::string_view field) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > 65535) return bad(field, fmt::format("port {:?}", std::string(s)));
  return uint16_t(v);
}

// "80/tcp" -> (80, "tcp").
Result<std::pair<uint16_t, std::string>> parsePortProto(std::string_view key, std::string_view field) {
  auto slash = key.find('/');
  std::string proto = slash == std::string_view::npos ? "tcp" : std::string(key.substr(slash + 1));
  auto port = TRY(parsePort(key.substr(0, slash), field));
  if (proto != "tcp" && proto != "udp" && proto != "sctp") return bad(field, fmt::format("protocol {:?}", proto));
  return std::make_pair(port, proto);
}

Status applyNamespace(const std::string& mode, std::string_view field, Namespace& ns, bool network) {
  if (mode.empty() || mode == "default" || (network && mode == "bridge")) return {};
  if (mode == "host") ns.nsmode = NamespaceMode::kHost;
  else if (mode == "private") ns.nsmode = NamespaceMode::kPrivate;
  else if (mode == "shareable") ns.nsmode = NamespaceMode::kShareable;
  else if (mode == "none") ns.nsmode = NamespaceMode::kNone;
  else if (mode.rfind("container:", 0) == 0) {
    ns.nsmode = NamespaceMode::kContainer;
    ns.value = mode.substr(10);
  } else if (network) {
    return {};  // a network's name: the caller adds it to the networks
  } else {
    return bad(field, fmt::format("mode {:?}", mode));
  }
  return {};
}

// "src:dst[:opts]" of HostConfig.Binds.
Status addBind(const std::string& bind, SpecGenerator& s) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= bind.size()) {
    size_t c = bind.find(':', i);
    parts.push_back(bind.substr(i, c == std::string::npos ? std::string::npos : c - i));
    if (c == std::string::npos) break;
    i = c + 1;
  }
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
    return bad("HostConfig.Binds", fmt::format("{:?}: want SOURCE:TARGET[:OPTIONS]", bind));
  if (parts[1][0] != '/') return bad("HostConfig.Binds", fmt::format("{:?}: the target must be absolute", bind));
  if (parts[0][0] != '/') {  // a named volume, created on first use when missing
    if (parts[0][0] == '.') return bad("HostConfig.Binds", fmt::format("{:?}: a host path must be absolute", bind));
    NamedVolume v;
    v.name = parts[0];
    v.dest = parts[1];
    if (parts.size() == 3)
      for (auto& o : splitList(parts[2], ','))
        if (o != "z" && o != "Z") v.options.push_back(o);
    s.volumes.push_back(std::move(v));
    return {};
  }
  Mount m;
  m.type = "bind";
  m.source = parts[0];
  m.destination = parts[1];
  m.options = {"rbind"};
  if (parts.size() == 3) {
    size_t j = 0;
    const std::string& o = parts[2];
    while (j <= o.size()) {
      size_t c = o.find(',', j);
      std::string opt = o.substr(j, c == std::string::npos ? std::string::npos : c - j);
      if (!opt.empty()) m.options.push_back(opt == "Z" || opt == "z" ? "z" : opt);
      if (c == std::string::npos) break;
      j = c + 1;
    }
    std::erase(m.options, std::string("z"));
  }
  s.mounts.push_back(std::move(m));
  return {};
}

Status convertConfig(const Json& cfg, SpecGenerator& s, std::vector<std::string>& warnings) {
  TRY(getString(cfg, "Image", s.image));
  TRY_CTX(getStringOrStrings(cfg, "Cmd", s.command), "Config");
  TRY_CTX(getStringOrStrings(cfg, "Entrypoint", s.entrypoint), "Config");
  std::vector<std::string> env;
  TRY_CTX(getStrings(cfg, "Env", env), "Config");
  for (auto& e : env) {
    auto eq = e.find('=');
    if (eq == 0) return bad("Config.Env", fmt::format("{:?}", e));
    if (eq == std::string::npos) s.env[e] = "";
    else s.env[e.substr(0, eq)] = e.substr(eq + 1);
  }
  bool b = false;
  if (cfg.contains("Tty")) {
    TRY_CTX(getBool(cfg, "Tty", b), "Config");
    if (b) s.terminal = true;
  }
  b = false;
  if (cfg.contains("OpenStdin")) {
    TRY_CTX(getBool(cfg, "OpenStdin", b), "Config");
    if (b) s.stdin = true;
  }
  TRY_CTX(getString(cfg, "User", s.user), "Config");
  TRY_CTX(getString(cfg, "WorkingDir", s.work_dir), "Config");
  TRY_CTX(getString(cfg, "Hostname", s.hostname), "Config");
  TRY_CTX(getStringMap(cfg, "Labels", s.labels), "Config");
  std::string attach;
  for (auto [field, stream] : {std::pair{"AttachStdin", "stdin"}, {"AttachStdout", "stdout"}, {"AttachStderr", "stderr"}}) {
    bool on = false;
    TRY_CTX(getBool(cfg, field, on), "Config");
    if (on) attach += (attach.empty() ? "" : ",") + std::string(stream);
  }
  if (!attach.empty()) s.annotations[std::string(kDockerAttachAnnotation)] = attach;
  std::string sig;
  TRY_CTX(getString(cfg, "StopSignal", sig), "Config");
  if (!sig.empty()) {
    auto n = specgen::parseSignal(sig);
    if (!n.ok()) return bad("Config.StopSignal", n.error().message());
    s.stop_signal = *n;
  }
  if (cfg.contains("StopTimeout") && !cfg["StopTimeout"].is_null()) {
    int64_t t = 0;
    TRY_CTX(getInt(cfg, "StopTimeout", t), "Config");
    if (t >= 0) s.stop_timeout = uint64_t(t);
  }
  auto exposed = TRY_CTX(getObject(cfg, "ExposedPorts"), "Config");
  if (exposed)
    for (auto& [k, v] : exposed->items()) {
      auto [port, proto] = TRY(parsePortProto(k, "Config.ExposedPorts"));
      auto& cur = s.expose[port];
      cur = cur.empty() ? proto : (cur.find(proto) == std::string::npos ? cur + "," + proto : cur);
    }
  auto hc = TRY_CTX(getObject(cfg, "Healthcheck"), "Config");
  if (hc) {
    Schema2HealthConfig h;
    TRY_CTX(getStrings(*hc, "Test", h.test), "Config.Healthcheck");
    TRY(getDuration(*hc, "Interval", "Config.Healthcheck", h.interval));
    TRY(getDuration(*hc, "Timeout", "Config.Healthcheck", h.timeout));
    TRY(getDuration(*hc, "StartPeriod", "Config.Healthcheck", h.start_period));
    TRY_CTX(getInt(*hc, "Retries", h.retries), "Config.Healthcheck");
    if (!h.test.empty()) s.healthconfig = h;
  }
  (void)warnings;
  return {};
}

Status convertHostConfig(const Json& hc, SpecGenerator& s, std::vector<std::string>& warnings) {
  std::vector<std::string> binds;
  TRY_CTX(getStrings(hc, "Binds", binds), "HostConfig");
  for (auto& bnd : binds) TRY(addBind(bnd, s));
  TRY_CTX(getStrings(hc, "VolumesFrom", s.volumes_from), "HostConfig");
  bool b = false;
  TRY_CTX(getBool(hc, "AutoRemove", b), "HostConfig");
  if (b) s.remove = true;
  b = false;
  TRY_CTX(getBool(hc, "Privileged", b), "HostConfig");
  if (b) s.privileged = true;
  b = false;
  TRY_CTX(getBool(hc, "ReadonlyRootfs", b), "HostConfig");
  if (b) s.read_only_filesystem = true;
  if (hc.contains("Init") && hc["Init"].is_boolean() && hc["Init"].get<bool>()) s.init = true;
  else if (hc.contains("Init") && !hc["Init"].is_null() && !hc["Init"].is_boolean())
    return bad("HostConfig.Init", "want a boolean");
  TRY_CTX(getStrings(hc, "CapAdd", s.cap_add), "HostConfig");
  TRY_CTX(getStrings(hc, "CapDrop", s.cap_drop), "HostConfig");
  int64_t shm = 0;
  TRY_CTX(getInt(hc, "ShmSize", shm), "HostConfig");
  if (shm > 0) s.shm_size = shm;
  auto rp = TRY_CTX(getObject(hc, "RestartPolicy"), "HostConfig");
  if (rp) {
    std::string name;
    TRY_CTX(getString(*rp, "Name", name), "HostConfig.RestartPolicy");
    int64_t tries = 0;
    TRY_CTX(getInt(*rp, "MaximumRetryCount", tries), "HostConfig.RestartPolicy");
    if (!name.empty() && name != "no") {
      if (name != "always" && name != "on-failure" && name != "unless-stopped")
        return bad("HostConfig.RestartPolicy.Name", fmt::format("{:?}", name));
      s.restart_policy = name;
      if (name == "on-failure" && tries > 0) s.restart_tries = uint64_t(tries);
    }
  }
  auto lc = TRY_CTX(getObject(hc, "LogConfig"), "HostConfig");
  if (lc) {
    LogConfig l;
    TRY_CTX(getString(*lc, "Type", l.driver), "HostConfig.LogConfig");
    TRY_CTX(getStringMap(*lc, "Config", l.options), "HostConfig.LogConfig");
    if (l.driver == "json-file") l.driver = "k8s-file";  // what podman writes for it
    if (!l.driver.empty() || !l.options.empty()) s.log_configuration = l;
  }
  std::string mode;
  TRY_CTX(getString(hc, "NetworkMode", mode), "HostConfig");
  TRY(applyNamespace(mode, "HostConfig.NetworkMode", s.netns, true));
  for (auto [key, ns] : {std::pair<const char*, Namespace*>{"PidMode", &s.pidns}, {"IpcMode", &s.ipcns},
                         {"UTSMode", &s.utsns}, {"UsernsMode", &s.userns}, {"CgroupnsMode", &s.cgroupns}}) {
    std::string m;
    TRY_CTX(getString(hc, key, m), "HostConfig");
    TRY(applyNamespace(m, std::string("HostConfig.") + key, *ns, false));
  }
  auto pb = TRY_CTX(getObject(hc, "PortBindings"), "HostConfig");
  if (pb)
    for (auto& [k, v] : pb->items()) {
      auto [port, proto] = TRY(parsePortProto(k, "HostConfig.PortBindings"));
      if (v.is_null()) continue;
      if (!v.is_array()) return bad("HostConfig.PortBindings", "want a list of bindings");
      for (auto& binding : v) {
        if (!binding.is_object()) return bad("HostConfig.PortBindings", "want a list of bindings");
        PortMapping pm;
        pm.container_port = port;
        pm.protocol = proto;
        TRY_CTX(getString(binding, "HostIp", pm.host_ip), "HostConfig.PortBindings");
        std::string hp;
        TRY_CTX(getString(binding, "HostPort", hp), "HostConfig.PortBindings");
        if (!hp.empty()) pm.host_port = TRY(parsePort(hp, "HostConfig.PortBindings"));
        s.portmappings.push_back(pm);
      }
    }
  TRY_CTX(getStrings(hc, "Dns", s.dns_server), "HostConfig");
  TRY_CTX(getStrings(hc, "DnsSearch", s.dns_search), "HostConfig");
  TRY_CTX(getStrings(hc, "DnsOptions", s.dns_option), "HostConfig");
  std::vector<std::string> hosts;
  TRY_CTX(getStrings(hc, "ExtraHosts", hosts), "HostConfig");
  for (auto& h : hosts) s.hostadd.push_back(h);
  TRY_CTX(getStringMap(hc, "Sysctls", s.sysctl), "HostConfig");
  std::map<std::string, std::string> tmpfs;
  TRY_CTX(getStringMap(hc, "Tmpfs", tmpfs), "HostConfig");
  for (auto& [dst, opts] : tmpfs) {
    Mount m;
    m.type = "tmpfs";
    m.source = "tmpfs";
    m.destination = dst;
    size_t j = 0;
    while (j < opts.size()) {
      size_t c = opts.find(',', j);
      std::string o = opts.substr(j, c == std::string::npos ? std::string::npos : c - j);
      if (!o.empty()) m.options.push_back(o);
      if (c == std::string::npos) break;
      j = c + 1;
    }
    s.mounts.push_back(std::move(m));
  }
  if (auto it = hc.find("Mounts"); it != hc.end() && !it->is_null()) {
    if (!it->is_array()) return bad("HostConfig.Mounts", "want a list");
    for (auto& mj : *it) {
      if (!mj.is_object()) return bad("HostConfig.Mounts", "want a list of objects");
      std::string type, src, dst;
      bool ro = false;
      TRY_CTX(getString(mj, "Type", type), "HostConfig.Mounts");
      TRY_CTX(getString(mj, "Source", src), "HostConfig.Mounts");
      TRY_CTX(getString(mj, "Target", dst), "HostConfig.Mounts");
      TRY_CTX(getBool(mj, "ReadOnly", ro), "HostConfig.Mounts");
      if (dst.empty() || dst[0] != '/') return bad("HostConfig.Mounts", "Target must be an absolute path");
      Mount m;
      m.destination = dst;
      if (type == "bind") {
        if (src.empty() || src[0] != '/') return bad("HostConfig.Mounts", "a bind Source must be an absolute path");
        m.type = "bind";
        m.source = src;
        m.options = {"rbind"};
      } else if (type == "tmpfs") {
        m.type = "tmpfs";
        m.source = "tmpfs";
      } else if (type == "volume") {  // Source "" is an anonymous volume
        NamedVolume v;
        v.name = src;
        v.dest = dst;
        v.is_anonymous = src.empty();
        if (ro) v.options.push_back("ro");
        s.volumes.push_back(std::move(v));
        continue;
      } else {
        return makeError(Code::kInvalidArgument, "invalid HostConfig.Mounts: mount type {:?} is not supported yet", type);
      }
      if (ro) m.options.push_back("ro");
      s.mounts.push_back(std::move(m));
    }
  }
  if (auto it = hc.find("Ulimits"); it != hc.end() && !it->is_null()) {
    if (!it->is_array()) return bad("HostConfig.Ulimits", "want a list");
    for (auto& u : *it) {
      if (!u.is_object()) return bad("HostConfig.Ulimits", "want a list of objects");
      POSIXRlimit r;
      std::string name;
      int64_t soft = 0, hard = 0;
      TRY_CTX(getString(u, "Name", name), "HostConfig.Ulimits");
      TRY_CTX(getInt(u, "Soft", soft), "HostConfig.Ulimits");
      TRY_CTX(getInt(u, "Hard", hard), "HostConfig.Ulimits");
      if (name.empty() || soft < 0 || hard < 0) return bad("HostConfig.Ulimits", "want Name, Soft and Hard");
      r.type = name.rfind("RLIMIT_", 0) == 0 ? name : "RLIMIT_" + [&] {
        std::string up = name;
        for (auto& ch : up) ch = char(std::toupper(static_cast<unsigned char>(ch)));
        return up;
      }();
      r.soft = uint64_t(soft);
      r.hard = uint64_t(hard);
      s.r_limits.push_back(r);
    }
  }
  // Resources.
  auto r = TRY_CTX(dockerResources(hc), "HostConfig");
  if (r.pids && r.pids->limit < 0) r.pids.reset();  // unlimited: no limit to set
  if (r != LinuxResources{}) s.resource_limits = r;
  (void)warnings;
  return {};
}

std::string humanDuration(int64_t secs) {
  // Docker's units.HumanDuration.
  if (secs < 1) return "Less than a second";
  if (secs == 1) return "1 second";
  if (secs < 60) return fmt::format("{} seconds", secs);
  int64_t mins = secs / 60;
  if (mins == 1) return "About a minute";
  if (mins < 60) return fmt::format("{} minutes", mins);
  int64_t hours = (secs + 1800) / 3600;
  if (hours == 1) return "About an hour";
  if (hours < 48) return fmt::format("{} hours", hours);
  if (hours < 24 * 7 * 2) return fmt::format("{} days", hours / 24);
  if (hours < 24 * 30 * 2) return fmt::format("{} weeks", hours / 24 / 7);
  if (hours < 24 * 365 * 2) return fmt::format("{} months", hours / 24 / 30);
  return fmt::format("{} years", hours / 24 / 365);
}

std::string joinCommand(const std::vector<std::string>& c) {
  std::string out;
  for (auto& a : c) {
    if (!out.empty()) out += ' ';
    out += a;
  }
  return out;
}

// HostConfig.NetworkMode and NetworkingConfig.EndpointsConfig, as podman's compat create:
// "", "default" and "bridge" are the default network, host/none/container:ID namespaces,
// any other mode a network's name; in bridge mode every endpoint is a network joined with
// its aliases and addresses. Docker's CLI sends the mode's own name as the one endpoint
// (e.g. {"host": {}}): that is no network.
Status convertNetworks(const Json& body, SpecGenerator& s, std::vector<std::string>& warnings) {
  std::string mode;
  if (auto hc = TRY(getObject(body, "HostConfig"))) TRY_CTX(getString(*hc, "NetworkMode", mode), "HostConfig");
  const Json* eps = nullptr;
  if (auto nc = TRY(getObject(body, "NetworkingConfig"))) eps = TRY_CTX(getObject(*nc, "EndpointsConfig"), "NetworkingConfig");
  auto dockerName = [](const std::string& n) { return n == "bridge" || n == "default" ? std::string("default") : n; };
  bool named = !mode.empty() && mode != "default" && mode != "bridge";
  if (!s.netns.isDefault()) {  // host, none, container:ID, ...
    if (eps)
      for (auto& [net, cfg] : eps->items())
        if (net != mode && net != s.netns.value && net != "default" && net != "bridge") {
          warnings.push_back(fmt::format("NetworkingConfig ignored: network mode {:?} joins no network", mode));
          break;
        }
    return {};
  }
  if (eps)
    for (auto& [net, cfg] : eps->items()) {
      if (net.empty()) return bad("NetworkingConfig.EndpointsConfig", "empty network name");
      PerNetworkOptions o;
      if (!cfg.is_null()) o = TRY(perNetworkFromDockerEndpoint(cfg, fmt::format("NetworkingConfig.EndpointsConfig.{}", net)));
      s.networks[dockerName(net)] = std::move(o);
    }
  if (named && !s.networks.count(mode)) s.networks[mode] = {};
  if (!s.networks.empty()) s.netns.nsmode = NamespaceMode::kBridge;
  return {};
}

}  // namespace

Result<SpecGenerator> specFromDockerCreate(const Json& body, const std::string& name,
                                           std::vector<std::string>& warnings) {
  if (!body.is_object()) return makeError(Code::kInvalidArgument, "decode request body: want a JSON object");
  SpecGenerator s;
  s.name = name;
  // The body is Config with HostConfig and NetworkingConfig beside its fields.
  TRY(convertConfig(body, s, warnings));
  auto hc = TRY(getObject(body, "HostConfig"));
  if (hc) TRY(convertHostConfig(*hc, s, warnings));
  if (s.image.empty()) return makeError(Code::kInvalidArgument, "no image specified: Config.Image is required");
  TRY(convertNetworks(body, s, warnings));
  // Config.Volumes: anonymous volumes, unless Binds or Mounts put something there (compose
  // lists its named volumes' targets in both).
  if (auto vols = TRY_CTX(getObject(body, "Volumes"), "Config")) {
    for (auto& [dest, unused] : vols->items()) {
      std::string d = dest;
      while (d.size() > 1 && d.back() == '/') d.pop_back();
      if (d.empty() || d[0] != '/') return bad("Config.Volumes", fmt::format("{:?}: want an absolute path", dest));
      if (mountedAt(s, d)) continue;
      NamedVolume v;
      v.dest = d;
      v.is_anonymous = true;
      s.volumes.push_back(std::move(v));
    }
  }
  return s;
}

Result<PerNetworkOptions> perNetworkFromDockerEndpoint(const Json& ep, std::string_view field) {
  PerNetworkOptions o;
  if (!ep.is_object()) return bad(field, "want an object");
  TRY_CTX(getStrings(ep, "Aliases", o.aliases), "{}", field);
  std::string ip;
  TRY_CTX(getString(ep, "IPAddress", ip), "{}", field);
  if (!ip.empty()) o.static_ips.push_back(ip);
  if (const Json* ipam = TRY_CTX(getObject(ep, "IPAMConfig"), "{}", field)) {
    for (const char* k : {"IPv4Address", "IPv6Address"}) {
      std::string a;
      TRY_CTX(getString(*ipam, k, a), "{}.IPAMConfig", field);
      if (!a.empty()) o.static_ips.push_back(a);
    }
  }
  TRY_CTX(getString(ep, "MacAddress", o.static_mac), "{}", field);
  return o;
}

std::string dockerState(std::string_view st) {
  if (st == "configured" || st == "created") return "created";
  if (st == "stopped" || st == "exited") return "exited";
  if (st == "stopping") return "running";
  return std::string(st);
}

std::string dockerStatusText(const ContainerSummary& s, int64_t now_ns) {
  switch (s.status) {
    case ContainerStatus::kRunning:
    case ContainerStatus::kStopping:
      return "Up " + humanDuration((now_ns - s.started_at) / 1000000000);
    case ContainerStatus::kPaused:
      return "Up " + humanDuration((now_ns - s.started_at) / 1000000000) + " (Paused)";
    case ContainerStatus::kExited:
    case ContainerStatus::kStopped:
      return fmt::format("Exited ({}) {} ago", s.exit_code, humanDuration((now_ns - s.exited_at) / 1000000000));
    case ContainerStatus::kRemoving:
      return "Removal In Progress";
    default:
      return "Created";
  }
}

namespace {

// An object built field by field with keys known to be unique, in order: no ordered_map
// lookup per key and no copies of the fields as the object grows (the lists' hot path).
class ObjectBuilder {
 public:
  explicit ObjectBuilder(size_t fields) : j_(Json::object()) { j_.get_ptr<Json::object_t*>()->reserve(fields); }
  ObjectBuilder& add(const char* key, Json v) {
    j_.get_ptr<Json::object_t*>()->emplace_back(key, std::move(v));
    return *this;
  }
  Json take() { return std::move(j_); }

 private:
  Json j_;
};

}  // namespace

Json libpodContainerSummary(const ContainerSummary& s, int64_t now_ns) {
  constexpr int64_t kGoZeroTime = -62135596800;
  ObjectBuilder b(26);
  b.add("AutoRemove", s.auto_remove)
      .add("Command", s.command.empty() ? Json(nullptr) : Json(s.command))
      .add("Created", formatRfc3339Nano(s.created))
      .add("CreatedAt", "")
      .add("Exited", s.exited)
      .add("ExitedAt", s.exited_at ? s.exited_at / 1000000000 : kGoZeroTime)
      .add("ExitCode", s.exit_code)
      .add("Id", s.id)
      .add("Image", s.image)
      .add("ImageID", s.image_id)
      .add("IsInfra", s.is_infra)
      .add("Labels", s.labels.empty() ? Json(nullptr) : Json(s.labels))
      .add("Mounts", Json::array())
      .add("Names", s.names)
      .add("Namespaces", Json::object())
      .add("Networks", Json::array())
      .add("Pid", s.pid)
      .add("Pod", s.pod)
      .add("PodName", s.pod_name)
      .add("Ports", nullptr)
      .add("Restarts", s.restarts)
      .add("Size", s.size_rw >= 0 ? Json{{"rwSize", s.size_rw}, {"rootFsSize", s.size_root_fs}} : Json(nullptr))
      .add("StartedAt", s.started_at ? s.started_at / 1000000000 : kGoZeroTime)
      .add("State", std::string(statusName(s.status)))
      .add("Status", "");
  return b.take();
}

Json dockerContainerSummary(const ContainerSummary& s, int64_t now_ns, const std::string& default_network) {
  Json names = Json::array();
  for (auto& n : s.names) names.push_back("/" + n);
  // The networks by name (the default one is Docker's "bridge"); their addresses are in
  // inspect only.
  Json nets = Json::object();
  for (auto& n : s.networks) nets[n == default_network ? std::string("bridge") : n] = Json{{"NetworkID", ""}};
  std::string mode = "default";
  if (s.networks.size() == 1 && s.networks[0] != default_network) mode = s.networks[0];
  ObjectBuilder b(15);
  b.add("Id", s.id)
      .add("Names", std::move(names))
      .add("Image", s.image)
      .add("ImageID", s.image_id.rfind("sha256:", 0) == 0 ? s.image_id : "sha256:" + s.image_id)
      .add("Command", joinCommand(s.command))
      .add("Created", s.created / 1000000000)
      .add("Ports", Json::array());
  if (s.size_rw >= 0) b.add("SizeRw", s.size_rw).add("SizeRootFs", s.size_root_fs);
  b.add("Labels", s.labels.empty() ? Json::object() : Json(s.labels))
      .add("State", dockerState(statusName(s.status)))
      .add("Status", dockerStatusText(s, now_ns))
      .add("HostConfig", {{"NetworkMode", mode}})
      .add("NetworkSettings", {{"Networks", std::move(nets)}})
      .add("Mounts", Json::array());
  return b.take();
}

Json dockerContainerInspect(const Json& p) {
  Json j = Json::object();
  auto copy = [&](const char* k) {
    if (p.contains(k)) j[k] = p[k];
  };
  copy("Id");
  copy("Created");
  copy("Path");
  copy("Args");
  Json state = p.value("State", Json::object());
  if (state.is_object()) {
    std::string st = state.value("Status", "");
    state["Status"] = dockerState(st);
    Json out = Json::object();
    for (auto k : {"Status", "Running", "Paused", "Restarting", "OOMKilled", "Dead", "Pid", "ExitCode", "Error",
                   "StartedAt", "FinishedAt"})
      if (state.contains(k)) out[k] = state[k];
    j["State"] = out;
  }
  std::string image = p.value("Image", "");
  j["Image"] = image.empty() || image.rfind("sha256:", 0) == 0 ? image : "sha256:" + image;
  copy("ResolvConfPath");
  copy("HostnamePath");
  copy("HostsPath");
  j["LogPath"] = "";
  std::string name = p.value("Name", "");
  j["Name"] = "/" + name;
  copy("RestartCount");
  copy("Driver");
  j["Platform"] = "linux";
  copy("MountLabel");
  copy("ProcessLabel");
  copy("AppArmorProfile");
  j["ExecIDs"] = p.contains("ExecIDs") && p["ExecIDs"].is_array() && !p["ExecIDs"].empty() ? p["ExecIDs"] : Json(nullptr);
  Json hc = p.value("HostConfig", Json::object());
  if (hc.is_object() && hc.contains("LogConfig") && hc["LogConfig"].is_object()) {
    std::string t = hc["LogConfig"].value("Type", "");
    if (t == "k8s-file" || t.empty()) t = "json-file";
    hc["LogConfig"] = {{"Type", t}, {"Config", hc["LogConfig"].value("Config", Json(nullptr))}};
    if (hc["LogConfig"]["Config"].is_null()) hc["LogConfig"]["Config"] = Json::object();
  }
  if (hc.is_object()) {
    Json rp = hc.value("RestartPolicy", Json::object());
    if (rp.is_object() && rp.value("Name", "") == "") rp["Name"] = "no";
    hc["RestartPolicy"] = rp;
    hc.erase("CgroupManager");
    hc.erase("CgroupMode");
    if (hc.value("NetworkMode", "") == "bridge" || hc.value("NetworkMode", "") == "") hc["NetworkMode"] = "default";
  }
  j["HostConfig"] = hc;
  copy("GraphDriver");
  if (p.contains("SizeRw")) j["SizeRw"] = p["SizeRw"];
  if (p.contains("SizeRootFs")) j["SizeRootFs"] = p["SizeRootFs"];
  Json mounts = Json::array();
  if (p.contains("Mounts") && p["Mounts"].is_array())
    for (auto& m : p["Mounts"]) {
      Json d = {{"Type", m.value("Type", "bind")},
                {"Source", m.value("Source", "")},
                {"Destination", m.value("Destination", "")},
                {"Mode", m.value("Mode", "")},
                {"RW", m.value("RW", true)},
                {"Propagation", m.value("Propagation", "")}};
      // Docker's MountPoint names a volume and its driver (omitempty); compose reuses a
      // replaced container's volumes by these names.
      for (const char* k : {"Name", "Driver"})
        if (std::string v = m.value(k, ""); !v.empty()) d[k] = v;
      mounts.push_back(std::move(d));
    }
  j["Mounts"] = mounts;
  Json cfg = p.value("Config", Json::object());
  if (cfg.is_object()) {
    Json out = Json::object();
    for (auto k : {"Hostname", "Domainname", "User", "AttachStdin", "AttachStdout", "AttachStderr", "ExposedPorts",
                   "Tty", "OpenStdin", "StdinOnce", "Env", "Cmd", "Healthcheck", "Image", "Volumes", "WorkingDir",
                   "Entrypoint", "OnBuild", "Labels"})
      if (cfg.contains(k)) out[k] = cfg[k];
    if (out.contains("Entrypoint") && out["Entrypoint"].is_string()) {
      std::string e = out["Entrypoint"].get<std::string>();
      out["Entrypoint"] = e.empty() ? Json(nullptr) : Json::array({e});
    }
    if (cfg.contains("StopSignal")) {
      auto& sg = cfg["StopSignal"];
      out["StopSignal"] = sg.is_number() ? Json(fmt::format("{}", sg.get<int>())) : sg;
    }
    if (cfg.contains("StopTimeout")) out["StopTimeout"] = cfg["StopTimeout"];
    std::string attach;
    if (auto a = cfg.find("Annotations"); a != cfg.end() && a->is_object())
      attach = a->value(std::string(kDockerAttachAnnotation), "");
    for (auto [field, stream] : {std::pair{"AttachStdin", "stdin"}, {"AttachStdout", "stdout"}, {"AttachStderr", "stderr"}})
      out[field] = ("," + attach + ",").find("," + std::string(stream) + ",") != std::string::npos;
    j["Config"] = out;
  }
  Json ns = p.value("NetworkSettings", Json::object());
  if (ns.is_object() && !ns.contains("Networks")) ns["Networks"] = Json::object();
  j["NetworkSettings"] = ns;
  return j;
}

Result<LinuxResources> dockerResources(const Json& obj) {
  int64_t shares = 0, period = 0, quota = 0, rt_period = 0, rt_runtime = 0, nano = 0, memory = 0, swap = 0,
          reservation = 0, blkio = 0, pids = 0;
  std::string cpus, mems;
  TRY(getInt(obj, "CpuShares", shares));
  TRY(getInt(obj, "CpuPeriod", period));
  TRY(getInt(obj, "CpuQuota", quota));
  TRY(getInt(obj, "CpuRealtimePeriod", rt_period));
  TRY(getInt(obj, "CpuRealtimeRuntime", rt_runtime));
  TRY(getInt(obj, "NanoCpus", nano));
  TRY(getInt(obj, "Memory", memory));
  TRY(getInt(obj, "MemorySwap", swap));
  TRY(getInt(obj, "MemoryReservation", reservation));
  TRY(getInt(obj, "BlkioWeight", blkio));
  TRY(getInt(obj, "PidsLimit", pids));
  TRY(getString(obj, "CpusetCpus", cpus));
  TRY(getString(obj, "CpusetMems", mems));
  for (auto [field, v] : {std::pair<const char*, int64_t>{"Memory", memory}, {"MemoryReservation", reservation},
                          {"NanoCpus", nano}, {"CpuShares", shares}, {"CpuPeriod", period}})
    if (v < 0) return bad(field, "resource limits must not be negative");
  if (nano && (period || quota))
    return makeError(Code::kInvalidArgument, "conflicting options: NanoCPUs and CPUPeriod/CPUQuota cannot both be set");
  if (blkio && (blkio < 10 || blkio > 1000))
    return makeError(Code::kInvalidArgument, "invalid BlkioWeight {}: the range is 10 to 1000", blkio);
  LinuxResources res;
  if (shares || period || quota || rt_period || rt_runtime || nano || !cpus.empty() || !mems.empty()) {
    auto& cpu = res.cpu.emplace();
    if (shares) cpu.shares = uint64_t(shares);
    if (nano) {
      cpu.period = 100000;
      cpu.quota = nano / 10000;
    }
    if (period) cpu.period = uint64_t(period);
    if (quota) cpu.quota = quota;
    if (rt_period) cpu.realtime_period = uint64_t(rt_period);
    if (rt_runtime) cpu.realtime_runtime = rt_runtime;
    cpu.cpus = cpus;
    cpu.mems = mems;
  }
  if (memory || swap || reservation) {
    auto& m = res.memory.emplace();
    if (memory) m.limit = memory;
    if (swap) m.swap = swap;
    if (reservation) m.reservation = reservation;
  }
  if (pids) res.pids.emplace().limit = pids;
  if (blkio) res.block_io.emplace().weight = uint16_t(blkio);
  return res;
}

}  // namespace berth::api::server
