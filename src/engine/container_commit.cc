// Container layers: diff, export, commit, and user mounts of the root file system.
#include <fcntl.h>
#include <unistd.h>

#include <thread>

#include "base/digest.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "copy/changes.h"
#include "copy/tar.h"
#include "copy/walk.h"
#include "engine/container_service.h"
#include "engine/engine.h"
#include "engine/image_changes.h"
#include "engine/image_service.h"
#include "engine/store_lock.h"
#include "image/image_config.h"
#include "image/reference.h"
#include "state/images.h"
#include "sys/mounts.h"

namespace berth::engine {

namespace {

constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
constexpr std::string_view kOciLayerTar = "application/vnd.oci.image.layer.v1.tar";
constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
constexpr std::string_view kDockerLayerTar = "application/vnd.docker.image.rootfs.diff.tar";

std::string dockerLayerType(const std::string& oci) {
  if (oci == "application/vnd.oci.image.layer.v1.tar+gzip") return "application/vnd.docker.image.rootfs.diff.tar.gzip";
  if (oci == "application/vnd.oci.image.layer.v1.tar+zstd") return "application/vnd.docker.image.rootfs.diff.tar.zstd";
  if (oci == std::string(kOciLayerTar)) return std::string(kDockerLayerTar);
  return oci;
}
std::string ociLayerType(const std::string& docker) {
  if (docker == "application/vnd.docker.image.rootfs.diff.tar.gzip") return "application/vnd.oci.image.layer.v1.tar+gzip";
  if (docker == "application/vnd.docker.image.rootfs.diff.tar.zstd") return "application/vnd.oci.image.layer.v1.tar+zstd";
  if (docker == std::string(kDockerLayerTar)) return std::string(kOciLayerTar);
  return docker;
}

}  // namespace

// The name a committed, imported or built image gets: short names live under localhost/.
Result<std::string> normalizeNewName(const std::string& input) {
  auto ref = TRY(image::parseNormalizedNamed(input));
  if (!ref.digest.empty())
    return makeError(Code::kInvalidArgument, "{}: the name of a new image cannot contain a digest", input);
  if (image::isShortName(input)) {
    std::string path = ref.path.rfind("library/", 0) == 0 && input.find("library/") != 0 ? ref.path.substr(8) : ref.path;
    return "localhost/" + path + ":" + (ref.tag.empty() ? "latest" : ref.tag);
  }
  return image::withDefaultTag(ref).string();
}

namespace {

// Streams a layer produced by `produce` (writing a tar to an fd) into the
// content store and the layer store at once: the tar is read once, hashed,
// stored as a blob and unpacked on top of `parent`.
struct NewLayer {
  store::BlobInfo blob;
  store::LayerInfo layer;
};
Result<NewLayer> storeLayer(Engine& e, const std::string& parent, const std::function<Status(int fd)>& produce) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return errnoError("pipe");
  UniqueFd rd(p[0]), wr(p[1]);
  (void)::fcntl(rd.get(), F_SETPIPE_SZ, 1 << 20);
  Status produced;
  std::thread producer([&] {
    produced = produce(wr.get());
    wr.reset();  // EOF for the reader, also after an error
  });
  // The blob is the uncompressed tar, so its digest is the diff ID extraction computes over
  // the whole stream (it reads to the end): hashed once, there.
  auto writer = e.content().beginWrite(store::ContentStore::HashedBy::kCaller);
  Result<store::LayerInfo> layer = makeError(Code::kInternal, "no layer");
  if (writer.ok()) {
    store::Reader tee = [&](char* buf, size_t n) -> Result<size_t> {
      size_t got = TRY(store::fdReader(rd.get())(buf, n));
      if (got) TRY(writer->write(buf, got));
      return got;
    };
    layer = e.layers().ensure(parent, "", tee);
    char buf[1];
    if (layer.ok()) {
      if (auto more = tee(buf, sizeof buf); !more.ok()) layer = std::move(more).error();
      else if (*more) layer = makeError(Code::kInternal, "layer tar continues after extraction reached its end");
    }
  }
  rd.reset();  // unblocks a producer stuck on a full pipe after a failure
  producer.join();
  TRY(std::move(produced));
  if (!writer.ok()) return std::move(writer).error();
  if (!layer.ok()) return std::move(layer).error();
  NewLayer out;
  out.layer = *layer;
  out.blob = TRY(writer->commit(layer->diff_id));
  return out;
}

}  // namespace

