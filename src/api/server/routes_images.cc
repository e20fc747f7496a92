// Image routes: libpod (/libpod/images/...) and Docker-compatible (/images/...).
#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <map>
#include <mutex>

#include "api/server/call.h"
#include "api/server/compat_images.h"
#include "api/server/routes.h"
#include "api/server/server.h"
#include "api/server/stream.h"
#include "base/fs.h"
#include "config/host_env.h"
#include "config/registries.h"
#include "engine/engine.h"
#include "engine/registry_access.h"
#include "registry/registry_client.h"

namespace berth::api::server {

namespace {

using Clock = std::chrono::steady_clock;

// A name for a compat request, as podman's NormalizeToDockerHub gives it.
Result<std::string> dockerHubName(Call& c, const std::string& raw) {
  auto eng = TRY(c.engine());
  return normalizeToDockerHub(raw, [&](const std::string& n) {
    auto e = eng->images().exists(n);
    return e.ok() && *e;
  });
}

// The image name of a request: as given (libpod) or normalized (compat).
Result<std::string> imageName(Call& c, const std::string& raw) {
  if (c.libpod()) return raw;
  return dockerHubName(c, raw);
}

Status fillAccess(Call& c, RegistryAccess& a) {
  a.creds = TRY(registryAuthCreds(c.req.header("x-registry-auth")));
  if (c.has("tlsVerify")) a.tls_verify = TRY(c.boolean("tlsVerify", true));
  return {};
}

// --- search ---------------------------------------------------------------------------

// GET /images/search: term ("registry/name": registries with a v2 catalog are searchable),
// limit (default 25), filters (stars=N, is-automated=BOOL, is-official=BOOL), tlsVerify,
// listTags (libpod). libpod answers podman's ImageSearchReport list, compat Docker's
// registry.SearchResult list.
Status search(Call& c) {
  std::string term = c.str("term");
  if (term.empty()) return makeError(Code::kInvalidArgument, "term parameter cannot be empty");
  int64_t limit = TRY(c.integer("limit", 25));
  // podman's bindings send their option names lower-cased ("listtags"); its schema decoder
  // matches either.
  bool list_tags = c.libpod() && TRY(c.boolean(c.has("listtags") ? "listtags" : "listTags", false));
  int64_t min_stars = 0;
  bool want_official = false, want_automated = false;
  for (auto& f : TRY(c.filters())) {
    auto eq = f.find('=');
    std::string k = f.substr(0, eq), v = eq == std::string::npos ? "" : f.substr(eq + 1);
    if (k == "stars") {
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), min_stars);
      if (ec != std::errc() || p != v.data() + v.size())
        return makeError(Code::kInvalidArgument, "invalid filter \"stars={}\": want an integer", v);
    } else if (k == "is-official" || k == "is-automated") {
      if (v != "true" && v != "false")
        return makeError(Code::kInvalidArgument, "invalid filter \"{}\": want {}=true or {}=false", f, k, k);
      (k == "is-official" ? want_official : want_automated) = v == "true";
    } else {
      return makeError(Code::kInvalidArgument, "invalid filter {:?}: want stars=N, is-automated=BOOL or is-official=BOOL", f);
    }
  }
  auto slash = term.find('/');
  if (slash == std::string::npos)
    return makeError(Code::kInvalidArgument,
                     "search {:?}: give the registry, e.g. localhost:5000/{} (only registries with a v2 catalog are searchable)",
                     term, term);
  std::string reg = term.substr(0, slash), what = term.substr(slash + 1);
  RegistryAccess access;
  TRY(fillAccess(c, access));
  auto conf = config::loadRegistriesConf(config::defaultConfPaths(config::HostEnv::current()));
  auto opts = TRY(engine::clientOptions(access, reg, conf.ok() && config::isInsecure(*conf, reg)));
  registry::RegistryClient client(reg, opts);
  Json arr = Json::array();
  // Catalog entries have no stars and are neither official nor automated.
  bool filtered_out = min_stars > 0 || want_official || want_automated;
  if (list_tags) {
    auto tags = TRY(client.listTags(what));
    for (auto& t : tags) {
      if (limit > 0 && int64_t(arr.size()) >= limit) break;
      arr.push_back(Json{{"Index", reg}, {"Name", reg + "/" + what}, {"Description", ""}, {"Stars", 0},
                         {"Official", ""}, {"Automated", ""}, {"Tag", t}});
    }
    return c.json(200, arr);
  }
  auto repos = TRY(client.catalog(1000));
  for (auto& r : repos) {
    if (filtered_out || r.find(what) == std::string::npos) continue;
    if (limit > 0 && int64_t(arr.size()) >= limit) break;
    if (c.libpod())
      arr.push_back(Json{{"Index", reg}, {"Name", reg + "/" + r}, {"Description", ""}, {"Stars", 0},
                         {"Official", ""}, {"Automated", ""}, {"Tag", ""}});
    else
      arr.push_back(Json{{"description", ""}, {"is_official", false}, {"is_automated", false},
                         {"name", reg + "/" + r}, {"star_count", 0}});
  }
  return c.json(200, arr);
}

