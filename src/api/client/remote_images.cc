// RemoteImages, RemoteSystem, RemoteNetworks: the image, system and network services over
// the libpod routes.
#include <fcntl.h>
#include <unistd.h>

#include "api/client/conn.h"
#include "api/client/errors.h"
#include "api/client/internal.h"
#include "api/client/services.h"
#include "api/client/wire.h"
#include "base/fs.h"
#include "berth/bindings/images.h"
#include "berth/bindings/networks.h"
#include "berth/bindings/system.h"

namespace berth::api::client {

namespace {

// A name's repository and tag ("a/b:1" -> "a/b","1"; "a/b" -> "a/b","latest").
std::pair<std::string, std::string> repoTag(const std::string& name) {
  auto slash = name.rfind('/');
  auto colon = name.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
    return {name.substr(0, colon), name.substr(colon + 1)};
  return {name, "latest"};
}

// Splits the service's progress text into lines for the CLI's renderer.
std::function<void(std::string_view)> progressLines(const ProgressFn& fn) {
  if (!fn) return {};
  return [fn](std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
      size_t nl = text.find('\n', i);
      std::string_view line = text.substr(i, nl == std::string_view::npos ? std::string_view::npos : nl - i);
      i = nl == std::string_view::npos ? text.size() : nl + 1;
      TransferProgress p;
      p.kind = TransferProgress::kMessage;
      p.text = std::string(line);
      fn(p);
    }
  };
}

Result<UniqueFd> openInput(const std::string& path) {
  if (path.empty() || path == "-") {
    int fd = ::dup(0);
    if (fd < 0) return sysError(errno, "dup stdin");
    return UniqueFd(fd);
  }
  return fs::openFd(path, O_RDONLY | O_CLOEXEC);
}

}  // namespace

Result<std::vector<ImageSummary>> RemoteImages::list(const ImageListRequest& req) { return images::list(c_, req); }

Result<Json> RemoteImages::inspect(const std::string& name_or_id) { return images::inspect(c_, name_or_id); }

Result<bool> RemoteImages::exists(const std::string& name_or_id) { return images::exists(c_, name_or_id); }

Result<ImageRemoveReport> RemoteImages::remove(const ImageRemoveRequest& req) {
  if (req.all) return images::remove(c_, req);
  // One request per image, so each error keeps the code the service gave it.
  ImageRemoveReport out;
  for (auto& name : req.images) {
    Query q;
    if (req.force) q.emplace_back("force", "true");
    if (req.ignore) q.emplace_back("ignore", "true");
    auto j = callJson(c_, "DELETE", "/images/" + pathEscape(name), q);
    if (!j.ok()) {
      if (req.ignore && j.error().code() == Code::kNotFound) continue;
      out.errors.push_back(std::move(j).error());
      continue;
    }
    auto f = TRY(Fields::of(*j, "images/remove"));
    std::vector<std::string> untagged, deleted, errs;
    TRY(f.strings("Untagged", untagged));
    TRY(f.strings("Deleted", deleted));
    TRY(f.strings("Errors", errs));
    int exit_code = 0;
    TRY(f.i32("ExitCode", exit_code));
    out.untagged.insert(out.untagged.end(), untagged.begin(), untagged.end());
    out.deleted.insert(out.deleted.end(), deleted.begin(), deleted.end());
    Code code = exit_code == 1 ? Code::kNotFound : exit_code == 2 ? Code::kFailedPrecondition : Code::kInternal;
    for (auto& e : errs) out.errors.emplace_back(code, e);
  }
  return out;
}

Status RemoteImages::tag(const std::string& image, const std::vector<std::string>& names) {
  for (auto& n : names) {
    auto [repo, t] = repoTag(n);
    TRY(images::tag(c_, image, repo, t));
  }
  return {};
}

Status RemoteImages::untag(const std::string& image, const std::vector<std::string>& names) {
  if (names.empty()) return images::untag(c_, image);
  for (auto& n : names) {
    auto [repo, t] = repoTag(n);
    TRY(images::untag(c_, image, repo, t));
  }
  return {};
}

Result<ImageLoadReport> RemoteImages::load(const ImageLoadRequest& req) {
  UniqueFd in = TRY(openInput(req.input));
  ImageLoadReport rep;
  rep.names = TRY(images::load(c_, in.get()));
  return rep;
}

