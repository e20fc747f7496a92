// Manifest lists: create/add/annotate/remove/inspect/rm, and push (entries, then the index).
#include "engine/manifest_service.h"

#include <sys/utsname.h>

#include <algorithm>
#include <optional>

#include "base/digest.h"
#include "base/fs.h"
#include "base/timefmt.h"
#include "config/host_env.h"
#include "config/registries.h"
#include "engine/engine.h"
#include "engine/image_service.h"
#include "engine/names.h"
#include "engine/registry_access.h"
#include "engine/store_lock.h"
#include "image/image_config.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "registry/registry_client.h"
#include "state/images.h"
#include "state/manifest_lists.h"

namespace berth::engine {

namespace {

constexpr std::string_view kDockerPrefix = "docker://";
constexpr std::string_view kStoragePrefix = "containers-storage:";

// GOARCH of this machine (podman picks index entries by it).
std::string hostArch() {
  struct utsname u;
  if (::uname(&u) != 0) return "amd64";
  std::string m = u.machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64" || m == "arm64") return "arm64";
  if (m == "i386" || m == "i686") return "386";
  if (m.rfind("arm", 0) == 0) return "arm";
  if (m == "ppc64le" || m == "s390x" || m == "riscv64") return m;
  return "amd64";
}

std::vector<std::string> stringList(const Json& j) {
  std::vector<std::string> out;
  if (j.is_array())
    for (auto& v : j)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

// A platform object in the field order podman prints: architecture, os,
// os.version, os.features, variant, features (empty fields left out).
struct Platform {
  std::string arch, os, os_version, variant;
  std::vector<std::string> os_features, features;

  static Platform from(const Json& j) {
    Platform p;
    if (!j.is_object()) return p;
    p.arch = j.value("architecture", "");
    p.os = j.value("os", "");
    p.os_version = j.value("os.version", "");
    p.variant = j.value("variant", "");
    if (j.contains("os.features")) p.os_features = stringList(j["os.features"]);
    if (j.contains("features")) p.features = stringList(j["features"]);
    return p;
  }
  Json json() const {
    Json j = Json::object();
    j["architecture"] = arch;
    j["os"] = os;
    if (!os_version.empty()) j["os.version"] = os_version;
    if (!os_features.empty()) j["os.features"] = os_features;
    if (!variant.empty()) j["variant"] = variant;
    if (!features.empty()) j["features"] = features;
    return j;
  }
};

Status applyOverrides(image::Descriptor& d, const ManifestEntryOverrides& o) {
  Platform p = Platform::from(d.platform);
  if (!o.os.empty()) p.os = o.os;
  if (!o.arch.empty()) p.arch = o.arch;
  if (!o.variant.empty()) p.variant = o.variant;
  if (!o.os_version.empty()) p.os_version = o.os_version;
  if (!o.os_features.empty()) p.os_features = o.os_features;
  if (!o.features.empty()) p.features = o.features;
  d.platform = p.json();
  for (auto& a : o.annotations) {
    auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0)
      return makeError(Code::kInvalidArgument, "no value given for annotation {:?}: want key=value", a);
    if (!d.annotations.is_object()) d.annotations = Json::object();
    d.annotations[a.substr(0, eq)] = a.substr(eq + 1);
  }
  return {};
}

// The local list's index as podman prints it: descriptors in Docker field
// order (mediaType, size, digest), then platform and annotations.
std::string renderIndex(const image::Index& idx) {
  Json j = Json::object();
  j["schemaVersion"] = 2;
  j["mediaType"] = image::media::kOciIndex;
  Json ms = Json::array();
  for (auto& d : idx.manifests) {
    Json e = Json::object();
    e["mediaType"] = d.media_type;
    e["size"] = d.size;
    e["digest"] = d.digest;
    if (!d.urls.empty()) e["urls"] = d.urls;
    e["platform"] = Platform::from(d.platform).json();
    if (d.annotations.is_object() && !d.annotations.empty()) e["annotations"] = d.annotations;
    ms.push_back(std::move(e));
  }
  j["manifests"] = std::move(ms);
  return j.dump();
}

// The index as pushed: OCI index, or a Docker manifest list for v2s2.
std::string pushedIndex(const std::vector<image::Descriptor>& ds, bool docker) {
  Json j = Json::object();
  j["schemaVersion"] = 2;
  j["mediaType"] = docker ? image::media::kDockerManifestList : image::media::kOciIndex;
  Json ms = Json::array();
  for (auto d : ds) {
    d.platform = Platform::from(d.platform).json();
    if (docker) d.annotations = nullptr;  // not in Docker's list schema
    ms.push_back(image::descriptorJson(d, docker));
  }
  j["manifests"] = std::move(ms);
  return j.dump();
}

std::string stripDocker(const std::string& s) {
  return s.rfind(kDockerPrefix, 0) == 0 ? s.substr(kDockerPrefix.size()) : s;
}

// A registry client for `ref`'s registry with registries.conf applied (blocked, insecure).
Result<registry::RegistryClient> clientFor(const image::Reference& ref, const api::RegistryAccess& access) {
  auto env = config::HostEnv::current();
  auto conf = TRY(config::loadRegistriesConf(config::defaultConfPaths(env)));
  const config::Registry* reg = config::findRegistry(conf, ref.name());
  if (reg && reg->blocked)
    return makeError(Code::kPermissionDenied, "registry {} is blocked in {}", reg->prefix,
                     conf.sources_description.empty() ? std::string("registries.conf") : conf.sources_description);
  auto opts = TRY(clientOptions(access, ref.domain, reg && reg->endpoint.insecure));
  return registry::RegistryClient(ref.domain, opts);
}

Result<std::string> readBlob(registry::RegistryClient& c, const std::string& repo, const std::string& digest,
                             int64_t size) {
  auto r = TRY(c.openBlob(repo, digest, size));
  std::string out;
  char buf[65536];
  for (;;) {
    size_t n = TRY(r(buf, sizeof buf));
    if (n == 0) break;
    out.append(buf, n);
  }
  return out;
}

// Platform from an image config's os/architecture/variant/os.version/os.features.
Result<Json> configPlatform(std::string_view config_bytes, std::string_view what) {
  auto cfg = TRY_CTX(image::parseImageConfig(config_bytes), "{}", what);
  Platform p;
  p.os = cfg.os;
  p.arch = cfg.architecture;
  p.variant = cfg.variant;
  p.os_version = cfg.os_version;
  p.os_features = cfg.os_features;
  return p.json();
}

struct Entry {
  image::Descriptor d;
  Json source;
};

std::string platformText(const Json& p) {
  std::string s = fmt::format("{}/{}", p.value("os", "?"), p.value("architecture", "?"));
  if (p.contains("variant")) s += "/" + p.value("variant", "");
  return s;
}

}  // namespace

namespace {

// Finds a list by name (normalised as image names) or by ID / ID prefix.
Result<state::ManifestListRecord> findList(state::Db& db, const std::string& input) {
  if (input.empty()) return makeError(Code::kInvalidArgument, "manifest list name must not be empty");
  auto norm = image::normalizeLocalName(input);
  if (norm.ok()) {
    auto r = TRY(state::getManifestListByName(db, norm->string()));
    if (r) return *r;
  }
  std::string id = input.rfind("sha256:", 0) == 0 ? input.substr(7) : input;
  if (image::looksLikeId(id)) {
    std::optional<state::ManifestListRecord> found;
    for (auto& r : TRY(state::listManifestLists(db))) {
      if (r.id.rfind(id, 0) != 0) continue;
      if (found) return makeError(Code::kInvalidArgument, "{}: ambiguous manifest list ID prefix", input);
      found = r;
    }
    if (found) return *found;
  }
  return makeError(Code::kNotFound, "{}: image not known", input);
}

Result<image::Index> loadIndex(const state::ManifestListRecord& rec) {
  return image::parseIndex(rec.index_json, "manifest list " + rec.name);
}

Status saveList(Engine& e, state::ManifestListRecord& rec, const image::Index& idx) {
  rec.index_json = renderIndex(idx);
  auto blob = TRY(e.content().writeBytes(rec.index_json));
  rec.digest = blob.digest;
  return e.db().transaction([&]() -> Status { return state::putManifestList(e.db(), rec); });
}

// Resolves IMAGE for `manifest add`: a local image (unless docker:// is given)
// or a registry manifest / index.
Result<std::vector<Entry>> resolveEntries(Engine& e, const std::string& input, bool all,
                                          const ManifestEntryOverrides& o, const api::RegistryAccess& access) {
  std::vector<Entry> out;
  bool force_remote = input.rfind(kDockerPrefix, 0) == 0;
  bool force_local = input.rfind(kStoragePrefix, 0) == 0;
  std::string name = force_remote ? input.substr(kDockerPrefix.size())
                                  : force_local ? input.substr(kStoragePrefix.size()) : input;
  if (!force_remote) {
    auto images = TRY(state::listImages(e.db()));
    auto ri = lookupImage(images, name);
    if (ri.ok()) {
      Entry en;
      en.d.media_type = ri->rec.manifest_type;
      en.d.digest = ri->rec.digest;
      en.d.size = int64_t(TRY(e.content().size(ri->rec.digest)));
      std::string cfg = TRY(e.content().readAll("sha256:" + ri->rec.id));
      en.d.platform = TRY(configPlatform(cfg, "image config sha256:" + ri->rec.id));
      en.source = Json{{"transport", "containers-storage"}, {"image", ri->rec.id}};
      TRY(applyOverrides(en.d, o));
      out.push_back(std::move(en));
      return out;
    }
    if (ri.error().code() != Code::kNotFound || force_local) return std::move(ri).error();
  }
  auto ref = TRY_CTX(image::parseNormalizedNamed(name), "parsing reference {:?}", name);
  auto client = TRY(clientFor(ref, access));
  std::string tag_or_digest = !ref.digest.empty() ? ref.digest : (ref.tag.empty() ? "latest" : ref.tag);
  std::string what = ref.string();
  auto man = TRY_CTX(client.getManifest(ref.path, tag_or_digest), "reading manifest {}", what);
  auto sourceOf = [&](const std::string& digest) {
    return Json{{"transport", "docker"}, {"reference", ref.name() + "@" + digest}};
  };
  if (image::isIndexMediaType(man.media_type)) {
    auto idx = TRY(image::parseIndex(man.bytes, what));
    if (all) {
      for (auto& d : idx.manifests) {
        Entry en{d, sourceOf(d.digest)};
        TRY(applyOverrides(en.d, o));
        out.push_back(std::move(en));
      }
      return out;
    }
    std::string os = o.os.empty() ? "linux" : o.os;
    std::string arch = o.arch.empty() ? hostArch() : o.arch;
    for (auto& d : idx.manifests) {
      if (!d.platform.is_object()) continue;
      if (d.platform.value("os", "") != os || d.platform.value("architecture", "") != arch) continue;
      if (!o.variant.empty() && d.platform.value("variant", "") != o.variant) continue;
      Entry en{d, sourceOf(d.digest)};
      TRY(applyOverrides(en.d, o));
      out.push_back(std::move(en));
      return out;
    }
    std::string have;
    for (auto& d : idx.manifests)
      if (d.platform.is_object()) have += " " + platformText(d.platform);
    return makeError(Code::kNotFound,
                     "{}: no image found in manifest list for architecture {:?}, variant {:?}, OS {:?} (available:{})",
                     what, arch, o.variant, os, have);
  }
  auto m = TRY(image::parseManifest(man.bytes, man.media_type));
  std::string cfg = TRY_CTX(readBlob(client, ref.path, m.config.digest, m.config.size), "reading config of {}", what);
  Entry en;
  en.d.media_type = m.media_type;
  en.d.digest = man.digest.empty() ? sha256Digest(man.bytes) : man.digest;
  en.d.size = int64_t(man.bytes.size());
  en.d.platform = TRY(configPlatform(cfg, "config of " + what));
  en.source = sourceOf(en.d.digest);
  TRY(applyOverrides(en.d, o));
  out.push_back(std::move(en));
  return out;
}

void merge(image::Index& idx, Json& sources, std::vector<Entry> entries) {
  for (auto& en : entries) {
    auto it = std::find_if(idx.manifests.begin(), idx.manifests.end(),
                           [&](const image::Descriptor& d) { return d.digest == en.d.digest; });
    if (it != idx.manifests.end()) *it = en.d;
    else idx.manifests.push_back(en.d);
    sources[en.d.digest] = en.source;
  }
}

}  // namespace

Result<std::string> ManifestService::create(const std::string& list, const std::vector<std::string>& images,
                                            bool all, bool amend, const api::RegistryAccess& access) {
  auto name = TRY(image::normalizeLocalName(list)).string();
  state::ManifestListRecord rec;
  image::Index idx;
  idx.media_type = std::string(image::media::kOciIndex);
  auto existing = TRY(state::getManifestListByName(e_.db(), name));
  if (existing) {
    if (!amend)
      return makeError(Code::kAlreadyExists,
                       "creating manifest: image name {:?} is already associated with image {:?}: that name is already in use",
                       name, existing->id);
    rec = *existing;
    idx = TRY(loadIndex(rec));
  } else {
    if (auto img = TRY(state::imageIdByName(e_.db(), name)))
      return makeError(Code::kAlreadyExists,
                       "creating manifest: image name {:?} is already associated with image {:?}: that name is already in use",
                       name, *img);
    rec.name = name;
    rec.id = randomId();
    rec.created = nowNanos();
  }
  for (auto& im : images) merge(idx, rec.sources, TRY(resolveEntries(e_, im, all, {}, access)));
  TRY(saveList(e_, rec, idx));
  return rec.id;
}

Result<std::string> ManifestService::add(const ManifestAddRequest& req) {
  for (auto& a : req.overrides.annotations)
    if (a.find('=') == std::string::npos || a[0] == '=')
      return makeError(Code::kInvalidArgument, "no value given for annotation {:?}: want key=value", a);
  auto rec = TRY(findList(e_.db(), req.list));
  auto idx = TRY(loadIndex(rec));
  merge(idx, rec.sources, TRY(resolveEntries(e_, req.image, req.all, req.overrides, req.access)));
  TRY(saveList(e_, rec, idx));
  return rec.id;
}

Result<std::string> ManifestService::annotate(const std::string& list, const std::string& digest,
                                              const ManifestEntryOverrides& overrides) {
  auto rec = TRY(findList(e_.db(), list));
  auto idx = TRY(loadIndex(rec));
  auto it = std::find_if(idx.manifests.begin(), idx.manifests.end(),
                         [&](const image::Descriptor& d) { return d.digest == digest; });
  if (it == idx.manifests.end())
    return makeError(Code::kNotFound, "no instance with digest {:?} in manifest list {}", digest, rec.name);
  TRY(applyOverrides(*it, overrides));
  TRY(saveList(e_, rec, idx));
  return rec.id;
}

Result<std::string> ManifestService::removeEntry(const std::string& list, const std::string& digest) {
  auto rec = TRY(findList(e_.db(), list));
  auto idx = TRY(loadIndex(rec));
  auto it = std::find_if(idx.manifests.begin(), idx.manifests.end(),
                         [&](const image::Descriptor& d) { return d.digest == digest; });
  if (it == idx.manifests.end())
    return makeError(Code::kNotFound, "removing from manifest list {}: no instance with digest {:?}", rec.name, digest);
  idx.manifests.erase(it);
  rec.sources.erase(digest);
  TRY(saveList(e_, rec, idx));
  return rec.id;
}

Result<std::string> ManifestService::inspect(const std::string& list_or_ref, const api::RegistryAccess& access) {
  auto rec = findList(e_.db(), list_or_ref);
  if (rec.ok()) {
    Json j = TRY(parseJson(rec->index_json, "manifest list " + rec->name));
    return j.dump(4);
  }
  if (rec.error().code() != Code::kNotFound) return std::move(rec).error();
  // Only a reference that names a registry goes to the network.
  std::string name = stripDocker(list_or_ref);
  bool remote = list_or_ref.rfind(kDockerPrefix, 0) == 0 ||
                (!image::isShortName(name) && name.rfind(std::string(image::kLocalDomain) + "/", 0) != 0);
  if (!remote) return std::move(rec).error();
  auto ref = TRY_CTX(image::parseNormalizedNamed(name), "parsing reference {:?}", name);
  auto client = TRY(clientFor(ref, access));
  std::string tag_or_digest = !ref.digest.empty() ? ref.digest : (ref.tag.empty() ? "latest" : ref.tag);
  auto man = TRY_CTX(client.getManifest(ref.path, tag_or_digest), "reading manifest {}", ref.string());
  Json j = TRY(parseJson(man.bytes, "manifest of " + ref.string()));
  return j.dump(4);
}

Result<bool> ManifestService::exists(const std::string& list) {
  auto rec = findList(e_.db(), list);
  if (rec.ok()) return true;
  if (rec.error().code() == Code::kNotFound) return false;
  return std::move(rec).error();
}

api::ImageRemoveReport ManifestService::remove(const std::vector<std::string>& lists, bool ignore) {
  api::ImageRemoveReport rep;
  for (auto& l : lists) {
    auto rec = findList(e_.db(), l);
    if (!rec.ok()) {
      if (rec.error().code() == Code::kNotFound && ignore) continue;
      rep.errors.push_back(std::move(rec).error());
      continue;
    }
    Status st = e_.db().transaction([&]() -> Status { return state::deleteManifestList(e_.db(), rec->id); });
    if (!st.ok()) {
      rep.errors.push_back(std::move(st).error());
      continue;
    }
    // The index blob, unless another list has the same content.
    bool shared = false;
    if (auto all = state::listManifestLists(e_.db()); all.ok())
      for (auto& o : *all) shared = shared || o.digest == rec->digest;
    if (!shared && e_.content().has(rec->digest)) (void)e_.content().remove(rec->digest);
    rep.untagged.push_back(rec->name);
    rep.deleted.push_back(rec->id);
  }
  return rep;
}

// --- push ---------------------------------------------------------------------------

Result<std::string> ManifestService::push(const ManifestPushRequest& req_in) {
  // podman takes "docker" for Docker's schema 2 too.
  auto req = req_in;
  if (req.format == "docker") req.format = "v2s2";
  auto emit = [&](const std::string& s) {
    if (req.progress) req.progress(s);
  };
  if (!req.format.empty() && req.format != "oci" && req.format != "v2s2")
    return makeError(Code::kInvalidArgument, "unsupported manifest format {:?}: want oci, v2s2 or docker", req.format);
  auto rec = TRY(findList(e_.db(), req.list));
  auto idx = TRY(loadIndex(rec));
  std::string dest_in = stripDocker(req.destination);
  auto dest = TRY_CTX(image::parseNormalizedNamed(dest_in), "push destination {:?}", dest_in);
  if (!dest.digest.empty())
    return makeError(Code::kInvalidArgument, "push destination {:?} must not contain a digest", dest_in);
  dest = image::withDefaultTag(dest);
  auto client = TRY(clientFor(dest, req.access));
  bool docker_list = req.format == "v2s2";
  std::vector<image::Descriptor> out = idx.manifests;
  if (req.all && !out.empty()) {
    StoreLock lock = TRY(StoreLock::shared(e_.options().root));
    emit("Getting image list signatures");
    emit(fmt::format("Copying {} images generated from {} images in list", out.size(), out.size()));
    for (size_t i = 0; i < out.size(); ++i) {
      auto& d = out[i];
      emit(fmt::format("Copying image {} ({}/{})", d.digest, i + 1, out.size()));
      Json src = rec.sources.contains(d.digest) ? rec.sources[d.digest] : Json();
      std::string transport = src.is_object() ? src.value("transport", "") : "";
      if (transport == "containers-storage") {
        // A local image: the image push compresses its layers as `push` does,
        // so its manifest digest is the pushed one. It lands on the destination
        // tag until the index replaces it below.
        std::string image_id = src.value("image", "");
        api::ImagePushRequest pr;
        pr.source = image_id;
        pr.destination = dest.string();
        pr.access = req.access;
        pr.format = req.format;
        std::string digest = TRY_CTX(e_.images().push(pr), "pushing image {} of the list", image_id.substr(0, 12));
        auto man = TRY(client.getManifest(dest.path, digest));
        d.digest = digest;
        d.size = int64_t(man.bytes.size());
        d.media_type = man.media_type;
        continue;
      }
      if (transport != "docker") {
        // Unknown origin: it must already be at the destination.
        if (!TRY(client.headManifest(dest.path, d.digest)))
          return makeError(Code::kNotFound, "manifest list {}: no source known for {} and the destination does not have it",
                           rec.name, d.digest);
        continue;
      }
      auto sref = TRY(image::parseNormalizedNamed(src.value("reference", "")));
      bool same_registry = sref.domain == dest.domain;
      std::optional<registry::RegistryClient> own;
      if (!same_registry) {
        api::RegistryAccess sa;
        sa.authfile = req.access.authfile;
        own.emplace(TRY(clientFor(sref, sa)));
      }
      registry::RegistryClient& sc = same_registry ? client : *own;
      auto man = TRY_CTX(sc.getManifest(sref.path, d.digest), "reading manifest {}", sref.string());
      auto m = TRY(image::parseManifest(man.bytes, man.media_type));
      std::vector<image::Descriptor> blobs = m.layers;
      blobs.push_back(m.config);
      for (auto& b : blobs) {
        if (TRY(client.blobExists(dest.path, b.digest))) continue;
        if (same_registry && sref.path != dest.path && TRY(client.mountBlob(dest.path, b.digest, sref.path))) continue;
        if (!e_.content().has(b.digest)) {
          auto r = TRY(sc.openBlob(sref.path, b.digest, b.size));
          TRY_CTX(e_.content().write(r, b.digest, b.size), "copy blob {}", b.digest);
        }
        UniqueFd fd = TRY(e_.content().open(b.digest));
        TRY_CTX(client.uploadBlob(dest.path, b.digest, uint64_t(b.size), store::fdReader(fd.get())), "push blob {}",
                b.digest);
      }
      std::string bytes = man.bytes, media_type = m.media_type;
      if (req.format == "oci" && m.media_type != image::media::kOciManifest) {
        bytes = image::serializeManifest(TRY(image::toOciManifest(m)));
        media_type = std::string(image::media::kOciManifest);
      } else if (req.format == "v2s2" && m.media_type != image::media::kDockerManifest) {
        bytes = image::serializeManifest(TRY(image::toDockerManifest(m)));
        media_type = std::string(image::media::kDockerManifest);
      }
      std::string digest = sha256Digest(bytes);
      TRY_CTX(client.putManifest(dest.path, digest, bytes, media_type), "push manifest {}", digest);
      d.digest = digest;
      d.size = int64_t(bytes.size());
      d.media_type = media_type;
    }
  }
  emit("Writing manifest list to image destination");
  std::string bytes = pushedIndex(out, docker_list);
  std::string digest = sha256Digest(bytes);
  std::string media_type(docker_list ? image::media::kDockerManifestList : image::media::kOciIndex);
  TRY_CTX(client.putManifest(dest.path, dest.tag, bytes, media_type), "push manifest list to {}", dest.string());
  emit("Storing list signatures");
  if (!req.digestfile.empty()) TRY(fs::writeFileAtomic(req.digestfile, digest));
  if (req.remove_list) {
    auto rep = remove({rec.id}, false);
    if (!rep.errors.empty()) return rep.errors[0];
  }
  return digest;
}

}  // namespace berth::engine
