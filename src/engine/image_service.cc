// Local image operations: list, inspect, lookup, tag, remove, prune, history, tree.
#include "engine/image_service.h"
#include "engine/manifest_service.h"

#include <fnmatch.h>

#include <algorithm>
#include <set>

#include "base/digest.h"
#include "base/timefmt.h"
#include "engine/container_service.h"
#include "engine/engine.h"
#include "engine/event_emit.h"
#include "engine/store_lock.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "state/containers.h"
#include "state/manifest_lists.h"
#include "state/pods.h"

namespace berth::engine {

namespace {

bool isHex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

std::string repoOf(const std::string& name) {
  auto at = name.find('@');
  std::string n = name.substr(0, at);
  auto slash = n.rfind('/');
  auto colon = n.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
    n = n.substr(0, colon);
  return n;
}

Error notKnown(const std::string& input) {
  return makeError(Code::kNotFound, "{}: image not known", input);
}

std::vector<std::string> repoDigests(const state::ImageRecord& r) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (auto& n : r.names) {
    std::string rd = repoOf(n) + "@" + r.digest;
    if (seen.insert(rd).second) out.push_back(rd);
  }
  for (auto& d : r.repo_digests)
    if (seen.insert(d).second) out.push_back(d);
  return out;
}

}  // namespace

Result<ResolvedImage> lookupImage(const std::vector<state::ImageRecord>& all,
                                  const std::string& input) {
  if (input.empty()) return makeError(Code::kInvalidArgument, "image name must not be empty");
  // 1. Exact stored name.
  for (auto& r : all)
    for (auto& n : r.names)
      if (n == input) return ResolvedImage{r, n};
  // 2. ID or ID prefix.
  std::string id = input.rfind("sha256:", 0) == 0 ? input.substr(7) : input;
  if (isHex(id) && id.size() <= 64) {
    const state::ImageRecord* found = nullptr;
    for (auto& r : all) {
      if (r.id.rfind(id, 0) == 0) {
        if (found && found->id != r.id)
          return makeError(Code::kInvalidArgument, "{}: ambiguous image ID prefix, more than one image matches", input);
        found = &r;
      }
    }
    if (found) return ResolvedImage{*found, ""};
    if (id.size() == 64) return notKnown(input);
  }
  // 3. A reference, normalised.
  auto ref = image::parseNormalizedNamed(input);
  if (!ref.ok()) return std::move(ref).error();
  if (!ref->digest.empty()) {
    std::string repo = ref->name();
    for (auto& r : all) {
      // The image's own manifest under any of its names, or a recorded repo
      // digest (which may be an index the image was pulled through).
      if (r.digest == ref->digest)
        for (auto& n : r.names)
          if (repoOf(n) == repo) return ResolvedImage{r, ""};
      for (auto& d : r.repo_digests)
        if (d == repo + "@" + ref->digest) return ResolvedImage{r, ""};
    }
    return notKnown(input);
  }
  std::string full = image::withDefaultTag(*ref).string();
  for (auto& r : all)
    for (auto& n : r.names)
      if (n == full) return ResolvedImage{r, n};
  if (image::isShortName(input)) {
    // Short name: localhost/ first, then any repository ending in /<name>.
    std::string tag = ref->tag.empty() ? "latest" : ref->tag;
    std::string path = ref->path;
    if (path.rfind("library/", 0) == 0 && input.find("library/") != 0) path = path.substr(8);
    std::string local = "localhost/" + path + ":" + tag;
    for (auto& r : all)
      for (auto& n : r.names)
        if (n == local) return ResolvedImage{r, n};
    std::string suffix = "/" + path + ":" + tag;
    for (auto& r : all)
      for (auto& n : r.names)
        if (n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0)
          return ResolvedImage{r, n};
  }
  return notKnown(input);
}

Result<ResolvedImage> LocalImageService::resolve(const std::string& input) {
  auto all = TRY(state::listImages(e_.db()));
  return lookupImage(all, input);
}