// --- list, inspect, exists, history ----------------------------------------------------

Status list(Call& c) {
  auto eng = TRY(c.engine());
  ImageListRequest req;
  req.all = TRY(c.boolean("all", false));
  req.filters = TRY(c.filters());
  // Docker's older "filter" parameter: a reference pattern.
  if (!c.libpod() && c.has("filter")) req.filters.push_back("reference=" + c.str("filter"));
  auto images = TRY(eng->images().list(req));
  Json arr = Json::array();
  for (auto& s : images) arr.push_back(c.libpod() ? libpodImageSummary(s) : dockerImageSummary(s));
  return c.json(200, arr);
}

Status inspect(Call& c) {
  auto eng = TRY(c.engine());
  std::string name = TRY(imageName(c, c.param("name")));
  Json doc = TRY(eng->images().inspect(name));
  return c.json(200, c.libpod() ? doc : dockerImageInspect(doc));
}

Status exists(Call& c) {
  auto eng = TRY(c.engine());
  bool ok = TRY(eng->images().exists(c.param("name")));
  if (!ok) return makeError(Code::kNotFound, "{}: image not known", c.param("name"));
  return c.empty(204);
}

Status history(Call& c) {
  auto eng = TRY(c.engine());
  std::string name = TRY(imageName(c, c.param("name")));
  auto h = TRY(eng->images().history(name));
  Json arr = Json::array();
  for (auto& e : h) arr.push_back(historyJson(e));
  return c.json(200, arr);
}

// --- tag, untag, remove ------------------------------------------------------------------

Status tag(Call& c) {
  auto eng = TRY(c.engine());
  std::string repo = c.str("repo");
  if (repo.empty()) return makeError(Code::kInvalidArgument, "repo parameter is required to tag an image");
  std::string t = c.str("tag", "latest");
  std::string target = repo + ":" + t;
  if (!c.libpod()) target = TRY(dockerHubName(c, target));
  std::string name = TRY(imageName(c, c.param("name")));
  TRY(eng->images().tag(name, {target}));
  return c.empty(201);
}

Status untag(Call& c) {
  auto eng = TRY(c.engine());
  std::vector<std::string> names;
  std::string repo = c.str("repo");
  if (!repo.empty()) names.push_back(repo + ":" + c.str("tag", "latest"));
  TRY(eng->images().untag(c.param("name"), names));
  return c.empty(201);
}

Json removeReportJson(const ImageRemoveReport& r) {
  Json errs = Json::array();
  for (auto& e : r.errors) errs.push_back(e.what());
  return Json{{"Untagged", r.untagged.empty() ? Json(nullptr) : Json(r.untagged)},
              {"Deleted", r.deleted.empty() ? Json(nullptr) : Json(r.deleted)},
              {"Errors", r.errors.empty() ? Json(nullptr) : errs},
              {"ExitCode", r.errors.empty() ? 0 : (r.errors.front().code() == Code::kNotFound ? 1 : 2)}};
}