// The container's changes as a layer tar: its overlay upper directory, or on vfs the
// difference between its copy and the image's top layer.
Status layerDiffTar(Engine& e, const ContainerPaths& p, const std::vector<std::string>& layers, copy::Sink& sink) {
  if (e.driver() == "overlay") {
    if (!fs::isDir(p.upper)) return sink.finish();
    return copy::overlayLayerTar(p.upper, sink);
  }
  std::string base = layers.empty() ? "/nonexistent" : TRY(e.layers().get(layers.front())).path;
  auto changes = TRY(copy::naiveChanges(base, p.upper));
  std::erase_if(changes, [](auto& c) { return copy::isInitInode(c.path); });
  return copy::naiveLayerTar(p.upper, changes, sink);
}

namespace {

// podman commit's image config: the base image's, updated with what the
// container runs with, then the -c changes.
Result<Json> commitConfig(const Json& base, const state::ContainerRecord& rec, const Json& oci,
                          const api::CommitRequest& req) {
  Json cfg = base.is_object() ? base : Json::object();
  Json c = cfg.contains("config") && cfg["config"].is_object() ? cfg["config"] : Json::object();
  const Json& spec = rec.config["spec"];
  if (spec.contains("entrypoint") && spec["entrypoint"].is_array()) c["Entrypoint"] = spec["entrypoint"];
  if (rec.config.contains("command") && rec.config["command"].is_array()) {
    // The container's command line minus its entrypoint is its Cmd.
    Json cmd = rec.config["command"];
    Json ep = c.value("Entrypoint", Json::array());
    if (ep.is_array() && cmd.size() >= ep.size() && std::equal(ep.begin(), ep.end(), cmd.begin()))
      cmd = Json(std::vector<Json>(cmd.begin() + long(ep.size()), cmd.end()));
    c["Cmd"] = cmd;
  }
  if (oci.is_object() && oci.contains("process") && oci["process"].is_object()) {
    const Json& proc = oci["process"];
    if (proc.contains("env") && proc["env"].is_array()) {
      Json env = c.value("Env", Json::array());
      if (!env.is_array()) env = Json::array();
      for (auto& kv : proc["env"]) {
        if (!kv.is_string()) continue;
        std::string s = kv.get<std::string>();
        std::string key = s.substr(0, s.find('='));
        bool replaced = false;
        for (auto& old : env)
          if (old.is_string() && old.get<std::string>().substr(0, old.get<std::string>().find('=')) == key) {
            old = s;
            replaced = true;
          }
        if (!replaced) env.push_back(s);
      }
      c["Env"] = env;
    }
    if (proc.contains("cwd") && proc["cwd"].is_string()) c["WorkingDir"] = proc["cwd"];
  }
  if (spec.contains("labels") && spec["labels"].is_object() && !spec["labels"].empty()) {
    Json labels = c.value("Labels", Json::object());
    if (!labels.is_object()) labels = Json::object();
    for (auto& [k, v] : spec["labels"].items()) labels[k] = v;
    c["Labels"] = labels;
  }
  if (std::string user = spec.value("user", std::string()); !user.empty()) c["User"] = user;
  TRY(applyChanges(c, req.changes));
  cfg["config"] = c;
  return cfg;
}

}  // namespace

// --- user mounts ----------------------------------------------------------------

namespace {
std::vector<api::FileChange> fileChanges(const std::vector<copy::Change>& changes) {
  std::vector<api::FileChange> out;
  for (auto& c : changes) {
    if (copy::isInitInode(c.path)) continue;
    out.push_back(api::FileChange{c.path, copy::changeLetter(c.kind)});
  }
  return out;
}
}  // namespace

namespace {
int readCount(const std::string& path) {
  auto s = fs::readFile(path);
  return s.ok() ? std::atoi(s->c_str()) : 0;
}
}  // namespace

int LocalContainerService::userMounts(const std::string& id) const { return readCount(paths(id).run_dir + "/mounts"); }

Status LocalContainerService::setUserMounts(const std::string& id, int n) {
  auto p = paths(id);
  if (n <= 0) {
    ::unlink((p.run_dir + "/mounts").c_str());
    return {};
  }
  TRY(fs::mkdirAll(p.run_dir, 0700));
  return fs::writeFileReplace(p.run_dir + "/mounts", std::to_string(n) + "\n");
}