Status RemoteImages::save(const ImageSaveRequest& req) {
  if (req.format == "oci-dir" || req.format == "docker-dir")
    return makeError(Code::kUnimplemented, "save --format {} is not supported by the remote client: use oci-archive "
                     "or docker-archive", req.format);
  UniqueFd out;
  int fd = 1;
  if (!req.output.empty()) {
    out = TRY(fs::openFd(req.output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    fd = out.get();
  }
  auto s = images::save(c_, req.images, req.format, req.compress, fd);
  if (!s.ok() && !req.output.empty()) ::unlink(req.output.c_str());
  return s;
}

Result<std::string> RemoteImages::import(const ImageImportRequest& req) {
  if (req.source.find("://") != std::string::npos)
    return makeError(Code::kUnimplemented, "import {}: importing from a URL is not supported", req.source);
  UniqueFd in = TRY(openInput(req.source));
  return images::import(c_, in.get(), req);
}

Result<std::vector<ImageHistoryEntry>> RemoteImages::history(const std::string& image) {
  return images::history(c_, image);
}

Result<std::vector<std::pair<std::string, int64_t>>> RemoteImages::prune(const ImagePruneRequest& req) {
  return images::prune(c_, req);
}

Result<ImageTree> RemoteImages::tree(const std::string& image) {
  return makeError(Code::kUnimplemented, "image tree {}: not supported by the remote client", image);
}

Result<ImagePullReport> RemoteImages::pull(const ImagePullRequest& req) {
  images::PullOptions po;
  po.all_tags = req.all_tags;
  po.os = req.os;
  po.arch = req.arch;
  po.variant = req.variant;
  po.access = req.access;
  po.progress = progressLines(req.progress);
  ImagePullReport rep;
  rep.ids = TRY(images::pull(c_, req.reference, po));
  return rep;
}

Result<std::string> RemoteImages::push(const ImagePushRequest& req) {
  images::PushOptions po;
  po.destination = req.destination;
  po.format = req.format;
  po.compression_format = req.compression_format;
  po.access = req.access;
  po.progress = progressLines(req.progress);
  std::string digest = TRY(images::push(c_, req.source, po));
  if (!req.digestfile.empty()) TRY(fs::writeFileAtomic(req.digestfile, digest));
  return digest;
}

Result<Json> RemoteSystem::info() { return system::info(c_); }

namespace {

// podman's entities.Event (Docker's events.Message) back to the event record
// (ConvertToLibpodEvent).
Result<Event> decodeEvent(const Json& j) {
  auto f = TRY(Fields::of(j, "events"));
  Event e;
  TRY(f.str("Type", e.type));
  TRY(f.str("Action", e.status));
  TRY(f.str("HealthStatus", e.health_status));
  TRY(f.i64("timeNano", e.time_ns));
  if (const Json* actor = f.get("Actor"); actor && !actor->is_null()) {
    auto a = TRY(Fields::of(*actor, "events Actor"));
    TRY(a.str("ID", e.id));
    TRY(a.stringMap("Attributes", e.attributes));
  }
  auto take = [&](const char* key, std::string& out) {
    if (auto it = e.attributes.find(key); it != e.attributes.end()) {
      out = it->second;
      e.attributes.erase(it);
    }
  };
  take("image", e.image);
  take("name", e.name);
  take("podId", e.pod_id);
  take("network", e.network);
  std::string code;
  take("containerExitCode", code);
  e.attributes.erase("exitCode");
  if (!code.empty()) e.container_exit_code = std::atoi(code.c_str());
  return e;
}

// doc[key], or null (a reference that outlives the call, unlike Json::value's copy).
const Json& member(const Json& doc, const char* key) {
  static const Json kNull;
  auto it = doc.find(key);
  return it == doc.end() ? kNull : *it;
}

std::string unixTime(int64_t ns) { return fmt::format("{}.{:09d}", ns / 1000000000, ns % 1000000000); }

}  // namespace

// GET /libpod/events with since/until from the filter; the filter's keys are applied here
// (the filter object does not give its terms back, and matching the same way on both sides
// keeps the results equal).
Status RemoteSystem::events(const EventsRequest& req, const std::function<bool(const Event&)>& sink) {
  Query q = {{"stream", boolStr(req.stream)}};
  if (req.filter && req.filter->since()) q.emplace_back("since", unixTime(req.filter->since()));
  if (req.filter && req.filter->until()) q.emplace_back("until", unixTime(req.filter->until()));
  if (req.from_start && !(req.filter && (req.filter->since() || req.filter->until())))
    q.emplace_back("since", "0.000000001");
  std::optional<Error> bad;
  auto st = callJsonLines(c_, "GET", "/events", q, {}, [&](const Json& j) {
    if (req.stop && req.stop->load()) return false;
    auto e = decodeEvent(j);
    if (!e.ok()) {
      bad = std::move(e).error();
      return false;
    }
    if (req.filter && !req.filter->match(*e)) return true;
    return sink(*e);
  });
  TRY(orUnsupported(std::move(st), "events"));
  if (bad) return *bad;
  return {};
}

namespace {

Result<std::vector<PruneItem>> pruneItems(const Json& doc, const char* key) {
  std::vector<PruneItem> out;
  size_t i = 0;
  for (const Json* e : TRY(arrayOf(member(doc, key), key))) {
    auto f = TRY(Fields::of(*e, fmt::format("{}[{}]", key, i++)));
    PruneItem it;
    TRY(f.str("Id", it.id));
    TRY(f.i64("Size", it.size));
    std::string err;
    TRY(f.str("Err", err));
    if (!err.empty()) return Error(Code::kInternal, err);
    out.push_back(std::move(it));
  }
  return out;
}

}  // namespace

Result<DfReport> RemoteSystem::df() {
  Json doc = TRY(orUnsupported(callJson(c_, "GET", "/system/df"), "system df"));
  if (!doc.is_object()) return Error(Code::kDataLoss, "system/df: want an object");
  DfReport rep;
  size_t i = 0;
  for (const Json* e : TRY(arrayOf(member(doc, "Images"), "system/df Images"))) {
    auto f = TRY(Fields::of(*e, fmt::format("system/df Images[{}]", i++)));
    DfImage d;
    TRY(f.str("Repository", d.repository));
    TRY(f.str("Tag", d.tag));
    TRY(f.str("ImageID", d.image_id));
    TRY(f.timeNs("Created", d.created));
    d.created /= 1000000000;
    TRY(f.i64("Size", d.size));
    TRY(f.i64("SharedSize", d.shared_size));
    TRY(f.i64("UniqueSize", d.unique_size));
    TRY(f.i32("Containers", d.containers));
    rep.images.push_back(std::move(d));
  }
  i = 0;
  for (const Json* e : TRY(arrayOf(member(doc, "Containers"), "system/df Containers"))) {
    auto f = TRY(Fields::of(*e, fmt::format("system/df Containers[{}]", i++)));
    DfContainer d;
    TRY(f.str("ContainerID", d.container_id));
    TRY(f.str("Image", d.image));
    TRY(f.strings("Command", d.command));
    TRY(f.i32("LocalVolumes", d.local_volumes));
    TRY(f.i64("Size", d.size));
    TRY(f.i64("RWSize", d.rw_size));
    TRY(f.timeNs("Created", d.created));
    d.created /= 1000000000;
    TRY(f.str("Status", d.status));
    TRY(f.str("Names", d.names));
    rep.containers.push_back(std::move(d));
  }
  i = 0;
  for (const Json* e : TRY(arrayOf(member(doc, "Volumes"), "system/df Volumes"))) {
    auto f = TRY(Fields::of(*e, fmt::format("system/df Volumes[{}]", i++)));
    DfVolume d;
    TRY(f.str("VolumeName", d.volume_name));
    TRY(f.i32("Links", d.links));
    TRY(f.i64("Size", d.size));
    TRY(f.i64("ReclaimableSize", d.reclaimable_size));
    rep.volumes.push_back(std::move(d));
  }
  return rep;
}

Result<SystemPruneReport> RemoteSystem::prune(const SystemPruneRequest& req) {
  Query q = {{"all", boolStr(req.all)}, {"volumes", boolStr(req.volumes)}};
  if (!req.filters.empty()) q.emplace_back("filters", TRY(filtersJson(req.filters)));
  Json doc = TRY(orUnsupported(callJson(c_, "POST", "/system/prune", q), "system prune"));
  if (!doc.is_object()) return Error(Code::kDataLoss, "system/prune: want an object");
  SystemPruneReport rep;
  rep.containers = TRY(pruneItems(doc, "ContainerPruneReports"));
  rep.images = TRY(pruneItems(doc, "ImagePruneReports"));
  rep.volumes = TRY(pruneItems(doc, "VolumePruneReports"));
  size_t i = 0;
  for (const Json* e : TRY(arrayOf(member(doc, "PodPruneReport"), "PodPruneReport"))) {
    auto f = TRY(Fields::of(*e, fmt::format("PodPruneReport[{}]", i++)));
    PruneItem it;
    TRY(f.str("Id", it.id));
    rep.pods.push_back(std::move(it));
  }
  i = 0;
  for (const Json* e : TRY(arrayOf(member(doc, "NetworkPruneReports"), "NetworkPruneReports"))) {
    auto f = TRY(Fields::of(*e, fmt::format("NetworkPruneReports[{}]", i++)));
    std::string name;
    TRY(f.str("Name", name));
    rep.networks.push_back(std::move(name));
  }
  if (const Json* r = doc.contains("ReclaimedSpace") ? &doc["ReclaimedSpace"] : nullptr; r && r->is_number_integer())
    rep.reclaimed = r->get<int64_t>();
  return rep;
}
Status RemoteSystem::reset() { return remoteUnsupported("system reset"); }
Status RemoteSystem::migrate(const std::string&) { return remoteUnsupported("system migrate"); }
Status RemoteSystem::renumber() { return remoteUnsupported("system renumber"); }
Result<SystemCheckReport> RemoteSystem::check(const SystemCheckRequest&) { return remoteUnsupported("system check"); }

Result<network::Network> RemoteNetworks::create(const NetworkCreateRequest& req) {
  return orUnsupported(networks::create(c_, req), "network create");
}

Result<std::vector<network::Network>> RemoteNetworks::list(const NetworkListRequest& req) {
  return orUnsupported(networks::list(c_, req.filters), "network ls");
}

Result<network::Network> RemoteNetworks::inspect(const std::string& name_or_id) {
  return orUnsupported(networks::inspect(c_, name_or_id), "network inspect");
}

Result<bool> RemoteNetworks::exists(const std::string& name_or_id) {
  return orUnsupported(networks::exists(c_, name_or_id), "network exists");
}

Result<std::vector<NetworkReport>> RemoteNetworks::remove(const NetworkRemoveRequest& req) {
  std::vector<NetworkReport> out;
  for (auto& n : req.names) {
    auto r = orUnsupported(networks::remove(c_, n, req.force, req.timeout), "network rm");
    if (!r.ok() && r.error().code() == Code::kUnimplemented) return std::move(r).error();
    if (!r.ok()) {
      // The first network that cannot go stops the command, as the local service does.
      if (r.error().code() == Code::kConflict) return std::move(r).error();
      out.push_back(NetworkReport{n, std::move(r).error()});
      continue;
    }
    for (auto& rep : *r) out.push_back(std::move(rep));
  }
  return out;
}

Result<std::vector<NetworkReport>> RemoteNetworks::prune(const std::vector<std::string>& filters) {
  return orUnsupported(networks::prune(c_, filters), "network prune");
}

Result<std::string> RemoteImages::mount(const std::string&) { return remoteUnsupported("image mount"); }
Result<std::string> RemoteImages::unmount(const std::string&, bool) { return remoteUnsupported("image unmount"); }
Result<std::vector<MountedImage>> RemoteImages::mounted() { return remoteUnsupported("image mount"); }
Result<std::vector<FileChange>> RemoteImages::diff(const std::string& image) { return images::changes(c_, image); }

Status RemoteNetworks::connect(const NetworkConnectRequest& req) {
  return orUnsupported(networks::connect(c_, req), "network connect");
}

Status RemoteNetworks::disconnect(const std::string& network, const std::string& container, bool force) {
  return orUnsupported(networks::disconnect(c_, network, container, force), "network disconnect");
}

}  // namespace berth::api::client