Status removeOne(Call& c) {
  auto eng = TRY(c.engine());
  ImageRemoveRequest req;
  req.images = {TRY(imageName(c, c.param("name")))};
  req.force = TRY(c.boolean("force", false));
  if (c.libpod()) req.ignore = TRY(c.boolean("ignore", false));
  auto rep = TRY(eng->images().remove(req));
  if (!rep.errors.empty()) return rep.errors.front();
  if (c.libpod()) return c.json(200, removeReportJson(rep));
  Json arr = Json::array();
  for (auto& u : rep.untagged) arr.push_back(Json{{"Untagged", u}});
  for (auto& d : rep.deleted) arr.push_back(Json{{"Deleted", d.rfind("sha256:", 0) == 0 ? d : "sha256:" + d}});
  return c.json(200, arr);
}

Status removeMany(Call& c) {
  auto eng = TRY(c.engine());
  ImageRemoveRequest req;
  req.images = c.all("images");
  req.all = TRY(c.boolean("all", false));
  req.force = TRY(c.boolean("force", false));
  req.ignore = TRY(c.boolean("ignore", false));
  auto rep = TRY(eng->images().remove(req));
  return c.json(200, removeReportJson(rep));
}

// --- pull ----------------------------------------------------------------------------------

Status libpodPull(Call& c) {
  auto eng = TRY(c.engine());
  ImagePullRequest req;
  req.reference = c.str("reference");
  if (req.reference.empty()) return makeError(Code::kInvalidArgument, "reference parameter cannot be empty");
  req.all_tags = TRY(c.boolean("allTags", false));
  req.os = c.str("OS");
  req.arch = c.str("Arch");
  req.variant = c.str("Variant");
  if (req.os.empty()) req.os = c.str("os");
  if (req.arch.empty()) req.arch = c.str("arch");
  if (req.variant.empty()) req.variant = c.str("variant");
  TRY(fillAccess(c, req.access));
  std::string policy = c.str("policy", "always");
  if (policy != "always" && policy != "missing" && policy != "newer" && policy != "never")
    return makeError(Code::kInvalidArgument, "unsupported pull policy {:?}", policy);
  bool quiet = TRY(c.boolean("quiet", false));
  if (policy == "missing" || policy == "never") {
    if (TRY(eng->images().exists(req.reference))) {
      Json doc = TRY(eng->images().inspect(req.reference));
      std::string id = doc.value("Id", "");
      Json rep = {{"images", {id}}, {"id", id}};
      if (quiet) return c.json(200, rep);
      JsonLines out(c.res);
      out.write(rep);
      return out.finish();
    }
    if (policy == "never")
      return makeError(Code::kNotFound, "{}: image not known", req.reference);
  }
  if (quiet) {
    auto rep = eng->images().pull(req);
    Json j = Json::object();
    if (!rep.ok()) j["error"] = rep.error().what();
    else {
      j["images"] = rep->ids;
      if (!rep->ids.empty()) j["id"] = rep->ids.back();
    }
    return c.json(200, j);
  }
  JsonLines out(c.res);
  std::mutex mu;
  std::map<std::string, bool> announced;
  bool said_signatures = false;
  req.progress = [&](const TransferProgress& p) {
    std::lock_guard<std::mutex> g(mu);
    using K = TransferProgress;
    std::string line;
    if (p.kind == K::kStart || p.kind == K::kMessage) {
      line = p.text + "\n";
    } else {
      if (!said_signatures) {
        said_signatures = true;
        out.write(Json{{"stream", "Getting image source signatures\n"}});
      }
      if (p.kind == K::kBlob && !announced[p.digest]) {
        announced[p.digest] = true;
        line = "Copying blob " + p.digest + "\n";
      } else if (p.kind == K::kBlobSkipped) {
        line = "Copying blob " + p.digest + " skipped: already exists\n";
      } else if (p.kind == K::kConfig) {
        line = "Copying config " + p.digest + "\n";
      } else if (p.kind == K::kManifest) {
        line = "Writing manifest to image destination\nStoring signatures\n";
      }
    }
    if (!line.empty()) out.write(Json{{"stream", line}});
  };
  auto rep = eng->images().pull(req);
  Json last = Json::object();
  if (!rep.ok()) {
    last["error"] = rep.error().what();
  } else {
    last["images"] = rep->ids;
    if (!rep->ids.empty()) last["id"] = rep->ids.back();
  }
  out.write(last);
  return out.finish();
}

