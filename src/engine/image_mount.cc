// image mount/unmount: read-only mounts of an image's layers, counted per image under the runroot.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/log.h"
#include "copy/changes.h"
#include "engine/engine.h"
#include "engine/event_emit.h"
#include "engine/image_service.h"
#include "state/images.h"
#include "sys/mounts.h"

namespace berth::engine {

namespace {

struct ImageMountPaths {
  std::string dir, merged, count, lock;
};

ImageMountPaths imagePaths(const Engine& e, const std::string& id) {
  ImageMountPaths p;
  p.dir = e.options().runroot + "/images/" + id;
  p.merged = p.dir + "/merged";
  p.count = p.dir + "/mounts";
  p.lock = p.dir + "/lock";
  return p;
}

Result<UniqueFd> lockImage(const ImageMountPaths& p) {
  TRY(fs::mkdirAll(p.dir, 0700));
  UniqueFd fd(::open(p.lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) return errnoError("open {}", p.lock);
  while (::flock(fd.get(), LOCK_EX) < 0)
    if (errno != EINTR) return errnoError("lock {}", p.lock);
  return fd;
}

int readCount(const std::string& path) {
  auto s = fs::readFile(path);
  return s.ok() ? std::atoi(s->c_str()) : 0;
}

}  // namespace

Result<std::string> LocalImageService::mount(const std::string& image) {
  auto ri = TRY(resolve(image));
  auto p = imagePaths(e_, ri.rec.id);
  UniqueFd lock = TRY(lockImage(p));
  int n = readCount(p.count);
  if (!sys::isMountPoint(p.merged)) {
    TRY(fs::mkdirAll(p.merged, 0755));
    std::vector<std::string> chain;
    if (!ri.rec.top_layer.empty()) chain = TRY(e_.layers().chainOf(ri.rec.top_layer));
    if (chain.size() <= 1 || e_.driver() != "overlay") {
      // One layer (or vfs, whose top layer holds the whole tree): a read-only bind.
      std::string src = chain.empty() ? p.dir + "/empty" : TRY(e_.layers().get(chain.front())).path;
      TRY(fs::mkdirAll(src, 0755));
      TRY(sys::mount(src, p.merged, "", MS_BIND, ""));
      TRY(sys::mount("", p.merged, "", MS_REMOUNT | MS_BIND | MS_RDONLY, ""));
    } else {
      std::string lower;
      for (auto& c : chain) {
        auto info = TRY(e_.layers().get(c));
        if (!lower.empty()) lower += ':';
        lower += "l/" + info.link;
      }
      // Without an upper dir overlay is read-only; lowerdirs are relative to the store root.
      TRY(sys::mount("overlay", p.merged, "overlay", MS_RDONLY, "lowerdir=" + lower, e_.layers().root()));
    }
    n = 0;
  }
  TRY(fs::writeFileReplace(p.count, std::to_string(n + 1) + "\n"));
  emitImageEvent(e_, "mount", ri.rec.id, ri.matched_name.empty() ? ri.rec.id : ri.matched_name);
  return p.merged;
}

Result<std::string> LocalImageService::unmount(const std::string& image, bool force) {
  auto ri = resolve(image);
  if (!ri.ok()) {
    if (ri.error().code() == Code::kNotFound) return makeError(Code::kNotFound, "{}: image not known", image);
    return std::move(ri).error();
  }
  auto p = imagePaths(e_, ri->rec.id);
  if (!fs::isDir(p.dir)) return std::string();
  UniqueFd lock = TRY(lockImage(p));
  if (!sys::isMountPoint(p.merged)) {
    ::unlink(p.count.c_str());
    return std::string();
  }
  int n = force ? 0 : readCount(p.count) - 1;
  if (n > 0) {
    TRY(fs::writeFileReplace(p.count, std::to_string(n) + "\n"));
    return ri->rec.id;
  }
  // A container's rw image mount may still use it as an overlay lower dir: detach it then.
  for (int i = 0; i < 4 && sys::isMountPoint(p.merged); ++i) {
    Status s = sys::unmount(p.merged, i > 0);
    if (!s.ok() && i == 3) return std::move(s).error();
  }
  ::unlink(p.count.c_str());
  emitImageEvent(e_, "unmount", ri->rec.id, ri->matched_name.empty() ? ri->rec.id : ri->matched_name);
  return ri->rec.id;
}

void LocalImageService::dropStaleMounts() {
  auto ids = fs::listDir(e_.options().runroot + "/images");
  if (!ids.ok()) return;
  for (const std::string& id : *ids) {
    auto rec = state::getImage(e_.db(), id);
    if (!rec.ok() || *rec) continue;
    // The image is gone: its read-only mount would show layers about to be deleted.
    auto p = imagePaths(e_, id);
    auto lock = lockImage(p);
    if (!lock.ok()) continue;
    for (int i = 0; i < 4 && sys::isMountPoint(p.merged); ++i)
      if (auto s = sys::unmount(p.merged, true); !s.ok()) LOG_WARN("unmount removed image {}: {}", id, s.error().what());
    if (!sys::isMountPoint(p.merged)) (void)fs::removeAll(p.dir);
  }
}

Result<std::vector<api::MountedImage>> LocalImageService::mounted() {
  std::vector<api::MountedImage> out;
  auto ids = fs::listDir(e_.options().runroot + "/images");
  if (!ids.ok()) return out;
  auto all = TRY(state::listImages(e_.db()));
  for (auto& img : all) {
    auto p = imagePaths(e_, img.id);
    if (!sys::isMountPoint(p.merged)) continue;
    out.push_back(api::MountedImage{img.id, img.names, p.merged});
  }
  return out;
}

Result<std::vector<api::FileChange>> LocalImageService::diff(const std::string& image) {
  auto ri = TRY(resolve(image));
  std::vector<std::string> chain;
  if (!ri.rec.top_layer.empty()) chain = TRY(e_.layers().chainOf(ri.rec.top_layer));
  std::vector<copy::Change> changes;
  if (!chain.empty()) {
    std::string top = TRY(e_.layers().get(chain.front())).path;
    if (e_.driver() == "overlay") {
      std::vector<std::string> lowers;
      for (size_t i = 1; i < chain.size(); ++i) lowers.push_back(TRY(e_.layers().get(chain[i])).path);
      changes = TRY(copy::overlayChanges(lowers, top));
    } else {
      std::string base = chain.size() > 1 ? TRY(e_.layers().get(chain[1])).path : "/nonexistent";
      changes = TRY(copy::naiveChanges(base, top));
    }
  }
  std::vector<api::FileChange> out;
  for (auto& c : changes) out.push_back(api::FileChange{c.path, copy::changeLetter(c.kind)});
  return out;
}

}  // namespace berth::engine