Result<std::string> LocalContainerService::mount(const std::string& name) {
  auto found0 = state::findContainer(e_.db(), name);
  if (!found0.ok() && found0.error().code() == Code::kNotFound)
    if (auto foreign = findForeignOrWarn(name)) return foreign->storage.mount(foreign->c);
  auto found = TRY(std::move(found0));
  auto lock = TRY(ContainerLock::take(e_.options().runroot, found.id));
  auto rec = TRY(state::getContainer(e_.db(), found.id));
  if (!rec) return makeError(Code::kNotFound, "no container with name or ID {:?} found: no such container", name);
  TRY(syncLocked(*rec));
  TRY(mountRootfs(*rec));
  TRY(setUserMounts(rec->id, userMounts(rec->id) + 1));
  emitContainerEvent(*rec, "mount");
  return paths(rec->id).merged;
}

Status LocalContainerService::unmount(const std::string& name, bool force) {
  auto found0 = state::findContainer(e_.db(), name);
  if (!found0.ok() && found0.error().code() == Code::kNotFound)
    if (auto foreign = findForeignOrWarn(name)) {
      // As podman: a storage container that is not mounted is no error.
      if (!TRY(foreign->storage.mountPoint(foreign->c))) return {};
      return foreign->storage.unmount(foreign->c, force);
    }
  auto found = TRY(std::move(found0));
  auto lock = TRY(ContainerLock::take(e_.options().runroot, found.id));
  auto rec = TRY(state::getContainer(e_.db(), found.id));
  if (!rec) return makeError(Code::kNotFound, "no container with name or ID {:?} found: no such container", name);
  TRY(syncLocked(*rec));
  std::string status = rec->state.value("status", "configured");
  bool active = status == "running" || status == "paused" || status == "created";
  int n = userMounts(rec->id);
  if (n == 0 && active)
    return makeError(Code::kFailedPrecondition,
                     "cannot unmount storage for container {} as it is running or paused: container state improper",
                     rec->id);
  if (n == 0 && !sys::isMountPoint(paths(rec->id).merged)) return {};
  n = force ? 0 : std::max(0, n - 1);
  TRY(setUserMounts(rec->id, n));
  if (n == 0 && !active) TRY(unmountRootfs(*rec));
  emitContainerEvent(*rec, "unmount");
  return {};
}

Result<std::vector<api::MountedContainer>> LocalContainerService::mounted() {
  auto all = TRY(state::listContainerSummaries(e_.db()));
  std::vector<api::MountedContainer> out;
  for (auto& r : all) {
    auto p = paths(r.id);
    if (!sys::isMountPoint(p.merged)) continue;
    out.push_back(api::MountedContainer{r.id, {r.name}, p.merged});
  }
  // containers/storage's containers of other tools, mounted (buildah's); a store that cannot be
  // read is a warning, not a failure of the listing.
  Status foreign_listed = [&]() -> Status {
    store::ForeignStorage foreign(TRY(store::loadForeignStorageConfig()));
    for (auto& c : TRY(foreign.containers()))
      if (auto path = TRY(foreign.mountPoint(c)))
        out.push_back(api::MountedContainer{c.id, c.names.empty() ? std::vector<std::string>{} : std::vector{c.names[0]}, *path});
    return {};
  }();
  if (!foreign_listed.ok()) LOG_WARN("containers/storage: {}", foreign_listed.error().what());
  return out;
}

// --- diff / export ---------------------------------------------------------------

Result<std::vector<api::FileChange>> LocalContainerService::diff(const std::string& name) {
  auto found0 = state::findContainer(e_.db(), name);
  std::vector<copy::Change> changes;
  if (!found0.ok() && found0.error().code() == Code::kNotFound)
    if (auto foreign = findForeignOrWarn(name)) {
      auto l = TRY(foreign->storage.layers(foreign->c));
      if (foreign->storage.driver() == "vfs")
        changes = TRY(copy::naiveChanges(l.lowers.empty() ? "/nonexistent" : l.lowers[0], l.upper));
      else
        changes = TRY(copy::overlayChanges(l.lowers, l.upper));
      return fileChanges(changes);
    }
  auto found = TRY(std::move(found0));
  auto rec = TRY(state::getContainer(e_.db(), found.id));
  if (!rec) return makeError(Code::kNotFound, "no container with name or ID {:?} found: no such container", name);
  auto p = paths(rec->id);
  std::vector<std::string> layers = rec->config.value("layers_top_first", std::vector<std::string>{});
  if (!fs::isDir(p.upper)) {
    changes = {};
  } else if (std::string rootfs = storedSpec(rec->config).rootfs; !rootfs.empty()) {
    // --rootfs PATH:O: the overlay's lower layer is the directory.
    changes = TRY(copy::overlayChanges({rootfs}, p.upper));
  } else if (e_.driver() == "overlay") {
    std::vector<std::string> lowers;
    for (auto& l : layers) lowers.push_back(TRY(e_.layers().get(l)).path);
    changes = TRY(copy::overlayChanges(lowers, p.upper));
  } else {
    std::string base = layers.empty() ? "/nonexistent" : TRY(e_.layers().get(layers.front())).path;
    changes = TRY(copy::naiveChanges(base, p.upper));
  }
  return fileChanges(changes);
}

