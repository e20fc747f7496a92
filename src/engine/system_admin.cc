// system df, prune, reset, migrate and renumber over the container and image services.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <map>
#include <set>

#include "base/fs.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "engine/container_service.h"
#include "engine/engine.h"
#include "engine/event_emit.h"
#include "engine/image_service.h"
#include "engine/system_service.h"
#include "image/reference.h"
#include "runtime/select.h"
#include "state/containers.h"
#include "state/volumes.h"
#include "state/images.h"
#include "sys/mounts.h"

namespace berth::engine {

Result<api::DfReport> LocalSystemService::df() {
  api::DfReport r;
  auto images = TRY(state::listImages(e_.db()));
  auto containers = TRY(e_.containers().list(api::ContainerListRequest{true, -1, false, true, {}}));
  std::map<std::string, int> ctr_count;
  for (auto& c : containers) ctr_count[c.image_id]++;
  std::map<std::string, int> layer_users;
  for (auto& img : images) {
    std::set<std::string> seen;
    for (auto& l : img.layers)
      if (seen.insert(l.chain_id).second) layer_users[l.chain_id]++;
  }
  for (auto& img : images) {
    api::DfImage d;
    d.repository = "<none>";
    d.tag = "<none>";
    if (!img.names.empty()) {
      auto ref = image::parseNormalizedNamed(img.names.front());
      if (ref.ok()) {
        d.tag = ref->tag.empty() ? "<none>" : ref->tag;
        std::string full = img.names.front();
        auto at = full.find('@');
        if (at != std::string::npos) full = full.substr(0, at);
        auto colon = full.rfind(':');
        d.repository = colon != std::string::npos && full.find('/', colon) == std::string::npos ? full.substr(0, colon)
                                                                                               : full;
      }
    }
    d.image_id = img.id;
    d.created = img.created / 1000000000;
    d.size = img.size;
    for (auto& l : img.layers)
      if (layer_users[l.chain_id] > 1) d.shared_size += int64_t(l.diff_size);
    d.unique_size = d.size - d.shared_size;
    d.containers = ctr_count[img.id];
    r.images.push_back(std::move(d));
  }
  for (auto& c : containers) {
    api::DfContainer d;
    d.container_id = c.id;
    d.image = c.image_id;
    d.command = c.command;
    d.rw_size = c.size_rw < 0 ? 0 : c.size_rw;
    d.size = c.size_root_fs < 0 ? 0 : c.size_root_fs;
    d.created = c.created / 1000000000;
    d.status = std::string(api::statusName(c.status));
    d.names = c.names.empty() ? "" : c.names.front();
    r.containers.push_back(std::move(d));
  }
  // Volumes: Links counts the containers using each (podman's VolumeInUse), and
  // a container's LocalVolumes its user-given mounts and volumes (UserVolumes).
  std::map<std::string, int> links;
  std::map<std::string, int> user_volumes;
  for (auto& rec : TRY(state::listContainers(e_.db()))) {
    api::SpecGenerator spec = storedSpec(rec.config);
    std::set<std::string> used;
    for (auto& v : spec.volumes)
      if (!v.name.empty()) used.insert(v.name);
    for (auto& n : used) links[n]++;
    user_volumes[rec.id] =
        int(spec.mounts.size() + spec.volumes.size() + spec.overlay_volumes.size() + spec.image_volumes.size());
  }
  for (auto& d : r.containers) d.local_volumes = user_volumes[d.container_id];
  for (auto& v : TRY(state::listVolumes(e_.db()))) {
    api::DfVolume d;
    d.volume_name = v.name;
    d.links = links[v.name];
    d.size = int64_t(fs::dirSize(e_.volumes().inspect(v.name).valueOr(api::Volume{}).mountpoint));
    d.reclaimable_size = d.links == 0 ? d.size : 0;
    r.volumes.push_back(std::move(d));
  }
  return r;
}

Result<api::SystemPruneReport> LocalSystemService::prune(const api::SystemPruneRequest& req) {
  api::SystemPruneReport r;
  for (auto& f : req.filters) {
    auto eq = f.find('=');
    std::string key = f.substr(0, eq);
    if (eq == std::string::npos || (key != "label" && key != "label!" && key != "until"))
      return makeError(Code::kInvalidArgument, "{} is an invalid filter", f);
  }
  // As podman's SystemPrune: pods, then containers (images and volumes they held become
  // unused), networks, volumes when asked, images.
  for (auto& p : TRY(e_.pods().prune())) {
    if (p.error) LOG_WARN("prune pod {}: {}", p.name, p.error->what());
    else r.pods.push_back({p.id.empty() ? p.name : p.id, 0});
  }
  for (auto& [id, size] : TRY(e_.containers().prune(req.filters))) {
    r.containers.push_back({id, size});
    r.reclaimed += size;
  }
  for (auto& n : TRY(e_.networks().prune(req.filters))) {
    if (n.error) LOG_WARN("prune network {}: {}", n.name, n.error->what());
    else r.networks.push_back(n.name);
  }
  if (req.volumes) {
    for (auto& v : TRY(e_.volumes().prune(req.filters, false))) {
      if (v.error) LOG_WARN("prune volume {}: {}", v.name, v.error->what());
      else r.volumes.push_back({v.name, 0});
    }
  }
  api::ImagePruneRequest ip;
  ip.all = req.all;
  ip.filters = req.filters;
  // Removing an image can leave its parent dangling: repeat until nothing more goes.
  for (;;) {
    auto removed = TRY(e_.images().prune(ip));
    if (removed.empty()) break;
    for (auto& [id, size] : removed) {
      r.images.push_back({id, size});
      r.reclaimed += size;
    }
  }
  emitEvent(e_, events::Event{"system", "prune"});
  return r;
}

Status LocalSystemService::reset() {
  // Every container goes, running ones stopped at once.
  api::ContainerRemoveRequest rm;
  rm.all = true;
  rm.force = true;
  rm.timeout = 0;
  for (auto& res : TRY(e_.containers().remove(rm)))
    if (res.error) LOG_WARN("remove container {}: {}", res.id, res.error->what());
  // Image mounts, then the images.
  if (auto mounted = e_.images().mounted(); mounted.ok())
    for (auto& m : *mounted) (void)e_.images().unmount(m.id, true);
  api::ImageRemoveRequest ir;
  ir.all = true;
  ir.force = true;
  if (auto rep = e_.images().remove(ir); !rep.ok()) LOG_WARN("remove images: {}", rep.error().what());
  emitEvent(e_, events::Event{"system", "reset"});
  // Whatever is left under the root and the runroot (mount points first).
  for (const std::string* base : {&e_.options().runroot, &e_.options().root}) {
    auto names = fs::listDir(*base);
    if (!names.ok()) continue;
    for (auto& n : *names) {
      std::string p = *base + "/" + n;
      if (auto mi = fs::readFile("/proc/self/mountinfo"); mi.ok()) {
        std::vector<std::string> under;
        size_t pos = 0;
        while ((pos = mi->find(" " + p + "/", pos)) != std::string::npos) {
          size_t end = mi->find(' ', pos + 1);
          under.push_back(mi->substr(pos + 1, end - pos - 1));
          pos = end;
        }
        std::sort(under.rbegin(), under.rend());
        for (auto& m : under) (void)sys::unmount(m, true);
      }
      if (auto s = fs::removeAll(p); !s.ok()) LOG_WARN("remove {}: {}", p, s.error().what());
    }
  }
  return {};
}

Status LocalSystemService::migrate(const std::string& new_runtime) {
  if (new_runtime.empty()) return {};
  std::string path = TRY(runtime::findRuntime(new_runtime));
  std::string name = new_runtime.substr(new_runtime.rfind('/') + 1);
  auto all = TRY(state::listContainers(e_.db()));
  for (auto& c : all) {
    auto lock = TRY(ContainerLock::take(e_.options().runroot, c.id));
    auto cur = TRY(state::getContainer(e_.db(), c.id));
    if (!cur) continue;
    std::string status = cur->state.value("status", "configured");
    if (status == "running" || status == "paused" || status == "created") {
      LOG_WARN("container {} is {}: it keeps runtime {} until it stops", cur->id.substr(0, 12), status,
               cur->config.value("runtime", ""));
      continue;
    }
    cur->config["runtime"] = name;
    cur->config["runtime_path"] = path;
    auto stmt = TRY(e_.db().prepare("UPDATE containers SET config = ? WHERE id = ?"));
    stmt.bind(1, cur->config.dump()).bind(2, cur->id);
    TRY(e_.db().transaction([&]() -> Status { return stmt.run(); }));
  }
  return {};
}

Status LocalSystemService::renumber() {
  // berth's locks are files named after the object they protect: there are
  // no numbers to reassign. Drop lock files of containers that are gone.
  std::string dir = e_.options().runroot + "/locks";
  auto names = fs::listDir(dir);
  if (!names.ok()) return {};
  auto all = TRY(state::listContainerSummaries(e_.db()));
  std::set<std::string> ids;
  for (auto& c : all) ids.insert(c.id);
  for (auto& n : *names) {
    if (ids.count(n)) continue;
    UniqueFd fd(::open((dir + "/" + n).c_str(), O_RDWR | O_CLOEXEC));
    // Only a lock nobody holds can go.
    if (fd && ::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) ::unlink((dir + "/" + n).c_str());
  }
  emitEvent(e_, events::Event{"system", "renumber"});
  return {};
}

}  // namespace berth::engine
