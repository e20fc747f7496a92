// Containers and volumes: naming and creating them at create, acquiring, first use and
// release around each run, anonymous volumes removed with their container.
#include <algorithm>
#include <set>

#include "base/fs.h"
#include "base/log.h"
#include "engine/container_service.h"
#include "engine/engine.h"
#include "engine/volume_service.h"
#include "specgen/specgen.h"
#include "sys/idmap.h"
#include "sys/mounts.h"

namespace berth::engine {

namespace {

LocalVolumeService& volumeService(Engine& e) { return static_cast<LocalVolumeService&>(e.volumes()); }

bool hasOption(const std::vector<std::string>& opts, std::string_view o) {
  return std::find(opts.begin(), opts.end(), o) != opts.end();
}

}  // namespace

Status LocalContainerService::prepareVolumes(api::SpecGenerator& spec, const Json& image_config, Undo& undo) {
  auto& vols = volumeService(e_);
  // The image's VOLUMEs that nothing else is mounted on (podman's image_volume_mode:
  // anonymous volumes by default, "bind" being the CLI's name for it).
  std::string mode = spec.image_volume_mode;
  std::transform(mode.begin(), mode.end(), mode.begin(), ::tolower);
  for (auto& dest : specgen::imageVolumeDestinations(spec, image_config)) {
    if (mode.empty() || mode == "anonymous" || mode == "bind")
      spec.volumes.push_back(api::NamedVolume{"", dest, {}, true, ""});
    else if (mode == "tmpfs")
      spec.mounts.push_back(api::Mount{dest, "tmpfs", "tmpfs", {"rw", "nodev", "exec"}});
  }
  for (auto& v : spec.volumes) {
    if (v.name.empty()) {
      api::VolumeCreateRequest req;
      req.anonymous = true;
      auto created = TRY_CTX(vols.create(req), "create the anonymous volume for {}", v.dest);
      v.name = created.name;
      v.is_anonymous = true;
      undo.add([&vols, n = created.name] { vols.removeUnused({n}); });
      continue;
    }
    bool created = false;
    TRY(vols.ensure(v.name, &created));
    if (created) undo.add([&vols, n = v.name] { vols.removeUnused({n}); });
  }
  return {};
}

Status LocalContainerService::addVolumesFrom(api::SpecGenerator& spec) {
  auto taken = [&](const std::string& dest) {
    for (auto& v : spec.volumes)
      if (v.dest == dest) return true;
    for (auto& m : spec.mounts)
      if (m.destination == dest) return true;
    return false;
  };
  auto setMode = [](std::vector<std::string>& opts, std::optional<bool> ro) {
    if (!ro) return;
    std::erase_if(opts, [](const std::string& o) { return o == "ro" || o == "rw"; });
    opts.push_back(*ro ? "ro" : "rw");
  };
  for (const std::string& from : spec.volumes_from) {
    auto colon = from.find(':');
    std::string name = from.substr(0, colon);
    std::optional<bool> ro;
    if (colon != std::string::npos) {
      std::string opts = from.substr(colon + 1);
      for (size_t i = 0; i <= opts.size();) {
        size_t j = opts.find(',', i);
        if (j == std::string::npos) j = opts.size();
        std::string o = opts.substr(i, j - i);
        i = j + 1;
        if (o == "ro") ro = true;
        else if (o == "rw") ro = false;
        else if (o == "z" || o == "Z") continue;
        else return makeError(Code::kInvalidArgument, "invalid option {:?} in --volumes-from {}: want ro, rw, z or Z", o, from);
      }
    }
    auto src = TRY_CTX(state::findContainer(e_.db(), name), "--volumes-from {}", name);
    api::SpecGenerator other = storedSpec(src.config);
    for (api::NamedVolume v : other.volumes) {
      if (taken(v.dest)) continue;
      v.is_anonymous = false;
      setMode(v.options, ro);
      spec.volumes.push_back(std::move(v));
    }
    for (api::Mount m : other.mounts) {
      if (m.type != "bind" || taken(m.destination)) continue;
      setMode(m.options, ro);
      spec.mounts.push_back(std::move(m));
    }
  }
  return {};
}

Result<std::map<std::string, std::string>> LocalContainerService::acquireVolumesLocked(
    state::ContainerRecord& rec, const api::SpecGenerator& spec) {
  auto& vols = volumeService(e_);
  std::map<std::string, std::string> paths;
  Json acquired = rec.state.value("mounted_volumes", Json::array());
  for (auto& v : spec.volumes) {
    if (paths.count(v.name)) continue;
    auto path = vols.acquire(v.name);
    if (!path.ok()) {
      rec.state["mounted_volumes"] = acquired;
      return std::move(path).error().context(fmt::format("volume {} of container {}", v.name, rec.id.substr(0, 12)));
    }
    acquired.push_back(v.name);
    paths[v.name] = *path;
  }
  rec.state["mounted_volumes"] = acquired;
  return paths;
}

Status LocalContainerService::firstUseVolumes(const state::ContainerRecord& rec, const api::SpecGenerator& spec,
                                              const Json& oci) {
  auto& vols = volumeService(e_);
  uint32_t uid = 0, gid = 0;
  if (auto p = oci.find("process"); p != oci.end() && p->is_object())
    if (auto u = p->find("user"); u != p->end() && u->is_object()) {
      uid = u->value("uid", 0u);
      gid = u->value("gid", 0u);
    }
  // In a user namespace of its own the volume belongs to the host IDs its user maps to.
  auto toHost = [&](const char* key, uint32_t id) {
    auto lx = oci.find("linux");
    if (lx == oci.end() || !lx->is_object() || !lx->contains(key) || !(*lx)[key].is_array()) return id;
    std::vector<sys::IdRange> ranges;
    for (const auto& m : (*lx)[key])
      ranges.push_back({m.value("containerID", 0u), m.value("hostID", 0u), m.value("size", 0u)});
    int64_t host = sys::hostId(ranges, id);
    return host >= 0 ? uint32_t(host) : id;
  };
  uid = toHost("uidMappings", uid);
  gid = toHost("gidMappings", gid);
  auto paths = this->paths(rec.id);
  for (auto& v : spec.volumes)
    TRY_CTX(vols.firstUse(v.name, paths.merged, v.dest, !hasOption(v.options, "nocopy"), uid, gid),
            "container {}", rec.id.substr(0, 12));
  return {};
}

Result<std::map<std::string, std::string>> LocalContainerService::acquireImageVolumesLocked(
    state::ContainerRecord& rec, const api::SpecGenerator& spec) {
  std::map<std::string, std::string> out;
  Json acquired = rec.state.value("mounted_images", Json::array());
  for (size_t i = 0; i < spec.image_volumes.size(); ++i) {
    const auto& iv = spec.image_volumes[i];
    auto path = e_.images().mount(iv.source);
    if (!path.ok()) {
      rec.state["mounted_images"] = acquired;
      return std::move(path).error().context(
          fmt::format("image mount {} of container {}", iv.source, rec.id.substr(0, 12)));
    }
    acquired.push_back(iv.source);
    rec.state["mounted_images"] = acquired;
    std::string src = *path;
    if (iv.read_write) {
      std::string base = fmt::format("{}/image-volume-{}", paths(rec.id).run_dir, i);
      for (const char* d : {"/upper", "/work", "/merged"}) TRY(fs::mkdirAll(base + d, 0755));
      if (!sys::isMountPoint(base + "/merged"))
        TRY(sys::mount("overlay", base + "/merged", "overlay", 0,
                       fmt::format("lowerdir={},upperdir={}/upper,workdir={}/work", src, base, base)));
      src = base + "/merged";
    }
    out[iv.destination] = src;
  }
  return out;
}

void LocalContainerService::releaseVolumesLocked(state::ContainerRecord& rec) {
  if (auto im = rec.state.find("mounted_images"); im != rec.state.end()) {
    // The rw overlays first: they hold the image mounts below them.
    std::string run_dir = paths(rec.id).run_dir;
    if (auto entries = fs::listDir(run_dir); entries.ok())
      for (auto& e : *entries)
        if (e.rfind("image-volume-", 0) == 0) {
          std::string merged = run_dir + "/" + e + "/merged";
          if (sys::isMountPoint(merged))
            if (auto s = sys::unmount(merged, true); !s.ok())
              LOG_WARN("container {}: {}", rec.id.substr(0, 12), s.error().what());
          (void)fs::removeAll(run_dir + "/" + e);
        }
    if (im->is_array())
      for (auto& n : *im)
        if (n.is_string())
          if (auto s = e_.images().unmount(n.get<std::string>(), false); !s.ok())
            LOG_WARN("container {}: {}", rec.id.substr(0, 12), s.error().what());
    rec.state.erase("mounted_images");
  }
  auto it = rec.state.find("mounted_volumes");
  if (it == rec.state.end()) return;
  auto& vols = volumeService(e_);
  if (it->is_array())
    for (auto& n : *it)
      if (n.is_string())
        if (auto s = vols.release(n.get<std::string>()); !s.ok())
          LOG_WARN("container {}: {}", rec.id.substr(0, 12), s.error().what());
  rec.state.erase("mounted_volumes");
}

Json LocalContainerService::inspectMounts(const api::SpecGenerator& spec, Json& binds) {
  auto& vols = volumeService(e_);
  Json mounts = Json::array();
  binds = Json::array();
  // podman's InspectMount: ro/rw become RW, the propagation its own field, the rest Options.
  auto add = [&](Json m, const std::vector<std::string>& given, const std::string& type, bool is_volume,
                 const std::string& bind_source) {
    std::string dest = m["Destination"];
    auto opts = specgen::processOptions(given, type, is_volume, dest);
    std::vector<std::string> all = opts.ok() ? *opts : given;
    bool rw = true;
    std::string propagation = type == "bind" ? "rprivate" : "";
    Json options = Json::array();
    std::string joined;
    for (auto& o : all) {
      joined += (joined.empty() ? "" : ",") + o;
      if (o == "ro" || o == "rw") {
        rw = o == "rw";
      } else if (o == "private" || o == "rprivate" || o == "shared" || o == "rshared" || o == "slave" ||
                 o == "rslave" || o == "unbindable" || o == "runbindable") {
        propagation = o;
      } else {
        options.push_back(o);
      }
    }
    m["Mode"] = "";
    m["Options"] = options;
    m["RW"] = rw;
    m["Propagation"] = propagation;
    mounts.push_back(std::move(m));
    if (type == "bind") binds.push_back(bind_source + ":" + dest + ":" + joined);
  };
  for (const auto& m : spec.mounts) {
    std::string type = m.type.empty() ? "bind" : m.type;
    add(Json{{"Type", type}, {"Source", m.source}, {"Destination", m.destination}, {"Driver", ""}}, m.options, type,
        false, m.source);
  }
  for (const auto& v : spec.volumes) {
    auto vol = vols.inspect(v.name);
    std::string source = vol.ok() ? vol->mountpoint : "";
    add(Json{{"Type", "volume"}, {"Name", v.name}, {"Source", source}, {"Destination", v.dest},
             {"Driver", vol.ok() ? vol->driver : "local"}},
        v.options, "bind", true, v.name);
  }
  // podman shows an image mount with the image as its source.
  for (const auto& iv : spec.image_volumes)
    mounts.push_back(Json{{"Type", "image"}, {"Source", iv.source}, {"Destination", iv.destination},
                          {"Driver", ""}, {"Mode", ""}, {"Options", Json::array({"rbind"})},
                          {"RW", iv.read_write}, {"Propagation", "rprivate"}});
  return mounts;
}

void LocalContainerService::removeAnonymousVolumes(const api::SpecGenerator& spec) {
  std::vector<std::string> anon;
  for (auto& v : spec.volumes)
    if (v.is_anonymous && !v.name.empty()) anon.push_back(v.name);
  if (!anon.empty()) volumeService(e_).removeUnused(anon);
}

}  // namespace berth::engine
