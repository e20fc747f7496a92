// LocalVolumeService: volume create/ls/inspect/rm/prune/export/import/mount over the state DB.
#include "engine/volume_service.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <set>

#include "base/fs.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "copy/put.h"
#include "copy/resolve.h"
#include "copy/tar.h"
#include "copy/walk.h"
#include "engine/engine.h"
#include "engine/event_emit.h"
#include "engine/filters.h"
#include "engine/names.h"
#include "engine/volume_options.h"
#include "sys/mounts.h"

namespace berth::engine {

namespace {

// flock on <runroot>/locks/volumes/<name>; released on destruction or process death.
class VolumeLock {
 public:
  static Result<VolumeLock> take(const std::string& runroot, const std::string& name) {
    std::string dir = runroot + "/locks/volumes";
    TRY(fs::mkdirAll(dir, 0700));
    UniqueFd fd = TRY(fs::openFd(dir + "/" + name, O_RDWR | O_CREAT, 0600));
    while (::flock(fd.get(), LOCK_EX) < 0)
      if (errno != EINTR) return errnoError("lock volume {}", name);
    return VolumeLock(std::move(fd));
  }

 private:
  explicit VolumeLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

using FilterFn = std::function<bool(const api::Volume&)>;

Error noSuchVolume(const std::string& name) {
  return makeError(Code::kNotFound, "no volume with name {:?} found: no such volume", name);
}

Json initialState() { return Json{{"needs_copy_up", true}, {"needs_chown", true}, {"mount_count", 0}}; }

// The filters prune takes (label, label!, until); list adds the rest.
Result<FilterFn> pruneFilter(const std::string& key, const std::vector<std::string>& values) {
  if (key == "label") return FilterFn([values](const api::Volume& v) { return matchLabels(values, v.labels); });
  if (key == "label!") return FilterFn([values](const api::Volume& v) { return !matchLabels(values, v.labels); });
  if (key == "until") {
    if (values.size() != 1) return makeError(Code::kInvalidArgument, "specify exactly one timestamp for until");
    int64_t until = TRY(parseTimestampArg(values[0]));
    return FilterFn([until](const api::Volume& v) { return v.created < until; });
  }
  return makeError(Code::kInvalidArgument, "{:?} is an invalid volume filter", key);
}

Result<FilterFn> listFilter(const std::string& key, const std::vector<std::string>& values) {
  auto anyOf = [values](const std::string& s) { return std::find(values.begin(), values.end(), s) != values.end(); };
  if (key == "name") return FilterFn([values](const api::Volume& v) { return regexMatchAny(v.name, values); });
  if (key == "driver") return FilterFn([anyOf](const api::Volume& v) { return anyOf(v.driver); });
  if (key == "scope") return FilterFn([anyOf](const api::Volume& v) { return anyOf("local"); });
  if (key == "opt")
    return FilterFn([values](const api::Volume& v) {
      for (auto& f : values) {
        auto eq = f.find('=');
        auto it = v.options.find(f.substr(0, eq));
        if (it != v.options.end() && (eq == std::string::npos || it->second == f.substr(eq + 1))) return true;
      }
      return false;
    });
  if (key == "anonymous") {
    if (values.size() != 1) return makeError(Code::kInvalidArgument, "got more than one value for filter key \"anonymous\"");
    bool want = TRY(parseGoBool(values[0], "anonymous"));
    return FilterFn([want](const api::Volume& v) { return v.anonymous == want; });
  }
  if (key == "after" || key == "since") {
    if (values.size() != 1) return makeError(Code::kInvalidArgument, "specify exactly one timestamp for {}", key);
    int64_t since = TRY(parseTimestampArg(values[0]));
    return FilterFn([since](const api::Volume& v) { return v.created > since; });
  }
  return pruneFilter(key, values);
}

// mount(2) of an options volume on its _data directory; a bind with flags is remounted
// to apply them (the kernel ignores them on the first MS_BIND).
Status mountPlan(const VolumeMountPlan& p, const std::string& target, const std::string& name) {
  TRY_CTX(sys::mount(p.source, target, p.type, p.flags, p.data), "mount volume {}", name);
  unsigned long extra = p.flags & ~(unsigned long)(MS_BIND | MS_REC);
  if ((p.flags & MS_BIND) && extra)
    TRY_CTX(sys::mount("", target, "", MS_REMOUNT | MS_BIND | extra, ""), "remount volume {}", name);
  return {};
}

}  // namespace

std::string LocalVolumeService::volumeDir(const std::string& name) const {
  const auto& o = e_.options();
  return (o.volume_path.empty() ? o.root + "/volumes" : o.volume_path) + "/" + name;
}

api::Volume LocalVolumeService::fromRecord(const state::VolumeRecord& r) const {
  api::Volume v;
  v.name = r.name;
  v.created = r.created;
  v.mountpoint = volumeDir(r.name) + "/_data";
  const Json& c = r.config;
  if (c.contains("driver") && c["driver"].is_string()) v.driver = c["driver"];
  auto strMap = [](const Json& j) {
    std::map<std::string, std::string> m;
    if (j.is_object())
      for (auto& [k, val] : j.items())
        if (val.is_string()) m[k] = val.get<std::string>();
    return m;
  };
  if (c.contains("labels")) v.labels = strMap(c["labels"]);
  if (c.contains("options")) v.options = strMap(c["options"]);
  if (c.contains("uid") && c["uid"].is_number_unsigned()) v.uid = c["uid"].get<uint32_t>();
  if (c.contains("gid") && c["gid"].is_number_unsigned()) v.gid = c["gid"].get<uint32_t>();
  v.anonymous = c.value("anonymous", false);
  const Json& s = r.state;
  v.needs_copy_up = s.value("needs_copy_up", true);
  v.needs_chown = s.value("needs_chown", true);
  v.mount_count = s.value("mount_count", int64_t(0));
  return v;
}

Result<state::VolumeRecord> LocalVolumeService::load(const std::string& name) {
  auto rec = TRY(state::getVolume(e_.db(), name));
  if (!rec) return makeError(Code::kNotFound, "no such volume {}", name);
  return std::move(*rec);
}

// --- create -------------------------------------------------------------------------

Result<api::Volume> LocalVolumeService::create(const api::VolumeCreateRequest& req) {
  if (!req.driver.empty() && req.driver != "local")
    return makeError(Code::kNotFound, "volume plugin {} not found: no plugin with name {} available: required plugin missing",
                     req.driver, req.driver);
  std::string name = req.name.empty() ? randomId() : req.name;
  TRY(checkVolumeName(name));
  auto options = TRY(checkLocalOptions(req.options, [](const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0 ? 0 : errno;
  }));
  auto lock = TRY(VolumeLock::take(e_.options().runroot, name));
  if (auto existing = TRY(state::getVolume(e_.db(), name))) {
    if (req.ignore_if_exists) return fromRecord(*existing);
    return makeError(Code::kAlreadyExists, "volume with name {} already exists: volume already exists", name);
  }
  // No record and the lock held: whatever is at the volume's directory is the garbage of a
  // create or rm that was killed, never a volume. The record comes last, so a volume that
  // can be seen always has its directory.
  TRY(removeFiles(name));
  std::string dir = volumeDir(name);
  TRY(fs::mkdirAll(dir.substr(0, dir.rfind('/')), 0700));
  if (::mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST) return errnoError("create volume directory {}", dir);
  if (::mkdir((dir + "/_data").c_str(), 0755) < 0 && errno != EEXIST)
    return errnoError("create volume directory {}/_data", dir);
  state::VolumeRecord rec;
  rec.name = name;
  rec.created = nowNanos();
  Json cfg = Json::object();
  cfg["driver"] = "local";
  cfg["labels"] = Json(req.labels);
  cfg["options"] = Json(options);
  if (cfg["labels"].is_null()) cfg["labels"] = Json::object();
  if (cfg["options"].is_null()) cfg["options"] = Json::object();
  if (req.anonymous) cfg["anonymous"] = true;
  rec.config = cfg;
  rec.state = initialState();
  TRY(e_.db().transaction([&]() -> Status { return state::insertVolume(e_.db(), rec); }));
  emitEvent(e_, events::Event{.type = "volume", .status = "create", .name = name});
  return fromRecord(rec);
}

// --- list / inspect / exists ----------------------------------------------------------

Result<std::vector<api::Volume>> LocalVolumeService::list(const std::vector<std::string>& raw) {
  auto groups = TRY(groupFilters(raw));
  std::vector<FilterFn> filters;
  if (auto d = groups.find("dangling"); d != groups.end()) {
    if (d->second.size() != 1)
      return makeError(Code::kInvalidArgument, "got more than one value for filter key \"dangling\"");
    bool want = TRY(parseGoBool(d->second[0], "dangling"));
    groups.erase(d);
    auto used_list = TRY(state::volumesInUse(e_.db()));
    std::set<std::string> used(used_list.begin(), used_list.end());
    filters.push_back([want, used](const api::Volume& v) { return used.count(v.name) ? !want : want; });
  }
  for (auto& [key, values] : groups) filters.push_back(TRY(listFilter(key, values)));
  std::vector<api::Volume> out;
  for (auto& r : TRY(state::listVolumes(e_.db()))) {
    api::Volume v = fromRecord(r);
    if (std::all_of(filters.begin(), filters.end(), [&](auto& f) { return f(v); })) out.push_back(std::move(v));
  }
  return out;
}

Result<api::Volume> LocalVolumeService::inspect(const std::string& name) { return fromRecord(TRY(load(name))); }

Result<bool> LocalVolumeService::exists(const std::string& name) {
  return TRY(state::getVolume(e_.db(), name)).has_value();
}

// --- remove / prune -------------------------------------------------------------------

Status LocalVolumeService::removeFiles(const std::string& name) {
  std::string dir = volumeDir(name);
  std::string data = dir + "/_data";
  for (int i = 0; i < 8 && sys::isMountPoint(data); ++i)
    TRY_CTX(sys::unmount(data, i > 2), "unmount volume {}", name);
  return sys::removeAllOnOneMount(dir);
}

Status LocalVolumeService::removeOne(const std::string& name, bool force, std::optional<int> timeout) {
  if (!TRY(state::getVolume(e_.db(), name))) return noSuchVolume(name);
  auto users = TRY(state::containersUsingVolume(e_.db(), name));
  if (!users.empty()) {
    std::string ids;
    for (auto& u : users) ids += (ids.empty() ? "" : ", ") + u;
    if (!force)
      return makeError(Code::kConflict, "volume {} is being used by the following container(s): {}: volume is being used",
                       name, ids);
    api::ContainerRemoveRequest rm;
    rm.names = users;
    rm.force = true;
    rm.timeout = timeout;
    for (auto& r : TRY(e_.containers().remove(rm)))
      if (r.error && r.error->code() != Code::kNotFound) return std::move(*r.error);
  }
  auto lock = TRY(VolumeLock::take(e_.options().runroot, name));
  // Checked again where the record goes: a container created meanwhile keeps the volume.
  TRY(e_.db().transaction([&]() -> Status {
    if (!TRY(state::getVolume(e_.db(), name))) return noSuchVolume(name);
    auto now = TRY(state::containersUsingVolume(e_.db(), name));
    if (!now.empty())
      return makeError(Code::kConflict, "volume {} is being used by the following container(s): {}: volume is being used",
                       name, now.front());
    return state::deleteVolume(e_.db(), name);
  }));
  emitEvent(e_, events::Event{.type = "volume", .status = "remove", .name = name});
  // The record is gone: the files are garbage now; what cannot go is cleaned by the next
  // create of this name.
  if (auto s = removeFiles(name); !s.ok()) LOG_WARN("removed volume {}, but not its files: {}", name, s.error().what());
  return {};
}

Result<std::vector<api::VolumeReport>> LocalVolumeService::remove(const api::VolumeRemoveRequest& req) {
  std::vector<std::string> names = req.names;
  if (req.all) {
    names.clear();
    for (auto& r : TRY(state::listVolumes(e_.db()))) names.push_back(r.name);
  }
  std::vector<api::VolumeReport> out;
  for (auto& n : names) {
    api::VolumeReport r{n, std::nullopt};
    if (auto s = removeOne(n, req.force, req.timeout); !s.ok()) r.error = std::move(s).error();
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<api::VolumeReport>> LocalVolumeService::prune(const std::vector<std::string>& raw, bool dry_run) {
  auto groups = TRY(groupFilters(raw));
  std::vector<FilterFn> filters;
  for (auto& [key, values] : groups) filters.push_back(TRY(pruneFilter(key, values)));
  auto used_list = TRY(state::volumesInUse(e_.db()));
  std::set<std::string> used(used_list.begin(), used_list.end());
  std::vector<api::VolumeReport> out;
  for (auto& rec : TRY(state::listVolumes(e_.db()))) {
    api::Volume v = fromRecord(rec);
    if (used.count(v.name)) continue;
    if (!std::all_of(filters.begin(), filters.end(), [&](auto& f) { return f(v); })) continue;
    api::VolumeReport r{v.name, std::nullopt};
    if (!dry_run) {
      auto s = removeOne(v.name, false, std::nullopt);
      if (!s.ok()) {
        if (s.error().code() == Code::kConflict || s.error().code() == Code::kNotFound) continue;  // in use or gone now
        r.error = std::move(s).error();
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

void LocalVolumeService::removeUnused(const std::vector<std::string>& names) {
  for (auto& n : names) {
    auto s = removeOne(n, false, std::nullopt);
    if (!s.ok() && s.error().code() != Code::kNotFound && s.error().code() != Code::kConflict)
      LOG_WARN("remove anonymous volume {}: {}", n, s.error().what());
  }
}

// --- mounts -----------------------------------------------------------------------------

Result<api::Volume> LocalVolumeService::ensure(const std::string& name, bool* created) {
  if (created) *created = false;
  if (auto rec = TRY(state::getVolume(e_.db(), name))) return fromRecord(*rec);
  api::VolumeCreateRequest req;
  req.name = name;
  auto v = create(req);
  if (!v.ok() && v.error().code() == Code::kAlreadyExists) return inspect(name);  // another process won the race
  if (v.ok() && created) *created = true;
  return v;
}

Result<std::string> LocalVolumeService::acquire(const std::string& name) {
  auto lock = TRY(VolumeLock::take(e_.options().runroot, name));
  auto rec = TRY(load(name));
  api::Volume v = fromRecord(rec);
  TRY(fs::mkdirAll(v.mountpoint, 0755));
  auto plan = TRY(planVolumeMount(v.options));
  if (!plan) return v.mountpoint;
  int64_t count = v.mount_count;
  if (!sys::isMountPoint(v.mountpoint)) {
    TRY(mountPlan(*plan, v.mountpoint, name));
    count = 0;  // a count left by mounts that are gone (a reboot) is stale
  }
  rec.state["mount_count"] = count + 1;
  Status saved = e_.db().transaction([&]() -> Status { return state::updateVolumeState(e_.db(), name, rec.state); });
  if (!saved.ok()) {
    if (count == 0) (void)sys::unmount(v.mountpoint, true);
    return std::move(saved).error();
  }
  return v.mountpoint;
}

Status LocalVolumeService::release(const std::string& name) {
  auto lock = TRY(VolumeLock::take(e_.options().runroot, name));
  auto rec = TRY(state::getVolume(e_.db(), name));
  if (!rec) return {};
  api::Volume v = fromRecord(*rec);
  if (!TRY(planVolumeMount(v.options))) return {};
  int64_t count = std::max<int64_t>(v.mount_count - 1, 0);
  if (count == 0 && sys::isMountPoint(v.mountpoint)) TRY_CTX(sys::unmount(v.mountpoint), "unmount volume {}", name);
  rec->state["mount_count"] = count;
  return e_.db().transaction([&]() -> Status { return state::updateVolumeState(e_.db(), name, rec->state); });
}

Result<std::string> LocalVolumeService::mount(const std::string& name) {
  std::string mp = TRY(acquire(name));
  emitEvent(e_, events::Event{.type = "volume", .status = "mount", .name = name});
  return mp;
}

Status LocalVolumeService::unmount(const std::string& name) {
  if (!TRY(state::getVolume(e_.db(), name))) return makeError(Code::kNotFound, "no such volume {}", name);
  TRY(release(name));
  emitEvent(e_, events::Event{.type = "volume", .status = "unmount", .name = name});
  return {};
}

Status LocalVolumeService::firstUse(const std::string& name, const std::string& rootfs, const std::string& dest,
                                    bool copy, uint32_t uid, uint32_t gid) {
  auto lock = TRY(VolumeLock::take(e_.options().runroot, name));
  auto rec = TRY(load(name));
  api::Volume v = fromRecord(rec);
  if (!v.needs_chown && (!v.needs_copy_up || !copy)) return {};
  UniqueFd root = TRY(fs::openFd(rootfs, O_PATH | O_DIRECTORY));
  // The image's directory at the mount point, resolved inside the rootfs (absent: none).
  UniqueFd src;
  if (auto fd = copy::openIn(root.get(), dest, O_RDONLY | O_DIRECTORY); fd.ok()) src = std::move(*fd);
  UniqueFd vol = TRY(fs::openFd(v.mountpoint, O_RDONLY | O_DIRECTORY));
  if (v.needs_chown) {
    rec.state["needs_chown"] = false;
    struct stat st;
    if (src.get() >= 0 && ::fstat(src.get(), &st) == 0) {
      uid = st.st_uid;
      gid = st.st_gid;
      if (::fchmod(vol.get(), st.st_mode & 07777) < 0) return errnoError("chmod volume {}", name);
    }
    if (::fchown(vol.get(), uid, gid) < 0) return errnoError("chown volume {} to {}:{}", name, uid, gid);
  }
  bool copy_now = false;
  if (v.needs_copy_up && copy && src.get() >= 0) {
    // podman copies only a non-empty image directory into an empty volume (a volume
    // changed outside the engine is left alone: CVE-2020-1726); otherwise it stays pending.
    auto src_entries = TRY(fs::listDir(fmt::format("/proc/self/fd/{}", src.get())));
    auto vol_entries = TRY(fs::listDir(v.mountpoint));
    if (!src_entries.empty() && vol_entries.empty()) {
      copy_now = true;
      rec.state["needs_copy_up"] = false;
    }
  }
  // Recorded before the copy: a copy cut short is never repeated into a volume with content.
  TRY(e_.db().transaction([&]() -> Status { return state::updateVolumeState(e_.db(), name, rec.state); }));
  if (!copy_now) return {};
  auto put = TRY(copy::PutSink::open(vol.get(), "/", copy::PutOptions{}));
  copy::GetOptions go;
  std::string from = copy::cleanAbs(dest);
  TRY_CTX(copy::getTree(root.get(), from == "/" ? "/." : from + "/.", go, *put),
          "copy the image's content at {} into volume {}", dest, name);
  return {};
}

// --- export / import ---------------------------------------------------------------------

Status LocalVolumeService::exportTar(const std::string& name, int out_fd) {
  std::string mp = TRY(acquire(name));
  Status s = [&]() -> Status {
    UniqueFd vol = TRY(fs::openFd(mp, O_PATH | O_DIRECTORY));
    auto sink = copy::tarSink(out_fd);
    TRY_CTX(copy::getTree(vol.get(), "/.", copy::GetOptions{}, *sink), "export volume {}", name);
    return {};
  }();
  Status r = release(name);
  TRY(s);
  return r;
}

Status LocalVolumeService::importTar(const std::string& name, int in_fd) {
  std::string mp = TRY(acquire(name));
  Status s = [&]() -> Status {
    UniqueFd vol = TRY(fs::openFd(mp, O_PATH | O_DIRECTORY));
    auto put = TRY(copy::PutSink::open(vol.get(), "/", copy::PutOptions{}));
    TRY_CTX(copy::readTar(in_fd, *put), "import into volume {}", name);
    return {};
  }();
  Status r = release(name);
  TRY(s);
  return r;
}

}  // namespace berth::engine
