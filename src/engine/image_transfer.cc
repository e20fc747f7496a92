// Image transfer: load and save archives, import root filesystem tarballs.
#include <fcntl.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/fs.h"
#include "base/tempfile.h"
#include "base/scope_exit.h"
#include "base/timefmt.h"
#include "engine/engine.h"
#include "engine/event_emit.h"
#include "engine/image_changes.h"
#include "engine/image_service.h"
#include "engine/store_lock.h"
#include "image/archive.h"
#include "image/image_config.h"
#include "image/reference.h"
#include "registry/http.h"
#include "store/decompress.h"

namespace berth::engine {

namespace {

constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";

// Opens `path` for reading; "" and "-" mean stdin.
// An http:// or https:// source is downloaded first (to an unnamed file in $TMPDIR or
// /var/tmp, gone with its descriptor), as podman's load and import take URLs.
Result<UniqueFd> openInput(const std::string& path) {
  if (path.empty() || path == "-") return UniqueFd(::dup(0));
  if (path.starts_with("http://") || path.starts_with("https://")) {
    const char* env_tmp = std::getenv("TMPDIR");
    std::string dir = env_tmp && *env_tmp ? env_tmp : "/var/tmp";
    int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) return errnoError("creating a temporary file in {} for {}", dir, path);
    UniqueFd out(fd);
    registry::HttpClient http(registry::TlsOptions{}, "berth");
    TRY(http.download(path, out.get()));
    if (::lseek(out.get(), 0, SEEK_SET) < 0) return errnoError("rewinding the download of {}", path);
    return out;
  }
  return fs::openFd(path, O_RDONLY);
}

std::string layerMediaType(store::Compression c) {
  switch (c) {
    case store::Compression::kGzip: return "application/vnd.oci.image.layer.v1.tar+gzip";
    case store::Compression::kZstd: return "application/vnd.oci.image.layer.v1.tar+zstd";
    default: return "application/vnd.oci.image.layer.v1.tar";
  }
}

}  // namespace

Result<state::ImageRecord> LocalImageService::commitImage(const std::string& config_digest,
                                                          const std::string& manifest_digest,
                                                          const std::string& manifest_type,
                                                          std::vector<state::LayerRecord> layers,
                                                          const std::vector<std::string>& names) {
  std::string raw = TRY(e_.content().readAll(config_digest));
  auto cfg = TRY_CTX(image::parseImageConfig(raw), "image config {}", config_digest);
  const auto& diff_ids = cfg.diff_ids;
  if (diff_ids.size() != layers.size())
    return makeError(Code::kInvalidArgument, "image config {}: {} diff_ids for {} layers",
                     config_digest, diff_ids.size(), layers.size());
  std::string parent;
  int64_t total = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    auto& l = layers[i];
    l.diff_id = diff_ids[i];
    l.chain_id = store::chainId(parent, l.diff_id);
    store::LayerInfo info;
    if (e_.layers().exists(l.chain_id)) {
      info = TRY(e_.layers().get(l.chain_id));
    } else {
      UniqueFd fd = TRY(e_.content().open(l.digest));
      info = TRY_CTX(e_.layers().ensure(parent, l.diff_id, store::fdReader(fd.get())),
                     "unpack layer {}", l.digest);
    }
    l.diff_size = info.diff_size;
    total += int64_t(info.diff_size);
    parent = l.chain_id;
  }
  state::ImageRecord rec;
  rec.id = std::string(digestHex(config_digest));
  rec.digest = manifest_digest;
  rec.manifest_type = manifest_type;
  rec.created = cfg.created.value_or(nowNanos());
  rec.added = nowNanos();
  rec.size = total;
  rec.top_layer = parent;
  rec.layers = std::move(layers);
  if (!cfg.labels.empty()) rec.labels = cfg.labels;
  // Blobs written with deferred sync reach the disk before a record names them.
  TRY(e_.content().syncAll());
  TRY(e_.db().transaction([&]() -> Status {
    auto existing = TRY(state::getImage(e_.db(), rec.id));
    if (existing) {
      rec.added = existing->added;
      for (auto& d : existing->repo_digests) rec.repo_digests.push_back(d);
    }
    TRY(state::putImage(e_.db(), rec));
    for (auto it = names.rbegin(); it != names.rend(); ++it) TRY(state::setNameFirst(e_.db(), rec.id, *it));
    return {};
  }));
  rec.names = names;
  return rec;
}