// Docker's progress stream (jsonmessage.JSONMessage) for a pull.
Status compatPull(Call& c, const std::string& from_image) {
  auto eng = TRY(c.engine());
  std::string name = from_image;
  std::string t = c.str("tag");
  if (!t.empty()) {
    // fromImage=busybox&tag=latest, or a digest in tag.
    name += (t.rfind("sha256:", 0) == 0 ? "@" : ":") + t;
  }
  ImagePullRequest req;
  req.reference = TRY(normalizeToDockerHub(name, nullptr));  // pulls always resolve to docker.io
  std::string platform = c.str("platform");
  if (!platform.empty()) {
    auto s1 = platform.find('/');
    req.os = platform.substr(0, s1);
    if (s1 != std::string::npos) {
      auto s2 = platform.find('/', s1 + 1);
      req.arch = platform.substr(s1 + 1, s2 == std::string::npos ? std::string::npos : s2 - s1 - 1);
      if (s2 != std::string::npos) req.variant = platform.substr(s2 + 1);
    }
  }
  TRY(fillAccess(c, req.access));
  JsonLines out(c.res);
  std::mutex mu;
  std::map<std::string, Clock::time_point> last_sent;
  req.progress = [&](const TransferProgress& p) {
    using K = TransferProgress;
    if (p.digest.size() < 7 + 12) return;
    std::lock_guard<std::mutex> g(mu);
    std::string id = p.digest.substr(7, 12);
    Json m = Json::object();
    m["progressDetail"] = Json::object();
    bool is_new = !last_sent.count(p.digest);
    auto now = Clock::now();
    if (p.kind == K::kBlob) {
      if (is_new) {
        out.write(Json{{"status", "Pulling fs layer"}, {"progressDetail", Json::object()}, {"id", id}});
        last_sent[p.digest] = now - std::chrono::seconds(1);
      }
      if (now - last_sent[p.digest] < std::chrono::milliseconds(100)) return;
      last_sent[p.digest] = now;
      m["status"] = "Downloading";
      m["progressDetail"] = {{"current", p.done}, {"total", p.total}};
      m["progress"] = dockerProgressBar(int64_t(p.done), int64_t(p.total));
    } else if (p.kind == K::kBlobDone) {
      last_sent[p.digest] = now;
      m["status"] = "Download complete";
    } else if (p.kind == K::kBlobSkipped) {
      last_sent[p.digest] = now;
      m["status"] = "Already exists";
    } else {
      return;
    }
    m["id"] = id;
    out.write(m);
  };
  auto rep = eng->images().pull(req);
  Json last = {{"progressDetail", Json::object()}};
  if (!rep.ok()) {
    std::string msg = rep.error().what();
    last["errorDetail"] = {{"message", msg}};
    last["error"] = msg;
  } else if (rep->ids.empty()) {
    last["errorDetail"] = {{"message", "internal error: no images pulled"}};
    last["error"] = "internal error: no images pulled";
  } else {
    last["status"] = "Download complete";
    last["id"] = rep->ids.front().substr(0, 12);
  }
  out.write(last);
  return out.finish();
}

// --- push ----------------------------------------------------------------------------------