Result<image::ImageConfig> LocalImageService::config(const state::ImageRecord& rec) {
  std::string raw = TRY_CTX(e_.content().readAll("sha256:" + rec.id), "image {}", rec.id.substr(0, 12));
  return std::move(image::parseImageConfig(raw)).context("image config sha256:" + rec.id);
}

// --- list -------------------------------------------------------------------

namespace {

struct Filter {
  std::string key, value;
};

Result<std::vector<Filter>> parseFilters(const std::vector<std::string>& raw,
                                         std::initializer_list<std::string_view> allowed) {
  std::vector<Filter> out;
  for (auto& f : raw) {
    auto eq = f.find('=');
    if (eq == std::string::npos)
      return makeError(Code::kInvalidArgument, "invalid filter {:?}: want KEY=VALUE", f);
    Filter flt{f.substr(0, eq), f.substr(eq + 1)};
    if (std::find(allowed.begin(), allowed.end(), flt.key) == allowed.end())
      return makeError(Code::kInvalidArgument, "invalid filter {:?}: unknown key {:?}", f, flt.key);
    out.push_back(flt);
  }
  return out;
}

bool labelMatches(const Json& labels, const std::string& want) {
  auto eq = want.find('=');
  std::string k = want.substr(0, eq);
  if (!labels.is_object() || !labels.contains(k)) return false;
  if (eq == std::string::npos) return true;
  return labels[k].is_string() && labels[k].get<std::string>() == want.substr(eq + 1);
}

bool referenceMatches(const state::ImageRecord& r, const std::string& pattern) {
  for (auto& n : r.names) {
    // Match against the full name, the repository, and the familiar short forms.
    std::vector<std::string> forms = {n, repoOf(n)};
    auto slash = n.find('/');
    if (slash != std::string::npos) {
      std::string noDomain = n.substr(slash + 1);
      forms.push_back(noDomain);
      forms.push_back(repoOf(noDomain));
      if (noDomain.rfind("library/", 0) == 0) {
        forms.push_back(noDomain.substr(8));
        forms.push_back(repoOf(noDomain.substr(8)));
      }
    }
    for (auto& f : forms)
      if (fnmatch(pattern.c_str(), f.c_str(), 0) == 0) return true;
  }
  return false;
}

}  // namespace

namespace {
// podman's image parent relation (libimage's children): `child` extends `parent`'s layers
// by more layers, or keeps them and was made later (a config-only build step).
bool isChildOf(const state::ImageRecord& child, const state::ImageRecord& parent) {
  if (child.id == parent.id || child.layers.size() < parent.layers.size()) return false;
  for (size_t i = 0; i < parent.layers.size(); ++i)
    if (child.layers[i].chain_id != parent.layers[i].chain_id) return false;
  return child.layers.size() > parent.layers.size() || child.created > parent.created;
}
}  // namespace

