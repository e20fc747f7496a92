#include "store/foreign_storage.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <utility>

#include "base/fd.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/json_access.h"
#include "base/timefmt.h"
#include "config/toml_json.h"
#include "sys/mounts.h"

namespace berth::store {

namespace {

constexpr size_t kMaxStoreFile = 64u << 20;  // containers.json, layers.json, ...
constexpr size_t kLastWriterSize = 64;       // containers/storage's lastWriterIDSize
constexpr int kMaxLayerDepth = 500;          // overlay stacks at most 500 layers

// containers/storage's lockfile: an fcntl lock on the whole file. A writer stores a new
// "last writer" ID in it before unlocking, which tells other processes holding state
// from these files to read them again.
class StoreFileLock {
 public:
  static Result<StoreFileLock> take(const std::string& path, bool write) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return errnoError("open lock file {}", path);
    UniqueFd ufd(fd);
    struct flock fl{};
    fl.l_type = write ? F_WRLCK : F_RDLCK;
    fl.l_whence = SEEK_SET;
    while (::fcntl(fd, F_SETLKW, &fl) != 0)
      if (errno != EINTR) return errnoError("lock {}", path);
    return StoreFileLock(std::move(ufd), path);
  }
  Status touch() {
    unsigned char id[kLastWriterSize];
    int64_t now = nowNanos();
    std::memcpy(id, &now, 8);
    uint64_t pid = static_cast<uint64_t>(::getpid());
    std::memcpy(id + 8, &pid, 8);
    if (::getrandom(id + 16, kLastWriterSize - 16, 0) != static_cast<ssize_t>(kLastWriterSize - 16))
      return errnoError("random last-writer ID for {}", path_);
    if (::pwrite(fd_.get(), id, sizeof id, 0) != static_cast<ssize_t>(sizeof id))
      return errnoError("write {}", path_);
    return {};
  }

 private:
  StoreFileLock(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  UniqueFd fd_;  // closing it drops the lock
  std::string path_;
};

bool isHexId(const std::string& s) {
  if (s.size() != 64) return false;
  for (char ch : s)
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  return true;
}

// overlay's l/ names: 26 characters of base32.
bool isLinkName(const std::string& s) {
  if (s.size() != 26) return false;
  for (char ch : s)
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= '2' && ch <= '7'))) return false;
  return true;
}

// A JSON array file of containers/storage; a missing file is an empty array.
Result<Json> readArrayFile(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Json::array();
    return errnoError("stat {}", path);
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxStoreFile)
    return makeError(Code::kInvalidArgument, "{}: larger than {} bytes", path, kMaxStoreFile);
  std::string text = TRY(fs::readFile(path));
  if (text.empty()) return Json::array();
  Json j = TRY(parseJson(text, path));
  if (!j.is_array()) return makeError(Code::kInvalidArgument, "{}: expected an array, got {}", path, json::typeName(j));
  for (size_t i = 0; i < j.size(); ++i)
    if (!j[i].is_object()) return json::typeError(path + json::indexPath("", i), "object", j[i]);
  return j;
}

Status writeArrayFile(const std::string& path, const Json& j) { return fs::writeFileAtomic(path, j.dump(), 0600); }

// The overlay driver's home is a private bind mount of itself, made by whoever mounts a
// layer first (the library's MakePrivate). A layer mounted before that bind would sit
// under it, out of reach of every later unmount by path.
Status ensurePrivateMount(const std::string& dir) {
  if (!sys::isMountPoint(dir)) TRY(sys::mount(dir, dir, "", MS_BIND, ""));
  return sys::mount("", dir, "", MS_PRIVATE, "");
}

struct LayerEntry {
  std::string id, parent;
};

Result<std::vector<LayerEntry>> layerEntries(const Json& layers, const std::string& what) {
  std::vector<LayerEntry> out;
  for (size_t i = 0; i < layers.size(); ++i) {
    std::string where = what + json::indexPath("", i);
    LayerEntry e{TRY(json::getString(layers[i], "id", where)), TRY(json::optString(layers[i], "parent", where))};
    out.push_back(std::move(e));
  }
  return out;
}

// mountpoints.json: [{"id": layer, "path": mount point, "count": n}].
struct MountEntry {
  std::string path;
  int64_t count = 0;
};