Status libpodPush(Call& c) {
  auto eng = TRY(c.engine());
  ImagePushRequest req;
  req.source = c.param("name");
  req.destination = c.str("destination");
  req.format = c.str("format");
  req.compression_format = c.str("compressionFormat");
  TRY(fillAccess(c, req.access));
  bool quiet = TRY(c.boolean("quiet", false));
  if (quiet) {
    auto r = eng->images().push(req);
    if (!r.ok()) return c.fail(Error(r.error().code(), fmt::format("pushing image {:?}: {}",
                                                                  req.destination.empty() ? req.source : req.destination,
                                                                  r.error().what())),
                               400);
    return c.json(200, "");
  }
  JsonLines out(c.res);
  std::mutex mu;
  std::map<std::string, bool> announced;
  bool said = false;
  req.progress = [&](const TransferProgress& p) {
    using K = TransferProgress;
    std::lock_guard<std::mutex> g(mu);
    std::string line;
    if (p.kind == K::kStart || p.kind == K::kMessage) line = p.text + "\n";
    else {
      if (!said) {
        said = true;
        out.write(Json{{"stream", "Getting image source signatures\n"}});
      }
      if ((p.kind == K::kBlob || p.kind == K::kBlobDone) && !announced[p.digest]) {
        announced[p.digest] = true;
        line = "Copying blob " + p.digest + "\n";
      } else if (p.kind == K::kBlobSkipped) {
        line = "Copying blob " + p.digest + " skipped: already exists\n";
      } else if (p.kind == K::kConfig) {
        line = "Copying config " + p.digest + "\n";
      } else if (p.kind == K::kManifest) {
        line = "Writing manifest to image destination\nStoring signatures\n";
      }
    }
    if (!line.empty()) out.write(Json{{"stream", line}});
  };
  auto r = eng->images().push(req);
  if (!r.ok()) out.write(Json{{"error", r.error().what()}});
  else out.write(Json{{"manifestdigest", *r}});
  return out.finish();
}

Status compatPush(Call& c) {
  auto eng = TRY(c.engine());
  ImagePushRequest req;
  std::string name = c.param("name");
  std::string t = c.str("tag");
  if (!t.empty() && name.find('@') == std::string::npos) {
    // Drop a tag already in the name (docker push sends name and tag separately).
    auto slash = name.rfind('/');
    auto colon = name.rfind(':');
    if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) name = name.substr(0, colon);
    name += ":" + t;
  }
  req.source = TRY(dockerHubName(c, name));
  req.destination = req.source;
  TRY(fillAccess(c, req.access));
  JsonLines out(c.res);
  std::mutex mu;
  std::map<std::string, bool> seen;
  req.progress = [&](const TransferProgress& p) {
    using K = TransferProgress;
    if (p.digest.size() < 7 + 12) return;
    std::lock_guard<std::mutex> g(mu);
    std::string id = p.digest.substr(7, 12);
    if (!seen[p.digest]) {
      seen[p.digest] = true;
      out.write(Json{{"status", "Preparing"}, {"progressDetail", Json::object()}, {"id", id}});
    }
    if (p.kind == K::kBlobDone) out.write(Json{{"status", "Pushed"}, {"progressDetail", Json::object()}, {"id", id}});
    else if (p.kind == K::kBlobSkipped)
      out.write(Json{{"status", "Layer already exists"}, {"progressDetail", Json::object()}, {"id", id}});
  };
  auto r = eng->images().push(req);
  if (!r.ok()) {
    std::string msg = r.error().what();
    out.write(Json{{"progressDetail", Json::object()}, {"errorDetail", {{"message", msg}}}, {"error", msg}});
  } else {
    std::string tagname = t.empty() ? "latest" : t;
    out.write(Json{{"status", fmt::format("{}: digest: {}", tagname, *r)}, {"progressDetail", Json::object()}});
    out.write(Json{{"progressDetail", Json::object()}, {"aux", {{"Tag", tagname}, {"Digest", *r}, {"Size", 0}}}});
  }
  return out.finish();
}