Result<std::vector<api::ImageSummary>> LocalImageService::list(const api::ImageListRequest& req) {
  auto filters = TRY(parseFilters(req.filters, {"reference", "dangling", "label", "before", "since",
                                                "after", "id", "readonly", "until", "intermediate", "digest"}));
  auto all = TRY(state::listImages(e_.db()));
  // Layer chain IDs that sit below some image's top: their images are intermediate.
  std::set<std::string> lower_layers;
  for (auto& r : all)
    for (size_t i = 0; i + 1 < r.layers.size(); ++i) lower_layers.insert(r.layers[i].chain_id);
  std::map<std::string, int64_t> containers;
  {
    auto s = TRY(e_.db().prepare("SELECT image_id, COUNT(*) FROM containers GROUP BY image_id"));
    while (TRY(s.next())) containers[s.text(0)] = s.int64(1);
  }
  // Resolve before/since references once.
  std::map<std::string, int64_t> ref_times;
  for (auto& f : filters)
    if (f.key == "before" || f.key == "since" || f.key == "after")
      ref_times[f.value] = TRY(lookupImage(all, f.value)).rec.created;

  std::vector<api::ImageSummary> out;
  for (auto& r : all) {
    bool dangling = r.names.empty();
    bool intermediate = dangling && (lower_layers.count(r.top_layer) ||
                                     std::any_of(all.begin(), all.end(), [&](const state::ImageRecord& o) {
                                       return o.top_layer == r.top_layer && isChildOf(o, r);
                                     }));
    if (intermediate && !req.all) continue;
    auto labels_of = [&]() -> const Json& { return r.labels; };
    // Filters: AND across keys, OR within a key.
    std::map<std::string, bool> key_ok;
    for (auto& f : filters) {
      bool m = false;
      if (f.key == "reference") m = referenceMatches(r, f.value);
      else if (f.key == "dangling") m = (f.value == "true" || f.value == "1") == dangling;
      else if (f.key == "intermediate") m = (f.value == "true") == intermediate;
      else if (f.key == "label") m = labelMatches(labels_of(), f.value);
      else if (f.key == "before") m = r.created < ref_times[f.value];
      else if (f.key == "since" || f.key == "after") m = r.created > ref_times[f.value];
      else if (f.key == "id") m = r.id.rfind(f.value.rfind("sha256:", 0) == 0 ? f.value.substr(7) : f.value, 0) == 0;
      else if (f.key == "digest") m = r.digest == f.value;
      else if (f.key == "readonly") m = f.value == "false";
      else if (f.key == "until") {
        auto t = parseTimestampArg(f.value);
        if (!t.ok()) return std::move(t).error().context("filter until");
        m = r.created < *t;
      }
      key_ok[f.key] = key_ok[f.key] || m;
    }
    if (std::any_of(key_ok.begin(), key_ok.end(), [](auto& kv) { return !kv.second; })) continue;

    api::ImageSummary s;
    s.id = r.id;
    s.repo_tags = r.names;
    s.repo_digests = repoDigests(r);
    s.created = r.created / 1000000000;
    s.size = r.size;
    s.containers = containers.count(r.id) ? containers[r.id] : 0;
    s.names = r.names;
    // podman's NamesHistory: the current names, then the ones it lost, latest first.
    s.history = r.names;
    for (auto& n : r.names_history)
      if (std::find(s.history.begin(), s.history.end(), n) == s.history.end()) s.history.push_back(n);
    s.digest = r.digest;
    s.dangling = dangling;
    const Json& l = labels_of();
    if (l.is_object())
      for (auto& [k, v] : l.items())
        if (v.is_string()) s.labels[k] = v.get<std::string>();
    out.push_back(std::move(s));
  }
  return out;
}

// --- inspect ----------------------------------------------------------------

Result<Json> LocalImageService::inspect(const std::string& name_or_id) {
  auto ri = TRY(resolve(name_or_id));
  auto& r = ri.rec;
  auto cfg = TRY(config(r));
  Json j;
  j["Id"] = r.id;
  j["Digest"] = r.digest;
  j["RepoTags"] = r.names;
  j["RepoDigests"] = repoDigests(r);
  j["Parent"] = "";
  std::string comment = cfg.comment;
  if (comment.empty() && !cfg.history.empty()) comment = cfg.history.back().comment;
  j["Comment"] = comment;
  j["Created"] = formatRfc3339Nano(r.created);
  j["Config"] = cfg.config;
  j["Version"] = cfg.docker_version;
  j["Author"] = cfg.author;
  j["Architecture"] = cfg.architecture;
  if (!cfg.variant.empty()) j["Variant"] = cfg.variant;
  j["Os"] = cfg.os;
  j["Size"] = r.size;
  j["VirtualSize"] = r.size;
  Json gd_data = nullptr;
  if (e_.driver() == "overlay" && !r.layers.empty()) {
    gd_data = Json::object();
    std::string lower;
    for (size_t i = r.layers.size() - 1; i-- > 0;)
      lower += (lower.empty() ? "" : ":") + fmt::format("{}/{}/diff", e_.layers().root(), digestHex(r.layers[i].chain_id));
    if (!lower.empty()) gd_data["LowerDir"] = lower;
    gd_data["UpperDir"] = fmt::format("{}/{}/diff", e_.layers().root(), digestHex(r.top_layer));
    gd_data["WorkDir"] = fmt::format("{}/{}/work", e_.layers().root(), digestHex(r.top_layer));
  }
  j["GraphDriver"] = {{"Name", e_.driver()}, {"Data", gd_data}};
  Json layers = Json::array();
  for (auto& l : r.layers) layers.push_back(l.diff_id);
  j["RootFS"] = {{"Type", "layers"}, {"Layers", layers}};
  j["Labels"] = cfg.config.contains("Labels") ? cfg.config["Labels"] : Json(nullptr);
  j["Annotations"] = Json::object();
  if (r.manifest_type.find("oci") != std::string::npos) {
    auto m = e_.content().readAll(r.digest);
    if (m.ok()) {
      auto manifest = TRY_CTX(image::parseManifest(*m), "manifest {} of image {}", r.digest, r.id.substr(0, 12));
      if (manifest.annotations.is_object()) j["Annotations"] = manifest.annotations;
    }
  }
  j["ManifestType"] = r.manifest_type;
  j["User"] = cfg.user;
  j["History"] = cfg.doc.contains("history") ? cfg.doc["history"] : Json::array();
  j["NamesHistory"] = r.names;
  return j;
}