Result<std::optional<MountEntry>> findMount(const Json& mounts, const std::string& layer, const std::string& what) {
  for (size_t i = 0; i < mounts.size(); ++i) {
    std::string where = what + json::indexPath("", i);
    if (TRY(json::optString(mounts[i], "id", where)) != layer) continue;
    return MountEntry{TRY(json::optString(mounts[i], "path", where)), TRY(json::optInt(mounts[i], "count", where))};
  }
  return std::nullopt;
}

void setMount(Json& mounts, const std::string& layer, const std::string& path, int64_t count) {
  Json out = Json::array();
  for (auto& m : mounts)
    if (!(m.contains("id") && m["id"].is_string() && m["id"].get<std::string>() == layer)) out.push_back(m);
  if (count > 0) out.push_back(Json{{"id", layer}, {"path", path}, {"count", count}});
  mounts = std::move(out);
}

}  // namespace

Result<ForeignStorageConfig> loadForeignStorageConfig() {
  ForeignStorageConfig cfg;
  std::string path;
  if (const char* env = std::getenv("CONTAINERS_STORAGE_CONF"); env && *env) {
    path = env;
  } else {
    for (const char* p : {"/etc/containers/storage.conf", "/usr/share/containers/storage.conf"})
      if (fs::exists(p)) {
        path = p;
        break;
      }
  }
  if (path.empty()) return cfg;
  std::string text = TRY_CTX(fs::readFile(path), "read {}", path);
  Json doc = TRY(config::parseToml(text, path));
  const Json* storage = TRY(json::optObject(doc, "storage", ""));
  if (!storage) return cfg;
  std::string where = path + ": storage";
  cfg.driver = TRY(json::optString(*storage, "driver", where));
  if (auto g = TRY(json::optString(*storage, "graphroot", where)); !g.empty()) cfg.graphroot = g;
  if (auto r = TRY(json::optString(*storage, "runroot", where)); !r.empty()) cfg.runroot = r;
  if (const Json* opts = TRY(json::optObject(*storage, "options", where))) {
    std::string ow = where + ".options";
    if (auto m = TRY(json::optString(*opts, "mountopt", ow)); !m.empty()) cfg.mount_options = m;
    if (const Json* ov = TRY(json::optObject(*opts, "overlay", ow)))
      if (auto m = TRY(json::optString(*ov, "mountopt", ow + ".overlay")); !m.empty()) cfg.mount_options = m;
  }
  if (!cfg.driver.empty() && cfg.driver != "overlay" && cfg.driver != "vfs")
    return makeError(Code::kUnimplemented, "{}: storage driver {:?}: only overlay and vfs are read", path,
                     cfg.driver);
  return cfg;
}

ForeignStorage::ForeignStorage(ForeignStorageConfig cfg) : cfg_(std::move(cfg)) {
  if (cfg_.driver.empty())
    cfg_.driver = !fs::exists(cfg_.graphroot + "/overlay-containers") && fs::exists(cfg_.graphroot + "/vfs-containers")
                      ? "vfs"
                      : "overlay";
}

std::string ForeignStorage::containersDir() const { return cfg_.graphroot + "/" + cfg_.driver + "-containers"; }
std::string ForeignStorage::layersDir() const { return cfg_.graphroot + "/" + cfg_.driver + "-layers"; }
std::string ForeignStorage::mountsDir() const { return cfg_.runroot + "/" + cfg_.driver + "-layers"; }
std::string ForeignStorage::driverDir() const {
  return cfg_.driver == "vfs" ? cfg_.graphroot + "/vfs/dir" : cfg_.graphroot + "/overlay";
}