// --- load, save, import --------------------------------------------------------------------

Status requireUpload(Call& c) {
  if (c.req.body_file.empty())
    return makeError(Code::kInvalidArgument, "no archive in the request body");
  return {};
}

Status load(Call& c) {
  auto eng = TRY(c.engine());
  TRY(requireUpload(c));
  ImageLoadRequest req;
  req.input = c.req.body_file;
  req.quiet = true;
  auto rep = TRY(eng->images().load(req));
  if (c.libpod()) return c.json(200, Json{{"Names", rep.names}});
  std::string text;
  for (auto& n : rep.names) text += "Loaded image: " + n + "\n";
  return c.json(200, Json{{"stream", text}});
}

// Streams a file as the response body and removes it.
Status sendFile(Call& c, const std::string& path, std::string_view content_type) {
  auto fd = TRY(fs::openFd(path, O_RDONLY | O_CLOEXEC));
  ::unlink(path.c_str());
  TRY(c.res.startStream(200, content_type));
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errnoError("read export file");
    if (n == 0) break;
    if (!c.res.write(std::string_view(buf.data(), size_t(n)))) return {};
  }
  return c.res.endStream();
}

Status save(Call& c, std::vector<std::string> names, std::string format, bool compress) {
  auto eng = TRY(c.engine());
  if (names.empty()) return makeError(Code::kInvalidArgument, "no image named for export");
  ImageSaveRequest req;
  for (auto& n : names) req.images.push_back(TRY(imageName(c, n)));
  req.format = format.empty() ? "docker-archive" : format;
  if (req.format != "docker-archive" && req.format != "oci-archive")
    return makeError(Code::kInvalidArgument, "unsupported export format {:?}: want docker-archive or oci-archive",
                     req.format);
  req.compress = compress;
  std::string dir = c.state().opts.spool_dir;
  TRY(fs::mkdirAll(dir, 0700));
  std::string tmpl = dir + "/export-XXXXXX";
  std::vector<char> p(tmpl.begin(), tmpl.end());
  p.push_back('\0');
  int fd = ::mkstemp(p.data());
  if (fd < 0) return errnoError("create export file in {}", dir);
  ::close(fd);
  req.output = p.data();
  auto st = eng->images().save(req);
  if (!st.ok()) {
    ::unlink(req.output.c_str());
    return st;
  }
  return sendFile(c, req.output, "application/x-tar");
}

Status saveOne(Call& c) {
  return save(c, {c.param("name")}, c.libpod() ? c.str("format", "docker-archive") : "docker-archive",
              TRY(c.boolean("compress", false)));
}

Status saveMany(Call& c) {
  auto names = c.all(c.libpod() ? "references" : "names");
  // Docker also accepts one comma-separated value.
  std::vector<std::string> split;
  for (auto& n : names) {
    size_t i = 0;
    while (i <= n.size()) {
      size_t comma = n.find(',', i);
      std::string part = n.substr(i, comma == std::string::npos ? std::string::npos : comma - i);
      if (!part.empty()) split.push_back(part);
      if (comma == std::string::npos) break;
      i = comma + 1;
    }
  }
  return save(c, split, c.libpod() ? c.str("format", "docker-archive") : "docker-archive",
              TRY(c.boolean("compress", false)));
}

Result<std::string> importFromBody(Call& c, const std::string& reference) {
  auto eng = TRY(c.engine());
  TRY(requireUpload(c));
  ImageImportRequest req;
  req.source = c.req.body_file;
  req.reference = reference;
  for (auto& ch : c.all("changes")) req.changes.push_back(ch);
  req.message = c.str("message");
  return eng->images().import(req);
}

Status libpodImport(Call& c) {
  if (!c.str("url").empty()) return makeError(Code::kUnimplemented, "importing from a URL is not supported");
  std::string id = TRY(importFromBody(c, c.str("reference")));
  return c.json(200, Json{{"Id", id}});
}