Result<bool> LocalImageService::exists(const std::string& name_or_id) {
  auto r = resolve(name_or_id);
  if (r.ok()) return true;
  if (r.error().code() == Code::kNotFound) return false;
  return std::move(r).error();
}

// --- tag / untag ------------------------------------------------------------

Status LocalImageService::tag(const std::string& image, const std::vector<std::string>& names) {
  auto ri = TRY(resolve(image));
  std::vector<std::string> full;
  for (auto& n : names) {
    auto ref = TRY_CTX(image::parseNormalizedNamed(n), "tag {}", n);
    if (!ref.digest.empty())
      return makeError(Code::kInvalidArgument, "tag {}: a tag cannot contain a digest", n);
    // An unqualified name is tagged under localhost/, as podman does.
    if (image::isShortName(n)) {
      std::string path = ref.path.rfind("library/", 0) == 0 && n.find("library/") != 0 ? ref.path.substr(8) : ref.path;
      full.push_back("localhost/" + path + ":" + (ref.tag.empty() ? "latest" : ref.tag));
    } else {
      full.push_back(image::withDefaultTag(ref).string());
    }
  }
  TRY(e_.db().transaction([&]() -> Status {
    // Re-check inside the transaction: the image may have gone meanwhile.
    if (!TRY(state::getImage(e_.db(), ri.rec.id)).has_value()) return notKnown(image);
    for (auto& n : full) TRY(state::setName(e_.db(), ri.rec.id, n));
    return {};
  }));
  for (auto& n : names) emitImageEvent(e_, "tag", ri.rec.id, n);
  return {};
}

Status LocalImageService::untag(const std::string& image, const std::vector<std::string>& names) {
  auto all = TRY(state::listImages(e_.db()));
  auto ri = TRY(lookupImage(all, image));
  std::vector<std::string> remove;
  std::vector<std::string> remove_digests;  // repo@digest names recorded by pulls by digest
  if (names.empty()) {
    remove = ri.rec.names;
  } else {
    for (auto& n : names) {
      // A digested reference (its tag, if any, dropped as podman does) names the
      // repo digest a pull by digest recorded; untagging it forgets that record.
      auto ref = image::parseNormalizedNamed(n);
      if (ref.ok() && !ref->digest.empty()) {
        std::string rd = ref->name() + "@" + ref->digest;
        if (std::find(ri.rec.repo_digests.begin(), ri.rec.repo_digests.end(), rd) == ri.rec.repo_digests.end())
          return makeError(Code::kNotFound, "{}: tag not known", rd);
        remove_digests.push_back(rd);
        continue;
      }
      // Resolve the name the same way as for lookups, restricted to this image's names.
      state::ImageRecord only = ri.rec;
      auto m = lookupImage({only}, n);
      if (!m.ok() || m->matched_name.empty())
        return makeError(Code::kNotFound, "{}: tag not known", n);
      remove.push_back(m->matched_name);
    }
  }
  TRY(e_.db().transaction([&]() -> Status {
    for (auto& n : remove) TRY(state::removeName(e_.db(), n));
    if (!remove_digests.empty()) {
      auto cur = TRY(state::getImage(e_.db(), ri.rec.id));
      if (!cur) return notKnown(image);
      std::erase_if(cur->repo_digests, [&](const std::string& d) {
        return std::find(remove_digests.begin(), remove_digests.end(), d) != remove_digests.end();
      });
      TRY(state::putImage(e_.db(), *cur));
    }
    return {};
  }));
  for (auto& n : remove) emitImageEvent(e_, "untag", ri.rec.id, n);
  for (auto& n : remove_digests) emitImageEvent(e_, "untag", ri.rec.id, n);
  return {};
}

