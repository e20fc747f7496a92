// Network definitions on disk, IPAM and netavark calls.
#include "network/store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "base/fs.h"
#include "base/log.h"
#include "base/scope_exit.h"
#include "base/timefmt.h"
#include "network/ipam.h"
#include "network/lock.h"
#include "network/netavark.h"

namespace berth::network {

namespace {

constexpr size_t kMaxConfigFile = 1 << 20;

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Reads a network file: a regular file of bounded size, not followed through a symlink.
Result<std::string> readConfigFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!fd) return errnoError("open {}", path);
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) return errnoError("stat {}", path);
  if (!S_ISREG(st.st_mode)) return makeError(Code::kInvalidArgument, "{} is not a regular file", path);
  if (static_cast<size_t>(st.st_size) > kMaxConfigFile)
    return makeError(Code::kInvalidArgument, "{} is larger than {} bytes", path, kMaxConfigFile);
  return fs::readAll(fd.get());
}

}  // namespace

Status Store::ensureDirs() {
  TRY_CTX(fs::mkdirAll(o_.config_dir, 0755), "create network config directory");
  TRY_CTX(fs::mkdirAll(o_.run_dir, 0700), "create network run directory");
  return {};
}

Network Store::defaultNetwork() const {
  Network n;
  n.name = o_.default_network;
  n.id = std::string(kDefaultNetworkId);
  n.driver = std::string(kDriverBridge);
  n.network_interface = o_.default_interface;
  auto subnet = Cidr::parse(o_.default_subnet);
  if (subnet.ok()) n.subnets.push_back(Subnet{*subnet, std::nullopt, std::nullopt});
  CreateContext ctx;
  ctx.is_default = true;
  ctx.now = nowNanos();
  auto full = completeNetwork(n, ctx);
  if (!full.ok()) {
    LOG_WARN("default network {}: {}", o_.default_network, full.error().what());
    n.created = ctx.now;
    return n;
  }
  return *full;
}