// POST /images/create: pull (fromImage) or import (fromSrc=-).
Status compatCreate(Call& c) {
  std::string from_image = c.str("fromImage");
  std::string from_src = c.str("fromSrc");
  if (!from_image.empty()) return compatPull(c, from_image);
  if (from_src.empty()) return makeError(Code::kInvalidArgument, "fromImage or fromSrc is required");
  if (from_src != "-") return makeError(Code::kUnimplemented, "importing from a URL is not supported");
  std::string ref;
  std::string repo = c.str("repo");
  if (!repo.empty()) ref = TRY(dockerHubName(c, repo + ":" + c.str("tag", "latest")));
  std::string id = TRY(importFromBody(c, ref));
  return c.json(200, Json{{"status", id}, {"progress", ""}, {"progressDetail", Json::object()}, {"id", id}});
}

// --- prune ---------------------------------------------------------------------------------

Status prune(Call& c) {
  auto eng = TRY(c.engine());
  ImagePruneRequest req;
  req.all = TRY(c.boolean("all", false));
  req.filters = TRY(c.filters());
  // Docker: dangling=false in filters means all unused images.
  for (auto it = req.filters.begin(); it != req.filters.end();) {
    if (*it == "dangling=false" || *it == "dangling=0") {
      req.all = true;
      it = req.filters.erase(it);
    } else if (*it == "dangling=true" || *it == "dangling=1") {
      it = req.filters.erase(it);
    } else {
      ++it;
    }
  }
  auto removed = TRY(eng->images().prune(req));
  if (c.libpod()) {
    Json arr = Json::array();
    for (auto& [id, size] : removed) arr.push_back(Json{{"Id", id}, {"Size", size}});
    return c.json(200, arr);
  }
  Json deleted = Json::array();
  int64_t total = 0;
  for (auto& [id, size] : removed) {
    deleted.push_back(Json{{"Deleted", id.rfind("sha256:", 0) == 0 ? id : "sha256:" + id}});
    total += size;
  }
  return c.json(200, Json{{"ImagesDeleted", removed.empty() ? Json(nullptr) : deleted}, {"SpaceReclaimed", total}});
}

}  // namespace

void registerImageRoutes(Router& r) {
  constexpr auto L = Tree::kLibpod;
  constexpr auto C = Tree::kCompat;
  // Fixed paths first: {name:.*} would match them too.
  r.add("GET", L, "/images/json", list);
  both(r, "GET", "/images/search", search);
  r.add("GET", C, "/images/json", list);
  r.add("POST", L, "/images/pull", libpodPull);
  r.add("POST", C, "/images/create", compatCreate, BodyMode::kSpool);
  r.add("POST", L, "/images/load", load, BodyMode::kSpool);
  r.add("POST", C, "/images/load", load, BodyMode::kSpool);
  r.add("POST", L, "/images/import", libpodImport, BodyMode::kSpool);
  r.add("POST", L, "/images/prune", prune);
  r.add("POST", C, "/images/prune", prune);
  r.add("GET", L, "/images/export", saveMany);
  r.add("GET", C, "/images/get", saveMany);
  r.add("DELETE", L, "/images/remove", removeMany);
  both(r, "GET", "/images/{name:.*}/json", inspect);
  r.add("GET", L, "/images/{name:.*}/exists", exists);
  both(r, "GET", "/images/{name:.*}/history", history);
  both(r, "POST", "/images/{name:.*}/tag", tag);
  r.add("POST", L, "/images/{name:.*}/untag", untag);
  r.add("POST", L, "/images/{name:.*}/push", libpodPush);
  r.add("POST", C, "/images/{name:.*}/push", compatPush);
  both(r, "GET", "/images/{name:.*}/get", saveOne);
  both(r, "DELETE", "/images/{name:.*}", removeOne);
}

}  // namespace berth::api::server
