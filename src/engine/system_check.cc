// system check: consistency of the state DB against the content store, the layer store and container dirs.
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <set>

#include "base/digest.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "engine/container_service.h"
#include "engine/engine.h"
#include "engine/image_service.h"
#include "engine/store_lock.h"
#include "engine/system_service.h"
#include "state/containers.h"
#include "state/images.h"

namespace berth::engine {

namespace {

// Rehashes a stored blob (the slow part that --quick skips).
Result<bool> blobIntact(Engine& e, const std::string& digest) {
  UniqueFd fd = TRY(e.content().open(digest));
  Sha256 h;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errnoError("read blob {}", digest);
    }
    if (n == 0) break;
    h.update(std::string_view(buf, size_t(n)));
  }
  return h.digest() == digest;
}

int64_t mtimeNs(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) < 0) return 0;
  return int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

}  // namespace

Result<api::SystemCheckReport> LocalSystemService::check(const api::SystemCheckRequest& req) {
  api::SystemCheckReport r;
  bool repair = req.repair || req.force;
  // Nothing is written while the store is checked (and repaired).
  StoreLock lock = TRY(StoreLock::exclusive(e_.options().root));
  auto& layers = e_.layers();
  auto images = TRY(state::listImages(e_.db()));
  auto containers = TRY(state::listContainers(e_.db()));
  std::string layer_root = layers.root();

  // --- layers: every layer directory must be complete ---
  std::set<std::string> damaged_layers;
  if (auto names = fs::listDir(layer_root); names.ok()) {
    for (auto& n : *names) {
      if (n.size() != 64 || n.find_first_not_of("0123456789abcdef") != std::string::npos) continue;
      std::string chain = "sha256:" + n;
      auto info = layers.get(chain);
      std::vector<std::string> problems;
      if (!info.ok()) problems.push_back(fmt::format("layer metadata unreadable: {}", info.error().what()));
      else if (!fs::isDir(info->path)) problems.push_back("layer contents directory is missing");
      else if (!info->parent.empty() && !layers.exists(info->parent))
        problems.push_back(fmt::format("parent layer {} is missing", info->parent));
      if (problems.empty()) continue;
      r.layers[chain] = problems;
      damaged_layers.insert(chain);
    }
  }

  // --- images: their blobs and layers ---
  std::set<std::string> used_layers;
  std::map<std::string, bool> image_fixable;  // damaged image -> can be rebuilt from its blobs
  for (auto& img : images) {
    std::vector<std::string> problems;
    bool blobs_ok = true;
    auto need_blob = [&](const std::string& digest, std::string_view what) {
      if (digest.empty()) return;
      if (!e_.content().has(digest)) {
        problems.push_back(fmt::format("{} blob {} is missing", what, digest));
        blobs_ok = false;
      } else if (!req.quick) {
        auto ok = blobIntact(e_, digest);
        if (!ok.ok() || !*ok) {
          problems.push_back(fmt::format("{} blob {} does not match its digest", what, digest));
          blobs_ok = false;
        }
      }
    };
    need_blob("sha256:" + img.id, "config");
    need_blob(img.digest, "manifest");
    for (auto& l : img.layers) {
      used_layers.insert(l.chain_id);
      bool present = layers.exists(l.chain_id) && !damaged_layers.count(l.chain_id);
      if (!present) problems.push_back(fmt::format("layer {} is missing or damaged", l.chain_id));
      // A layer's blob matters only to rebuild the layer (or to save/push it).
      if (!present) need_blob(l.digest, "layer");
    }
    if (problems.empty()) continue;
    r.images[img.id] = problems;
    image_fixable[img.id] = blobs_ok;
  }

  // --- containers: image, layers and directories ---
  std::set<std::string> ids;
  std::set<std::string> image_ids;
  for (auto& img : images) image_ids.insert(img.id);
  std::map<std::string, bool> ctr_fixable;  // damaged container -> fixed by its image's repair
  for (auto& c : containers) {
    ids.insert(c.id);
    std::vector<std::string> problems;
    auto top = c.config.value("layers_top_first", std::vector<std::string>{});
    for (auto& l : top) used_layers.insert(l);
    bool image_ok = image_ids.count(c.image_id) && !r.images.count(c.image_id);
    bool fixable = image_ids.count(c.image_id) && (!r.images.count(c.image_id) || image_fixable[c.image_id]);
    if (!image_ids.count(c.image_id)) problems.push_back(fmt::format("image {} is missing", c.image_id));
    else if (!image_ok) problems.push_back(fmt::format("image {} is damaged", c.image_id));
    for (auto& l : top)
      if (!layers.exists(l) || damaged_layers.count(l)) {
        problems.push_back(fmt::format("layer {} is missing or damaged", l));
        break;
      }
    std::string static_dir = e_.options().root + "/containers/" + c.id;
    if (e_.driver() == "overlay" && !fs::isDir(static_dir + "/upper")) {
      problems.push_back("container layer directory is missing");
      fixable = false;
    }
    if (problems.empty()) continue;
    r.containers[c.id] = problems;
    ctr_fixable[c.id] = fixable;
  }

  // --- garbage: container dirs without a record, unreferenced layers, name rows without an image ---
  std::vector<std::string> orphan_dirs;
  for (const std::string* base : {&e_.options().root, &e_.options().runroot})
    if (auto names = fs::listDir(*base + "/containers"); names.ok())
      for (auto& n : *names)
        if (!ids.count(n)) {
          orphan_dirs.push_back(*base + "/containers/" + n);
          r.containers[n].push_back(fmt::format("directory {} has no container record", orphan_dirs.back()));
        }
  std::vector<std::string> unreferenced;
  int64_t now = nowNanos();
  for (auto& info : TRY(layers.list())) {
    if (used_layers.count(info.chain_id) || damaged_layers.count(info.chain_id)) continue;
    std::string dir = layer_root + "/" + std::string(digestHex(info.chain_id));
    if (now - mtimeNs(dir + "/meta.json") < req.max_age_ns) continue;  // may be an ingest in progress
    unreferenced.push_back(info.chain_id);
    r.layers[info.chain_id].push_back("layer is not used by any image or container");
  }
  std::vector<std::pair<std::string, std::string>> orphan_names;
  {
    auto s = TRY(e_.db().prepare("SELECT name, image_id FROM image_names WHERE image_id NOT IN (SELECT id FROM images)"));
    while (TRY(s.next())) orphan_names.emplace_back(s.text(0), s.text(1));
  }
  for (auto& [name, id] : orphan_names)
    r.images[id].push_back(fmt::format("name {} refers to an image that does not exist", name));

  r.errors = !r.layers.empty() || !r.images.empty() || !r.containers.empty();
  if (!repair || !r.errors) return r;

  // --- repair ---
  auto* img_svc = dynamic_cast<LocalImageService*>(&e_.images());
  // Damaged containers go first (only with --force): their layers are then free.
  for (auto& [id, fixable] : ctr_fixable) {
    if (fixable || !req.force) continue;
    api::ContainerRemoveRequest rm;
    rm.names = {id};
    rm.force = true;
    rm.timeout = 0;
    auto res = e_.containers().remove(rm);
    if (res.ok() && !res->empty() && !(*res)[0].error) r.removed_containers.push_back(id);
    else LOG_WARN("remove damaged container {}: {}", id, res.ok() && !res->empty() && (*res)[0].error ? (*res)[0].error->what() : "failed");
  }
  for (auto& d : orphan_dirs) {
    if (auto s = fs::removeAll(d); s.ok()) r.removed_containers.push_back(d.substr(d.rfind('/') + 1));
  }
  for (auto& chain : damaged_layers) {
    if (layers.exists(chain)) (void)layers.remove(chain);
    else (void)fs::removeAll(layer_root + "/" + std::string(digestHex(chain)));
    r.removed_layers.push_back(chain);
  }
  for (auto& chain : unreferenced)
    if (layers.remove(chain).ok()) r.removed_layers.push_back(chain);
  if (!orphan_names.empty())
    TRY(e_.db().transaction([&]() -> Status {
      auto s = TRY(e_.db().prepare("DELETE FROM image_names WHERE image_id NOT IN (SELECT id FROM images)"));
      return s.run();
    }));
  for (auto& img : images) {
    if (!r.images.count(img.id) || !image_fixable.count(img.id)) continue;
    if (image_fixable[img.id]) {
      // Every blob is there: unpack the missing layers again.
      auto rec = img_svc->commitImage("sha256:" + img.id, img.digest, img.manifest_type, img.layers, {});
      if (rec.ok()) continue;
      LOG_WARN("rebuild image {}: {}", img.id.substr(0, 12), rec.error().what());
    }
    // Lost for good: the image goes (its users too, with --force).
    bool used = false;
    for (auto& c : containers) used |= c.image_id == img.id;
    if (used && !req.force) continue;
    if (used) {
      for (auto& c : containers) {
        if (c.image_id != img.id) continue;
        api::ContainerRemoveRequest rm;
        rm.names = {c.id};
        rm.force = true;
        rm.timeout = 0;
        if (auto res = e_.containers().remove(rm); res.ok()) r.removed_containers.push_back(c.id);
      }
    }
    TRY(e_.db().transaction([&]() -> Status {
      auto s = TRY(e_.db().prepare("DELETE FROM image_names WHERE image_id = ?"));
      s.bind(1, img.id);
      TRY(s.run());
      auto d = TRY(e_.db().prepare("DELETE FROM images WHERE id = ?"));
      d.bind(1, img.id);
      return d.run();
    }));
    r.removed_images.push_back(img.id);
  }
  // Blobs and layers only the removed images held.
  if (!r.removed_images.empty()) TRY(img_svc->collectGarbage());
  return r;
}

}  // namespace berth::engine