Result<std::vector<ForeignContainer>> ForeignStorage::containers() const {
  std::vector<ForeignContainer> out;
  if (!fs::isDir(containersDir())) return out;
  auto lock = TRY(StoreFileLock::take(containersDir() + "/containers.lock", false));
  std::map<std::string, std::string> image_names;
  if (fs::isDir(cfg_.graphroot + "/" + cfg_.driver + "-images")) {
    std::string images_path = cfg_.graphroot + "/" + cfg_.driver + "-images/images.json";
    auto images_lock = TRY(StoreFileLock::take(cfg_.graphroot + "/" + cfg_.driver + "-images/images.lock", false));
    Json images = TRY(readArrayFile(images_path));
    for (size_t i = 0; i < images.size(); ++i) {
      std::string where = images_path + json::indexPath("", i);
      auto names = TRY(json::optStrings(images[i], "names", where));
      image_names[TRY(json::getString(images[i], "id", where))] = names.empty() ? "" : names[0];
    }
  }
  // Newer containers/storage keeps volatile containers in the runroot.
  for (const std::string& path :
       {containersDir() + "/containers.json", cfg_.runroot + "/" + cfg_.driver + "-containers/volatile-containers.json"}) {
    Json arr = TRY(readArrayFile(path));
    for (size_t i = 0; i < arr.size(); ++i) {
      const Json& j = arr[i];
      std::string where = path + json::indexPath("", i);
      ForeignContainer c;
      c.id = TRY(json::getString(j, "id", where));
      if (!isHexId(c.id)) return makeError(Code::kInvalidArgument, "{}.id: {:?} is not a container ID", where, c.id);
      c.names = TRY(json::optStrings(j, "names", where));
      c.image_id = TRY(json::optString(j, "image", where));
      c.layer = TRY(json::optString(j, "layer", where));
      if (!c.layer.empty() && !isHexId(c.layer))
        return makeError(Code::kInvalidArgument, "{}.layer: {:?} is not a layer ID", where, c.layer);
      if (auto created = TRY(json::optString(j, "created", where)); !created.empty())
        c.created = TRY_CTX(parseRfc3339(created), "{}.created", where);
      if (auto it = image_names.find(c.image_id); it != image_names.end()) c.image_name = it->second;
      if (const Json* flags = TRY(json::optObject(j, "flags", where)))
        c.is_volatile = TRY(json::optBool(*flags, "Volatile", where + ".flags"));
      c.buildah = fs::exists(containersDir() + "/" + c.id + "/userdata/buildah.json");
      // libpod (and CRI-O) keep their own record of a container in this metadata.
      if (auto md = TRY(json::optString(j, "metadata", where)); !md.empty()) {
        auto parsed = parseJson(md, where + ".metadata");
        c.podman = parsed.ok() && parsed->is_object() && parsed->contains("created-at") && parsed->contains("name");
      }
      out.push_back(std::move(c));
    }
  }
  return out;
}

Result<std::optional<ForeignContainer>> ForeignStorage::find(const std::string& name_or_id) const {
  if (name_or_id.empty()) return std::nullopt;
  auto all = TRY(containers());
  for (auto& c : all)
    if (c.id == name_or_id) return c;
  for (auto& c : all)
    for (auto& n : c.names)
      if (n == name_or_id) return c;
  std::optional<ForeignContainer> hit;
  for (auto& c : all)
    if (c.id.compare(0, name_or_id.size(), name_or_id) == 0) {
      if (hit) return makeError(Code::kInvalidArgument, "more than one storage container matches {:?}", name_or_id);
      hit = c;
    }
  return hit;
}

Result<ForeignLayers> ForeignStorage::layers(const ForeignContainer& c) const {
  if (c.layer.empty()) return makeError(Code::kFailedPrecondition, "storage container {} has no layer", c.id);
  auto lock = TRY(StoreFileLock::take(layersDir() + "/layers.lock", false));
  std::string path = layersDir() + "/layers.json";
  auto entries = TRY(layerEntries(TRY(readArrayFile(path)), path));
  auto parentOf = [&](const std::string& id) -> Result<std::string> {
    for (auto& e : entries)
      if (e.id == id) {
        if (!e.parent.empty() && !isHexId(e.parent))
          return makeError(Code::kInvalidArgument, "{}: layer {}: parent {:?} is not a layer ID", path, id, e.parent);
        return e.parent;
      }
    return makeError(Code::kNotFound, "{}: no layer {}", path, id);
  };
  ForeignLayers out;
  std::string parent = TRY(parentOf(c.layer));
  if (cfg_.driver == "vfs") {
    out.upper = driverDir() + "/" + c.layer;
    if (!parent.empty()) out.lowers.push_back(driverDir() + "/" + parent);
    return out;
  }
  out.upper = driverDir() + "/" + c.layer + "/diff";
  for (int depth = 0; !parent.empty(); ++depth) {
    if (depth >= kMaxLayerDepth)
      return makeError(Code::kInvalidArgument, "{}: layer {} stacks on more than {} layers", path, c.layer,
                       kMaxLayerDepth);
    out.lowers.push_back(driverDir() + "/" + parent + "/diff");
    parent = TRY(parentOf(parent));
  }
  return out;
}