// --- remove / prune / gc ----------------------------------------------------

// rmi --force: the containers using the images go first, as podman's RemoveContainerFunc;
// an infra container takes its whole pod with it. Before the store lock: removing a
// container takes its own locks.
Status LocalImageService::removeImageUsers(const api::ImageRemoveRequest& req) {
  auto all = TRY(state::listImages(e_.db()));
  std::set<std::string> ids;
  if (req.all) {
    for (auto& r : all) ids.insert(r.id);
  } else {
    for (auto& input : req.images)
      if (auto ri = lookupImage(all, input); ri.ok()) ids.insert(ri->rec.id);
  }
  if (ids.empty()) return {};
  std::vector<std::string> pods, ctrs;
  for (auto& c : TRY(state::listContainers(e_.db()))) {
    if (!ids.count(c.image_id)) continue;
    std::string pod = storedSpec(c.config).pod;
    if (!pod.empty()) {
      auto p = state::getPod(e_.db(), pod);
      if (p.ok() && *p && (*p)->config.value("infra_id", std::string()) == c.id) {
        pods.push_back(pod);
        continue;
      }
    }
    ctrs.push_back(c.id);
  }
  if (!pods.empty()) {
    api::PodRemoveRequest pr;
    pr.names = pods;
    pr.force = true;
    pr.ignore = true;
    for (auto& r : TRY(e_.pods().remove(pr)))
      if (r.error) return r.error->context(fmt::format("removing pod {} of an image's infra container", r.id));
  }
  if (!ctrs.empty()) {
    api::ContainerRemoveRequest cr;
    cr.names = ctrs;
    cr.force = true;
    cr.ignore = true;
    cr.depend = true;
    for (auto& r : TRY(e_.containers().remove(cr)))
      if (r.error) return r.error->context(fmt::format("removing container {} that uses the image", r.name));
  }
  return {};
}