Result<api::ImageLoadReport> LocalImageService::load(const api::ImageLoadRequest& req) {
  auto rep = TRY(loadArchive(req));
  emitImageEvent(e_, "loadfromarchive", "", req.input.empty() ? "-" : req.input);
  return rep;
}

Result<api::ImageLoadReport> LocalImageService::loadArchive(const api::ImageLoadRequest& req) {
  StoreLock lock = TRY(StoreLock::shared(e_.options().root));
  UniqueFd in = TRY(openInput(req.input));
  e_.content().setDeferSync(true);
  struct Restore {
    store::ContentStore& cs;
    ~Restore() { cs.setDeferSync(false); }
  } restore{e_.content()};
  std::string what = req.input.empty() || req.input == "-" ? "stdin" : req.input;
  auto images = TRY_CTX(image::readArchive(store::fdReader(in.get()), e_.content()),
                        "payload does not match any of the supported image formats: {}", what);
  if (images.empty())
    return makeError(Code::kInvalidArgument, "{}: archive contains no images", what);
  api::ImageLoadReport rep;
  for (auto& img : images) {
    if (req.progress) {
      for (auto& l : img.layers) req.progress("Copying blob " + l.digest);
      req.progress("Copying config " + img.config_digest);
    }
    std::vector<state::LayerRecord> layers;
    for (auto& l : img.layers) layers.push_back(state::LayerRecord{l.digest, l.media_type, l.size, l.diff_id, "", 0});
    auto rec = TRY(commitImage(img.config_digest, img.manifest_digest, img.manifest_media_type,
                               std::move(layers), img.names));
    if (req.progress) req.progress("Writing manifest to image destination");
    if (img.names.empty()) rep.names.push_back("sha256:" + rec.id);
    for (auto& n : img.names) rep.names.push_back(n);
  }
  return rep;
}

Status LocalImageService::save(const api::ImageSaveRequest& req) {
  TRY(saveImages(req));
  auto all = state::listImages(e_.db());
  for (auto& input : req.images) {
    std::string id;
    if (all.ok())
      if (auto ri = lookupImage(*all, input); ri.ok()) id = ri->rec.id;
    emitImageEvent(e_, "save", id, req.output.empty() ? "-" : req.output);
  }
  return {};
}

Status LocalImageService::saveImages(const api::ImageSaveRequest& req) {
  if (req.images.empty()) return makeError(Code::kInvalidArgument, "no image specified to save");
  auto all = TRY(state::listImages(e_.db()));
  std::vector<image::ArchiveImage> out;
  for (auto& input : req.images) {
    auto ri = TRY(lookupImage(all, input));
    image::ArchiveImage a;
    a.config_digest = "sha256:" + ri.rec.id;
    a.manifest_digest = ri.rec.digest;
    a.manifest_media_type = ri.rec.manifest_type;
    for (auto& l : ri.rec.layers) a.layers.push_back(image::LayerBlob{l.digest, l.media_type, l.size, l.diff_id});
    if (!ri.matched_name.empty()) a.names.push_back(ri.matched_name);
    // The same image named twice is written once with both names.
    auto same = std::find_if(out.begin(), out.end(), [&](auto& o) { return o.config_digest == a.config_digest; });
    if (same != out.end()) {
      for (auto& n : a.names) same->names.push_back(n);
      continue;
    }
    out.push_back(std::move(a));
  }
  const std::string& fmt_ = req.format;
  if (fmt_ == "oci-dir" || fmt_ == "docker-dir") {
    if (req.output.empty()) return makeError(Code::kInvalidArgument, "--format {} needs an output directory (-o)", fmt_);
    if (out.size() != 1)
      return makeError(Code::kInvalidArgument, "--format {} saves exactly one image, got {}", fmt_, out.size());
    return fmt_ == "oci-dir" ? image::writeOciDir(out, e_.content(), req.output)
                             : image::writeDockerDir(out, e_.content(), req.output);
  }
  if (fmt_ != "docker-archive" && fmt_ != "oci-archive")
    return makeError(Code::kInvalidArgument,
                     "unsupported format {:?} for save: want docker-archive, oci-archive, oci-dir or docker-dir", fmt_);
  auto write = [&](int fd) -> Status {
    return fmt_ == "oci-archive" ? image::writeOciArchive(out, e_.content(), fd, req.uncompressed)
                                 : image::writeDockerArchive(out, e_.content(), fd);
  };
  if (req.output.empty() || req.output == "-" || req.output == "/dev/stdout") return write(1);
  // Write a fresh temp file beside the target and rename it, so a failed save never
  // leaves half an archive and nothing planted at a temp name is followed.
  auto tmp = TRY_CTX(fs::createTempBeside(req.output, 0644), "save {}", req.output);
  ScopeExit remove_tmp([&] { ::unlink(tmp.path.c_str()); });
  Status s = write(tmp.fd.get());
  if (s.ok() && ::fsync(tmp.fd.get()) < 0) s = errnoError("fsync {}", tmp.path);
  if (!s.ok()) return std::move(s).error().context("save " + req.output);
  tmp.fd.reset();
  if (::rename(tmp.path.c_str(), req.output.c_str()) < 0) return errnoError("save {}", req.output);
  remove_tmp.cancel();
  return {};
}