Result<std::optional<std::string>> ForeignStorage::mountPoint(const ForeignContainer& c) const {
  if (!fs::isDir(mountsDir())) return std::nullopt;
  auto lock = TRY(StoreFileLock::take(mountsDir() + "/mountpoints.lock", false));
  std::string path = mountsDir() + "/mountpoints.json";
  auto m = TRY(findMount(TRY(readArrayFile(path)), c.layer, path));
  if (!m || m->count <= 0) return std::nullopt;
  return m->path;
}

Result<std::string> ForeignStorage::mount(const ForeignContainer& c) {
  if (c.layer.empty()) return makeError(Code::kFailedPrecondition, "storage container {} has no layer", c.id);
  auto layers_lock = TRY(StoreFileLock::take(layersDir() + "/layers.lock", true));
  TRY(fs::mkdirAll(mountsDir(), 0700));
  auto mounts_lock = TRY(StoreFileLock::take(mountsDir() + "/mountpoints.lock", true));
  std::string mounts_path = mountsDir() + "/mountpoints.json";
  Json mounts = TRY(readArrayFile(mounts_path));
  auto entry = TRY(findMount(mounts, c.layer, mounts_path));
  std::string layer_dir = driverDir() + "/" + c.layer;
  std::string target = cfg_.driver == "vfs" ? layer_dir : layer_dir + "/merged";
  if (entry && entry->count > 0 && (cfg_.driver == "vfs" || sys::isMountPoint(target))) {
    setMount(mounts, c.layer, target, entry->count + 1);
  } else if (cfg_.driver == "vfs") {
    if (!fs::isDir(layer_dir)) return makeError(Code::kNotFound, "layer directory {} of container {} is missing", layer_dir, c.id);
    setMount(mounts, c.layer, target, 1);
  } else {
    if (!fs::isDir(layer_dir + "/diff"))
      return makeError(Code::kNotFound, "layer directory {} of container {} is missing", layer_dir, c.id);
    // The lower file lists the layers below as l/<link> names, top first, relative to
    // the driver's directory (short, so that long chains fit in a page).
    std::string lowers;
    if (fs::exists(layer_dir + "/lower")) {
      std::string text = TRY(fs::readFile(layer_dir + "/lower"));
      while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
      size_t start = 0;
      while (start <= text.size()) {
        size_t end = text.find(':', start);
        if (end == std::string::npos) end = text.size();
        std::string item = text.substr(start, end - start);
        if (item.compare(0, 2, "l/") != 0 || !isLinkName(item.substr(2)))
          return makeError(Code::kInvalidArgument, "{}/lower: {:?} is not a layer link", layer_dir, item);
        lowers += (lowers.empty() ? "" : ":") + item;
        start = end + 1;
      }
    } else {
      TRY(fs::mkdirAll(layer_dir + "/empty", 0700));
      lowers = layer_dir + "/empty";
    }
    TRY_CTX(ensurePrivateMount(driverDir()), "make {} a private mount", driverDir());
    TRY(fs::mkdirAll(layer_dir + "/work", 0700));
    // A "volatile" mount leaves this behind, and overlay refuses the next mount while it
    // exists (the library removes it before every mount too).
    TRY(fs::removeAll(layer_dir + "/work/work/incompat/volatile"));
    if (::mkdir(target.c_str(), 0700) != 0 && errno != EEXIST) return errnoError("mkdir {}", target);
    std::string data =
        "lowerdir=" + lowers + ",upperdir=" + layer_dir + "/diff,workdir=" + layer_dir + "/work";
    unsigned long flags = 0;
    for (size_t start = 0; start < cfg_.mount_options.size();) {
      size_t end = cfg_.mount_options.find(',', start);
      if (end == std::string::npos) end = cfg_.mount_options.size();
      std::string opt = cfg_.mount_options.substr(start, end - start);
      if (opt == "nodev") flags |= MS_NODEV;
      else if (opt == "nosuid") flags |= MS_NOSUID;
      else if (opt == "noexec") flags |= MS_NOEXEC;
      else if (!opt.empty()) data += "," + opt;
      start = end + 1;
    }
    if (c.is_volatile) data += ",volatile";
    if (data.size() >= 4096)
      return makeError(Code::kInvalidArgument, "overlay mount data of container {} exceeds a page", c.id);
    TRY_CTX(sys::mount("overlay", target, "overlay", flags, data, driverDir()), "mount storage container {}", c.id);
    setMount(mounts, c.layer, target, 1);
  }
  TRY(writeArrayFile(mounts_path, mounts));
  TRY(mounts_lock.touch());
  return target;
}