Result<api::ImageRemoveReport> LocalImageService::remove(const api::ImageRemoveRequest& req) {
  api::ImageRemoveReport rep;
  if (req.force) TRY(removeImageUsers(req));
  StoreLock lock = TRY(StoreLock::exclusive(e_.options().root));
  auto all = TRY(state::listImages(e_.db()));
  std::vector<std::string> targets = req.images;
  if (req.all) {
    targets.clear();
    for (auto& r : all) targets.push_back(r.id);
  }
  std::set<std::string> deleted;
  std::vector<std::string> reported;  // names whose untag event is written
  for (auto& input : targets) {
    auto ri = lookupImage(all, input);
    if (!ri.ok()) {
      // A manifest list is an image to podman's rmi too.
      if (ri.error().code() == Code::kNotFound) {
        ManifestService lists(e_);
        if (auto is_list = lists.exists(input); is_list.ok() && *is_list) {
          auto lr = lists.remove({input}, false);
          for (auto& n : lr.untagged) rep.untagged.push_back(n);
          for (auto& d : lr.deleted) rep.deleted.push_back(d);
          for (auto& e : lr.errors) rep.errors.push_back(std::move(e));
          continue;
        }
      }
      if (ri.error().code() == Code::kNotFound && req.ignore) continue;
      rep.errors.push_back(std::move(ri).error());
      continue;
    }
    auto& r = ri->rec;
    if (deleted.count(r.id)) continue;
    Status st = e_.db().transaction([&]() -> Status {
      auto cur = TRY(state::getImage(e_.db(), r.id));
      if (!cur) return notKnown(input);
      // Removing by name while other names remain only untags that name, with
      // or without --force (podman's libimage does the same).
      if (!ri->matched_name.empty() && cur->names.size() > 1) {
        TRY(state::removeName(e_.db(), ri->matched_name));
        rep.untagged.push_back(ri->matched_name);
        return {};
      }
      // A repo digest a pull by digest recorded counts as a name too.
      auto dref = image::parseNormalizedNamed(input);
      if (ri->matched_name.empty() && dref.ok() && !dref->digest.empty()) {
        std::string rd = dref->name() + "@" + dref->digest;
        auto it = std::find(cur->repo_digests.begin(), cur->repo_digests.end(), rd);
        if (it != cur->repo_digests.end() && cur->names.size() + cur->repo_digests.size() > 1) {
          cur->repo_digests.erase(it);
          TRY(state::putImage(e_.db(), *cur));
          rep.untagged.push_back(rd);
          return {};
        }
      }
      if (ri->matched_name.empty() && cur->names.size() > 1 && !req.force)
        return makeError(Code::kConflict,
                         "unable to delete image {:?} by ID with more than one tag ({}): please force removal",
                         r.id, fmt::join(cur->names, ", "));
      int64_t users = TRY(state::containersUsingImage(e_.db(), r.id));
      if (users > 0)
        return makeError(Code::kFailedPrecondition,
                         "image used by {} container(s): image is in use by a container: consider listing "
                         "external containers and force-removing image",
                         users);
      TRY(state::deleteImage(e_.db(), r.id));
      for (auto& n : cur->names) rep.untagged.push_back(n);
      rep.deleted.push_back(r.id);
      deleted.insert(r.id);
      return {};
    });
    if (!st.ok()) {
      rep.errors.push_back(std::move(st).error());
      continue;
    }
    // Events once committed: the names it lost, then the removal itself.
    bool removed = deleted.count(r.id) > 0;
    for (auto& n : rep.untagged)
      if (std::find(reported.begin(), reported.end(), n) == reported.end()) {
        emitImageEvent(e_, "untag", r.id, n);
        reported.push_back(n);
      }
    if (removed) emitImageEvent(e_, "remove", r.id, r.id);
    if (removed) removeUnusedParents(r, rep);
  }
  if (!rep.deleted.empty()) TRY(collectGarbage());
  return rep;
}

// After `gone` is deleted, its parent goes too when nothing names or uses it and it has no
// other children (the intermediate images of a build), and so on up the chain, as podman's
// rmi does. Failures only end the walk.
void LocalImageService::removeUnusedParents(const state::ImageRecord& gone, api::ImageRemoveReport& rep) {
  state::ImageRecord child = gone;
  for (;;) {
    auto all = state::listImages(e_.db());
    if (!all.ok()) return;
    const state::ImageRecord* parent = nullptr;
    for (auto& p : *all)
      if (isChildOf(child, p) &&
          (!parent || p.layers.size() > parent->layers.size() ||
           (p.layers.size() == parent->layers.size() && p.created > parent->created)))
        parent = &p;
    if (!parent || !parent->names.empty() || !parent->repo_digests.empty()) return;
    for (auto& o : *all)
      if (o.id != child.id && isChildOf(o, *parent)) return;
    state::ImageRecord p = *parent;
    Status st = e_.db().transaction([&]() -> Status {
      if (TRY(state::containersUsingImage(e_.db(), p.id)) > 0)
        return makeError(Code::kFailedPrecondition, "in use");
      return state::deleteImage(e_.db(), p.id);
    });
    if (!st.ok()) return;
    rep.deleted.push_back(p.id);
    emitImageEvent(e_, "remove", p.id, p.id);
    child = std::move(p);
  }
}