Status LocalContainerService::exportFs(const std::string& name, int out_fd) {
  auto found = TRY(state::findContainer(e_.db(), name));
  auto lock = TRY(ContainerLock::take(e_.options().runroot, found.id));
  auto rec = TRY(state::getContainer(e_.db(), found.id));
  if (!rec) return makeError(Code::kNotFound, "no container with name or ID {:?} found: no such container", name);
  TRY(syncLocked(*rec));
  auto p = paths(rec->id);
  bool temp = !sys::isMountPoint(p.merged);
  if (temp) TRY(mountRootfs(*rec));
  Status s = [&]() -> Status {
    UniqueFd root(::open(p.merged.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return errnoError("open {}", p.merged);
    auto sink = copy::tarSink(out_fd);
    copy::GetOptions g;
    return copy::getTree(root.get(), "/.", g, *sink);
  }();
  if (temp) {
    // The export's own result comes first; a mount left behind is reported too.
    if (auto u = unmountRootfs(*rec); !u.ok()) {
      if (!s.ok()) LOG_ERROR("unmount the rootfs of {} after export: {}", rec->id.substr(0, 12), u.error().what());
      else return u;
    }
  }
  return s;
}

// --- commit -----------------------------------------------------------------------

Result<state::ImageRecord> writeImage(Engine& e, const Json& cfg, std::vector<state::LayerRecord> layers, bool docker,
                                      const std::vector<std::string>& names,
                                      const std::function<void(const std::string&)>& say) {
  Json manifest;
  manifest["schemaVersion"] = 2;
  manifest["mediaType"] = docker ? kDockerManifest : kOciManifest;
  Json mlayers = Json::array();
  for (auto& l : layers) {
    if (say) say("Copying blob " + l.digest);
    std::string mt = docker ? dockerLayerType(l.media_type) : ociLayerType(l.media_type);
    l.media_type = mt;
    mlayers.push_back(Json{{"mediaType", mt}, {"digest", l.digest}, {"size", l.size}});
  }
  auto cfg_blob = TRY(e.content().writeBytes(cfg.dump()));
  if (say) say("Copying config " + cfg_blob.digest);
  manifest["config"] = {{"mediaType", docker ? kDockerConfig : kOciConfig},
                        {"digest", cfg_blob.digest},
                        {"size", cfg_blob.size}};
  manifest["layers"] = mlayers;
  if (say) say("Writing manifest to image destination");
  auto man_blob = TRY(e.content().writeBytes(manifest.dump()));
  auto* images = dynamic_cast<LocalImageService*>(&e.images());
  return images->commitImage(cfg_blob.digest, man_blob.digest, std::string(docker ? kDockerManifest : kOciManifest),
                             std::move(layers), names);
}

Result<state::LayerRecord> LocalContainerService::diffLayer(const std::string& id, bool docker) {
  auto lock = TRY(ContainerLock::take(e_.options().runroot, id));
  auto rec = TRY(state::getContainer(e_.db(), id));
  if (!rec) return makeError(Code::kNotFound, "no container with name or ID {:?} found: no such container", id);
  auto p = paths(rec->id);
  std::vector<std::string> layers = rec->config.value("layers_top_first", std::vector<std::string>{});
  auto produce = [&](int fd) -> Status {
    auto sink = copy::tarSink(fd);
    return layerDiffTar(e_, p, layers, *sink);
  };
  NewLayer nl = TRY(storeLayer(e_, layers.empty() ? "" : layers.front(), produce));
  return state::LayerRecord{nl.blob.digest, std::string(docker ? kDockerLayerTar : kOciLayerTar), nl.blob.size,
                            nl.layer.diff_id, nl.layer.chain_id, nl.layer.diff_size};
}


Result<std::string> LocalContainerService::commit(const api::CommitRequest& req) {
  if (req.format != "oci" && req.format != "docker")
    return makeError(Code::kInvalidArgument, "unrecognized image format {:?}", req.format);
  if (req.format == "oci" && !req.message.empty())
    return makeError(Code::kInvalidArgument, "messages are only compatible with the docker image format (-f docker)");
  std::string new_name;
  if (!req.image_name.empty()) new_name = TRY(normalizeNewName(req.image_name));
  auto found = TRY(state::findContainer(e_.db(), req.container));
  StoreLock store_lock = TRY(StoreLock::shared(e_.options().root));
  auto lock = TRY(ContainerLock::take(e_.options().runroot, found.id));
  auto rec = TRY(state::getContainer(e_.db(), found.id));
  if (!rec) return makeError(Code::kNotFound, "no container with name or ID {:?} found: no such container", req.container);
  TRY(syncLocked(*rec));
  auto p = paths(rec->id);
  std::string status = rec->state.value("status", "configured");
  auto rt = TRY(runtimeFor(*rec));
  bool paused_here = false;
  if (status == "running" && req.pause) {
    TRY_CTX(rt.pause(rec->id), "pausing container {:?} to commit", rec->id);
    paused_here = true;
  }
  struct Resume {
    bool on;
    runtime::OciRuntime& rt;
    const std::string& id;
    ~Resume() {
      if (!on) return;
      if (auto r = rt.resume(id); !r.ok())
        LOG_ERROR("container {} stays paused after commit (unpause it): {}", id, r.error().what());
    }
  } resume{paused_here, rt, rec->id};

  auto base_img = TRY(state::getImage(e_.db(), rec->image_id));
  if (!base_img) return makeError(Code::kNotFound, "image {} of container {} is gone", rec->image_id, rec->id);
  // Checked: commitConfig and the history/rootfs edits below read its fields.
  Json base_cfg = TRY_CTX(image::parseImageConfig(TRY(e_.content().readAll("sha256:" + rec->image_id))),
                          "image config sha256:{}", rec->image_id)
                      .doc;
  Json oci = Json::object();
  if (auto raw = fs::readFile(p.config_json); raw.ok()) oci = Json::parse(*raw, nullptr, false);

  auto say = [&](const std::string& s) {
    if (req.progress) req.progress(s);
  };
  say("Getting image source signatures");
  std::vector<std::string> layers = rec->config.value("layers_top_first", std::vector<std::string>{});
  std::string parent = req.squash || layers.empty() ? "" : layers.front();
  bool temp_mount = false;
  if (req.squash && !sys::isMountPoint(p.merged)) {
    TRY(mountRootfs(*rec));
    temp_mount = true;
  }
  auto produce = [&](int fd) -> Status {
    auto sink = copy::tarSink(fd);
    if (req.squash) {
      UniqueFd root(::open(p.merged.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
      if (!root) return errnoError("open {}", p.merged);
      copy::GetOptions g;
      return copy::getTree(root.get(), "/.", g, *sink);
    }
    return layerDiffTar(e_, p, layers, *sink);
  };
  auto stored = storeLayer(e_, parent, produce);
  if (temp_mount) {
    if (auto u = unmountRootfs(*rec); !u.ok()) {
      if (!stored.ok()) LOG_ERROR("unmount the rootfs of {} after commit: {}", rec->id.substr(0, 12), u.error().what());
      else return std::move(u).error();
    }
  }
  NewLayer nl = TRY(std::move(stored));

  bool docker = req.format == "docker";
  Json cfg = TRY(commitConfig(base_cfg, *rec, oci, req));
  std::string now = formatRfc3339Nano(nowNanos());
  cfg["created"] = now;
  if (!req.author.empty()) cfg["author"] = req.author;
  Json diff_ids = req.squash ? Json::array() : cfg.contains("rootfs") ? cfg["rootfs"].value("diff_ids", Json::array())
                                                                      : Json::array();
  diff_ids.push_back(nl.layer.diff_id);
  cfg["rootfs"] = {{"type", "layers"}, {"diff_ids", diff_ids}};
  Json history = req.squash ? Json::array() : cfg.value("history", Json::array());
  if (!history.is_array()) history = Json::array();
  Json h = {{"created", now}};
  if (!req.author.empty()) h["author"] = req.author;
  if (!req.message.empty()) h["comment"] = req.message;
  history.push_back(h);
  cfg["history"] = history;
  if (docker) cfg["container"] = rec->id;

  std::vector<state::LayerRecord> recs;
  if (!req.squash) recs = base_img->layers;
  recs.push_back(state::LayerRecord{nl.blob.digest, std::string(docker ? kDockerLayerTar : kOciLayerTar),
                                    nl.blob.size, nl.layer.diff_id, "", 0});
  std::vector<std::string> names;
  if (!new_name.empty()) names.push_back(new_name);
  auto img = TRY(writeImage(e_, cfg, std::move(recs), docker, names, say));
  say("Storing signatures");
  emitContainerEvent(*rec, "commit");
  return img.id;
}

}  // namespace berth::engine