Result<std::vector<Network>> Store::loadLocked() {
  std::vector<Network> nets;
  auto names = fs::listDir(o_.config_dir);
  if (!names.ok() && names.error().code() != Code::kNotFound)
    return std::move(names).error().context("list network config directory");
  if (names.ok()) {
    std::sort(names->begin(), names->end());
    for (auto& file : *names) {
      if (!endsWith(file, ".json")) continue;
      std::string path = o_.config_dir + "/" + file;
      auto text = readConfigFile(path);
      if (!text.ok()) {
        if (text.error().code() != Code::kNotFound)
          LOG_WARN("Error loading network config file {:?}: {}", path, text.error().what());
        continue;
      }
      auto j = parseJson(*text, path);
      if (!j.ok()) {
        LOG_WARN("Error reading network config file {:?}: {}", path, j.error().what());
        continue;
      }
      auto n = networkFromJson(*j);
      if (!n.ok()) {
        LOG_WARN("Error reading network config file {:?}: {}", path, n.error().what());
        continue;
      }
      if (n->name + ".json" != file) {
        LOG_WARN("Network config name {:?} does not match file name {:?}, skipping", n->name, file);
        continue;
      }
      if (!validName(n->name)) {
        LOG_WARN("Network config {:?} has invalid name: {:?}, skipping", path, n->name);
        continue;
      }
      if (auto s = normalizeLoaded(*n); !s.ok()) {
        LOG_WARN("Network config {:?} could not be parsed, skipping: {}", path, s.error().what());
        continue;
      }
      nets.push_back(std::move(*n));
    }
  }
  if (std::none_of(nets.begin(), nets.end(), [&](auto& n) { return n.name == o_.default_network; }))
    nets.push_back(defaultNetwork());
  std::sort(nets.begin(), nets.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return nets;
}

Result<Network> Store::findIn(const std::vector<Network>& nets, const std::string& name_or_id) {
  for (auto& n : nets)
    if (n.name == name_or_id) return n;
  const Network* found = nullptr;
  if (!name_or_id.empty())
    for (auto& n : nets)
      if (n.id.compare(0, name_or_id.size(), name_or_id) == 0) {
        if (found)
          return makeError(Code::kInvalidArgument, "more than one result for network ID {}", name_or_id);
        found = &n;
      }
  if (found) return *found;
  return makeError(Code::kNotFound, "unable to find network with name or ID {}: network not found", name_or_id);
}

Result<std::vector<Network>> Store::list() { return loadLocked(); }

Result<Network> Store::get(const std::string& name_or_id) { return findIn(TRY(loadLocked()), name_or_id); }

Result<Network> Store::create(Network partial) {
  TRY(ensureDirs());
  auto lock = TRY(FileLock::exclusive(o_.run_dir + "/networks.lock"));
  CreateContext ctx;
  ctx.existing = TRY(loadLocked());
  ctx.host = TRY(readHostNetInfo());
  ctx.pools = o_.pools;
  ctx.now = nowNanos();
  for (int i = 0; i < 1000; ++i) {
    ctx.id = randomNetworkId();
    if (!findIn(ctx.existing, ctx.id).ok()) break;
  }
  Network n = TRY(completeNetwork(std::move(partial), ctx));
  TRY_CTX(fs::writeFileAtomic(o_.config_dir + "/" + n.name + ".json", toJson(n).dump(5) + "\n", 0644),
          "write network {}", n.name);
  return n;
}

Status Store::remove(const std::string& name_or_id) {
  TRY(ensureDirs());
  auto lock = TRY(FileLock::exclusive(o_.run_dir + "/networks.lock"));
  Network n = TRY(findIn(TRY(loadLocked()), name_or_id));
  if (n.name == o_.default_network)
    return makeError(Code::kFailedPrecondition, "default network {} cannot be removed", n.name);
  std::string path = o_.config_dir + "/" + n.name + ".json";
  if (::unlink(path.c_str()) < 0 && errno != ENOENT) return errnoError("remove network {}", n.name);
  TRY(fs::fsyncDir(o_.config_dir));
  return {};
}

Result<std::map<std::string, StatusBlock>> Store::setup(SetupRequest req) {
  if (req.netns_path.empty()) return makeError(Code::kInvalidArgument, "network setup: namespace path is empty");
  if (req.container_id.empty()) return makeError(Code::kInvalidArgument, "network setup: container ID is empty");
  if (req.networks.empty()) return makeError(Code::kInvalidArgument, "must specify at least one network");
  TRY(ensureDirs());
  auto lock = TRY(FileLock::exclusive(o_.run_dir + "/networks.lock"));
  auto nets = TRY(loadLocked());
  auto bin = TRY(findNetavark());

  NetavarkOptions opts;
  opts.container_id = req.container_id;
  opts.container_name = req.container_name;
  opts.port_mappings = req.port_mappings;
  opts.dns_servers = req.dns_servers;
  for (auto& [key, per] : req.networks) {
    Network n = TRY(findIn(nets, key));
    if (per.interface_name.empty())
      return makeError(Code::kInvalidArgument, "interface name on network {} is empty", n.name);
    opts.networks[n.name] = per;
    opts.network_info[n.name] = n;
  }
  bool dns = false;
  for (auto& [name, n] : opts.network_info) dns = dns || n.dns_enabled;
  if (dns && bin.aardvark.empty()) LOG_WARN("aardvark-dns binary not found, container dns will not be enabled");

  auto ipam = TRY(Ipam::load(o_.run_dir + "/ipam.json"));
  for (auto& [name, per] : opts.networks) {
    const Network& n = opts.network_info[name];
    if (!n.needsIpam()) continue;
    per.static_ips = TRY_CTX(ipam.allocate(n, req.container_id, per.static_ips), "network {}", name);
  }
  TRY(ipam.save());
  auto release = [&] {
    for (auto& [name, per] : opts.networks) ipam.release(name, req.container_id);
    if (auto s = ipam.save(); !s.ok()) LOG_ERROR("{}", s.error().what());
  };
  ScopeExit undo(release);

  NetavarkRun run{bin, o_.run_dir, o_.dns_port, o_.log_level};
  Json out = TRY(runNetavark(run, {"setup", req.netns_path}, toJson(opts)));
  auto status = TRY_CTX(statusFromJson(out), "netavark setup result");
  if (status.size() != opts.networks.size())
    return makeError(Code::kInternal, "unexpected netavark result length, want ({}), got ({}) networks",
                     opts.networks.size(), status.size());
  undo.cancel();
  return status;
}

Status Store::teardown(SetupRequest req) {
  TRY(ensureDirs());
  auto lock = TRY(FileLock::exclusive(o_.run_dir + "/networks.lock"));
  auto nets = TRY(loadLocked());
  auto ipam = TRY(Ipam::load(o_.run_dir + "/ipam.json"));

  NetavarkOptions opts;
  opts.container_id = req.container_id;
  opts.container_name = req.container_name;
  opts.port_mappings = req.port_mappings;
  opts.dns_servers = req.dns_servers;
  std::vector<std::string> release;
  for (auto& [key, per] : req.networks) {
    auto n = findIn(nets, key);
    if (!n.ok()) {
      LOG_WARN("network {} of container {} is gone: freeing its addresses only", key, req.container_id);
      release.push_back(key);
      continue;
    }
    PerNetworkOptions p = per;
    if (n->needsIpam()) {
      auto ips = ipam.assigned(n->name, req.container_id);
      if (ips.ok())
        p.static_ips = *ips;
      else
        LOG_ERROR("{}", ips.error().what());
    }
    opts.networks[n->name] = p;
    opts.network_info[n->name] = *n;
    release.push_back(n->name);
  }

  Status result;
  if (!opts.networks.empty()) {
    auto bin = findNetavark();
    if (!bin.ok()) {
      result = std::move(bin).error();
    } else {
      NetavarkRun run{*bin, o_.run_dir, o_.dns_port, o_.log_level};
      auto r = runNetavark(run, {"teardown", req.netns_path}, toJson(opts));
      if (!r.ok()) result = std::move(r).error();
    }
  }
  // Free the addresses even when netavark failed: they would be lost forever otherwise.
  for (auto& name : release) ipam.release(name, req.container_id);
  if (auto s = ipam.save(); !s.ok()) {
    if (result.ok()) return s;
    LOG_ERROR("{}", s.error().what());
  }
  return result;
}

}  // namespace berth::network