Result<std::string> LocalImageService::import(const api::ImageImportRequest& req) {
  std::string name;
  if (!req.reference.empty()) {
    auto ref = TRY(image::parseNormalizedNamed(req.reference));
    if (!ref.digest.empty())
      return makeError(Code::kInvalidArgument, "import {}: the name cannot contain a digest", req.reference);
    name = image::isShortName(req.reference)
               ? "localhost/" + (ref.path.rfind("library/", 0) == 0 && req.reference.find("library/") != 0 ? ref.path.substr(8) : ref.path) +
                     ":" + (ref.tag.empty() ? "latest" : ref.tag)
               : image::withDefaultTag(ref).string();
  }
  Json container_config = Json::object();
  TRY(applyChanges(container_config, req.changes));

  StoreLock lock = TRY(StoreLock::shared(e_.options().root));
  UniqueFd in = TRY_CTX(openInput(req.source), "import");
  auto blob = TRY_CTX(e_.content().write(store::fdReader(in.get())), "import {}", req.source);
  std::string head;
  {
    UniqueFd bf = TRY(e_.content().open(blob.digest));
    char buf[8];
    ssize_t n = ::read(bf.get(), buf, sizeof buf);
    if (n > 0) head.assign(buf, n);
  }
  store::LayerInfo info;
  {
    UniqueFd bf = TRY(e_.content().open(blob.digest));
    info = TRY_CTX(e_.layers().ensure("", "", store::fdReader(bf.get())), "import {}", req.source);
  }
  std::string now = formatRfc3339Nano(nowNanos());
  Json cfg;
  cfg["created"] = now;
  cfg["architecture"] = req.arch.empty() ? "amd64" : req.arch;
  cfg["os"] = req.os.empty() ? "linux" : req.os;
  if (!req.variant.empty()) cfg["variant"] = req.variant;
  cfg["config"] = container_config;
  cfg["rootfs"] = {{"type", "layers"}, {"diff_ids", Json::array({info.diff_id})}};
  cfg["history"] = Json::array({Json{
      {"created", now},
      {"created_by", fmt::format("/bin/sh -c #(nop) ADD file:{} in /", digestHex(info.diff_id))},
      {"comment", req.message.empty() ? std::string("imported from tarball") : req.message}}});
  std::string cfg_bytes = cfg.dump();
  auto cfg_blob = TRY(e_.content().writeBytes(cfg_bytes));
  Json manifest;
  manifest["schemaVersion"] = 2;
  manifest["mediaType"] = kOciManifest;
  manifest["config"] = {{"mediaType", kOciConfig}, {"digest", cfg_blob.digest}, {"size", cfg_blob.size}};
  std::string mt = layerMediaType(store::detectCompression(head));
  manifest["layers"] = Json::array({Json{{"mediaType", mt}, {"digest", blob.digest}, {"size", blob.size}}});
  auto man_blob = TRY(e_.content().writeBytes(manifest.dump()));
  std::vector<state::LayerRecord> layers = {state::LayerRecord{blob.digest, mt, blob.size, info.diff_id, "", 0}};
  std::vector<std::string> names;
  if (!name.empty()) names.push_back(name);
  auto rec = TRY(commitImage(cfg_blob.digest, man_blob.digest, std::string(kOciManifest), std::move(layers), names));
  emitImageEvent(e_, "import", rec.id, req.source);
  return "sha256:" + rec.id;
}

}  // namespace berth::engine