Status ForeignStorage::unmount(const ForeignContainer& c, bool force) {
  auto layers_lock = TRY(StoreFileLock::take(layersDir() + "/layers.lock", true));
  if (!TRY(dropMountLocked(c, force)))
    return makeError(Code::kFailedPrecondition, "storage container {} is not mounted", c.id);
  return {};
}

Result<bool> ForeignStorage::dropMountLocked(const ForeignContainer& c, bool force) {
  if (!fs::isDir(mountsDir())) return false;
  auto mounts_lock = TRY(StoreFileLock::take(mountsDir() + "/mountpoints.lock", true));
  std::string mounts_path = mountsDir() + "/mountpoints.json";
  Json mounts = TRY(readArrayFile(mounts_path));
  auto entry = TRY(findMount(mounts, c.layer, mounts_path));
  if (!entry || entry->count <= 0) return false;
  int64_t left = force ? 0 : entry->count - 1;
  std::string target = driverDir() + "/" + c.layer + "/merged";
  if (left == 0 && cfg_.driver == "overlay") {
    TRY_CTX(sys::unmount(target, true), "unmount storage container {}", c.id);
    if (::rmdir(target.c_str()) != 0 && errno != ENOENT) return errnoError("remove {}", target);
  }
  setMount(mounts, c.layer, entry->path, left);
  TRY(writeArrayFile(mounts_path, mounts));
  TRY(mounts_lock.touch());
  return true;
}

Status ForeignStorage::remove(const ForeignContainer& c, bool force) {
  if (c.podman)
    return makeError(Code::kFailedPrecondition,
                     "storage container {} belongs to podman (or CRI-O), which keeps its own record of it: remove "
                     "it with that engine",
                     c.id);
  if (!c.layer.empty()) {
    auto layers_lock = TRY(StoreFileLock::take(layersDir() + "/layers.lock", true));
    if (!force && TRY(mountPoint(c)))
      return makeError(Code::kFailedPrecondition,
                       "container {:?} is mounted and cannot be removed without using force: container state improper",
                       c.id);
    TRY(dropMountLocked(c, true));
    std::string path = layersDir() + "/layers.json";
    Json layers = TRY(readArrayFile(path));
    auto entries = TRY(layerEntries(layers, path));
    for (auto& e : entries)
      if (e.parent == c.layer)
        return makeError(Code::kFailedPrecondition, "layer {} of storage container {} has child layer {}", c.layer,
                         c.id, e.id);
    size_t index = 0;
    while (index < entries.size() && entries[index].id != c.layer) ++index;
    if (index < entries.size()) {
      // As the library does: flag the layer incomplete first, so that a removal cut short
      // is finished by whoever loads the file next.
      Json& flags = layers[index]["flags"];
      if (!flags.is_object()) flags = Json::object();
      flags["incomplete"] = true;
      TRY(writeArrayFile(path, layers));
      TRY(layers_lock.touch());
      std::string layer_dir = driverDir() + "/" + c.layer;
      if (cfg_.driver == "overlay") {
        if (auto link = fs::readFile(layer_dir + "/link"); link.ok() && isLinkName(*link))
          ::unlink((driverDir() + "/l/" + *link).c_str());
      }
      TRY(sys::removeAllOnOneMount(layer_dir));
      ::unlink((layersDir() + "/" + c.layer + ".tar-split.gz").c_str());
      TRY(fs::removeAll(layersDir() + "/" + c.layer));
      layers.erase(layers.begin() + static_cast<std::ptrdiff_t>(index));
      TRY(writeArrayFile(path, layers));
      TRY(layers_lock.touch());
    }
  }
  auto lock = TRY(StoreFileLock::take(containersDir() + "/containers.lock", true));
  for (const std::string& path :
       {containersDir() + "/containers.json", cfg_.runroot + "/" + cfg_.driver + "-containers/volatile-containers.json"}) {
    Json arr = TRY(readArrayFile(path));
    Json kept = Json::array();
    for (auto& j : arr)
      if (!(j.contains("id") && j["id"].is_string() && j["id"].get<std::string>() == c.id)) kept.push_back(j);
    if (kept.size() != arr.size()) TRY(writeArrayFile(path, kept));
  }
  TRY(lock.touch());
  TRY(fs::removeAll(containersDir() + "/" + c.id));
  TRY(fs::removeAll(cfg_.runroot + "/" + cfg_.driver + "-containers/" + c.id));
  return {};
}

}  // namespace berth::store