Result<std::vector<std::pair<std::string, int64_t>>> LocalImageService::prune(
    const api::ImagePruneRequest& req) {
  auto filters = TRY(parseFilters(req.filters, {"label", "label!", "until", "dangling"}));
  StoreLock lock = TRY(StoreLock::exclusive(e_.options().root));
  std::vector<std::pair<std::string, int64_t>> removed;
  // Pruning can expose more dangling parents; repeat until nothing changes.
  for (;;) {
    auto all = TRY(state::listImages(e_.db()));
    std::vector<std::pair<std::string, int64_t>> round;
    for (auto& r : all) {
      if (!req.all && !r.names.empty()) continue;
      bool ok = true;
      for (auto& f : filters) {
        if (f.key == "until") {
          auto t = TRY(parseTimestampArg(f.value));
          ok &= r.created < t;
        } else if (f.key == "label") {
          ok &= labelMatches(r.labels, f.value);
        } else if (f.key == "label!") {
          ok &= !labelMatches(r.labels, f.value);
        } else if (f.key == "dangling") {
          ok &= (f.value == "true") == r.names.empty();
        }
      }
      if (!ok) continue;
      TRY(e_.db().transaction([&]() -> Status {
        if (TRY(state::containersUsingImage(e_.db(), r.id)) > 0) return {};
        TRY(state::deleteImage(e_.db(), r.id));
        round.emplace_back(r.id, r.size);
        return {};
      }));
    }
    if (round.empty()) break;
    removed.insert(removed.end(), round.begin(), round.end());
  }
  TRY(collectGarbage());
  return removed;
}

Status LocalImageService::collectGarbage() {
  dropStaleMounts();
  auto all = TRY(state::listImages(e_.db()));
  std::set<std::string> chains, blobs;
  for (auto& r : all) {
    blobs.insert("sha256:" + r.id);
    blobs.insert(r.digest);
    for (auto& l : r.layers) {
      chains.insert(l.chain_id);
      blobs.insert(l.digest);
    }
  }
  // Manifest lists keep their index blob and the blobs of entries copied locally.
  for (auto& list : TRY(state::listManifestLists(e_.db()))) blobs.insert(list.digest);
  for (auto& layer : TRY(e_.layers().list()))
    if (!chains.count(layer.chain_id)) TRY(e_.layers().remove(layer.chain_id));
  for (auto& b : TRY(e_.content().list()))
    if (!blobs.count(b)) TRY(e_.content().remove(b));
  return {};
}

// --- history / tree ---------------------------------------------------------

Result<std::vector<api::ImageHistoryEntry>> LocalImageService::history(const std::string& image) {
  auto ri = TRY(resolve(image));
  auto cfg = TRY(config(ri.rec));
  std::vector<api::ImageHistoryEntry> out;
  size_t layer = 0;
  for (const auto& h : cfg.history) {
    api::ImageHistoryEntry e;
    e.id = "<missing>";
    e.created = h.created.value_or(0) / 1000000000;
    e.created_by = h.created_by;
    e.comment = h.comment;
    if (!h.empty_layer && layer < ri.rec.layers.size()) e.size = int64_t(ri.rec.layers[layer++].diff_size);
    out.push_back(e);
  }
  std::reverse(out.begin(), out.end());
  if (out.empty()) out.push_back(api::ImageHistoryEntry{"", ri.rec.created / 1000000000, "", ri.rec.size, "", {}});
  out[0].id = ri.rec.id;
  out[0].tags = ri.rec.names;
  return out;
}

Result<api::ImageTree> LocalImageService::tree(const std::string& image) {
  auto all = TRY(state::listImages(e_.db()));
  auto ri = TRY(lookupImage(all, image));
  api::ImageTree t;
  t.id = ri.rec.id;
  t.tags = ri.rec.names;
  t.size = ri.rec.size;
  for (auto& l : ri.rec.layers) {
    api::ImageTreeLayer tl;
    tl.id = std::string(digestHex(l.chain_id));
    tl.size = int64_t(l.diff_size);
    for (auto& r : all)
      if (r.top_layer == l.chain_id)
        for (auto& n : r.names) tl.top_of.push_back(n);
    t.layers.push_back(tl);
  }
  return t;
}

}  // namespace berth::engine
