// berth::images: the libpod image routes.
#include <unistd.h>

#include "api/client/conn.h"
#include "api/client/errors.h"
#include "api/client/wire.h"
#include "base/fs.h"
#include "berth/bindings/images.h"

namespace berth::images {

using api::client::boolStr;
using api::client::call;
using api::client::callJson;
using api::client::Query;

namespace {

std::string path(const std::string& name, std::string_view tail = {}) {
  return "/images/" + api::client::pathEscape(name) + std::string(tail);
}

std::string base64Url(std::string_view in) {
  static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += {tbl[v >> 18], tbl[(v >> 12) & 63], tbl[(v >> 6) & 63], tbl[v & 63]};
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += {tbl[v >> 18], tbl[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {tbl[v >> 18], tbl[(v >> 12) & 63], tbl[(v >> 6) & 63], '='};
  }
  return out;
}

// X-Registry-Auth for --creds user[:password] (podman's XRegistryAuthHeader).
void addAuth(api::client::HttpRequest& req, const api::RegistryAccess& a) {
  if (a.creds.empty()) return;
  auto colon = a.creds.find(':');
  Json j = {{"username", a.creds.substr(0, colon)},
            {"password", colon == std::string::npos ? std::string() : a.creds.substr(colon + 1)}};
  req.headers.emplace_back("X-Registry-Auth", base64Url(j.dump()));
}

Result<std::string> streamText(const Json& line, std::string_view key) {
  auto it = line.find(key);
  if (it == line.end() || it->is_null()) return std::string();
  if (!it->is_string()) return Error(Code::kDataLoss, fmt::format("images stream: {}: want string", key));
  return it->get<std::string>();
}

// Runs a progress stream ({"stream"} lines, an {"error"}, a final report).
Status progressStream(Connection& c, api::client::HttpRequest req,
                      const std::function<void(std::string_view)>& progress,
                      const std::function<Status(const Json&)>& report) {
  std::optional<Error> failure;
  std::string pending;
  auto st = c.impl().http.stream(req, [&](std::string_view piece) {
    pending.append(piece);
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      std::string_view line(pending.data() + start, nl - start);
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      auto j = parseJson(line, "images progress stream");
      if (!j.ok() || !j->is_object()) {
        failure = Error(Code::kDataLoss, j.ok() ? "images progress stream: want objects" : j.error().message());
        return false;
      }
      auto text = streamText(*j, "stream");
      auto err = streamText(*j, "error");
      if (!text.ok() || !err.ok()) {
        failure = text.ok() ? err.error() : text.error();
        return false;
      }
      if (!err->empty()) {
        failure = Error(Code::kUnknown, *err);
        return false;
      }
      if (!text->empty()) {
        if (progress) progress(*text);
        continue;
      }
      auto r = report(*j);
      if (!r.ok()) {
        failure = std::move(r).error();
        return false;
      }
    }
    pending.erase(0, start);
    if (pending.size() > (16u << 20)) {
      failure = Error(Code::kDataLoss, "images progress stream: a line longer than 16 MiB");
      return false;
    }
    return true;
  });
  auto head = TRY(std::move(st));
  if (head.status / 100 != 2) return api::client::errorFromResponse(head);
  if (failure) return *failure;
  return {};
}

}  // namespace

Result<std::vector<api::ImageSummary>> list(Connection& c, const api::ImageListRequest& req) {
  Query q;
  q.emplace_back("all", boolStr(req.all));
  if (!req.filters.empty()) q.emplace_back("filters", TRY(api::client::filtersJson(req.filters)));
  Json j = TRY(callJson(c, "GET", "/images/json", q));
  std::vector<api::ImageSummary> out;
  size_t i = 0;
  for (const Json* e : TRY(api::client::arrayOf(j, "images/json")))
    out.push_back(TRY(api::client::decodeImageSummary(*e, fmt::format("images/json[{}]", i++))));
  return out;
}

Result<Json> inspect(Connection& c, const std::string& name) {
  Json j = TRY(callJson(c, "GET", path(name, "/json")));
  if (!j.is_object()) return Error(Code::kDataLoss, "images/json: want an object");
  return j;
}

Result<bool> exists(Connection& c, const std::string& name) {
  auto r = call(c, "GET", path(name, "/exists"));
  if (!r.ok()) {
    if (r.error().code() == Code::kNotFound) return false;
    return std::move(r).error();
  }
  return true;
}

Result<std::vector<std::string>> pull(Connection& c, const std::string& reference, const PullOptions& opts) {
  Query q;
  q.emplace_back("reference", reference);
  if (opts.all_tags) q.emplace_back("allTags", "true");
  if (opts.quiet) q.emplace_back("quiet", "true");
  if (!opts.policy.empty()) q.emplace_back("policy", opts.policy);
  if (!opts.os.empty()) q.emplace_back("OS", opts.os);
  if (!opts.arch.empty()) q.emplace_back("Arch", opts.arch);
  if (!opts.variant.empty()) q.emplace_back("Variant", opts.variant);
  if (opts.access.tls_verify) q.emplace_back("tlsVerify", boolStr(*opts.access.tls_verify));
  api::client::HttpRequest req;
  req.method = "POST";
  req.target = api::client::target(c, "/images/pull", q);
  addAuth(req, opts.access);
  std::vector<std::string> ids;
  TRY(progressStream(c, std::move(req), opts.progress, [&](const Json& j) -> Status {
    auto f = TRY(api::client::Fields::of(j, "images/pull report"));
    std::vector<std::string> got;
    TRY(f.strings("images", got));
    std::string id;
    TRY(f.str("id", id));
    if (got.empty() && !id.empty()) got.push_back(id);
    for (auto& g : got) ids.push_back(g);
    return {};
  }));
  if (ids.empty()) return Error(Code::kDataLoss, fmt::format("pulling {}: the service reported no image", reference));
  return ids;
}

Result<std::string> push(Connection& c, const std::string& source, const PushOptions& opts) {
  Query q;
  q.emplace_back("destination", opts.destination.empty() ? source : opts.destination);
  if (!opts.format.empty()) q.emplace_back("format", opts.format);
  if (!opts.compression_format.empty()) q.emplace_back("compressionFormat", opts.compression_format);
  if (opts.access.tls_verify) q.emplace_back("tlsVerify", boolStr(*opts.access.tls_verify));
  if (opts.quiet) q.emplace_back("quiet", "true");
  api::client::HttpRequest req;
  req.method = "POST";
  req.target = api::client::target(c, path(source, "/push"), q);
  addAuth(req, opts.access);
  std::string digest;
  TRY(progressStream(c, std::move(req), opts.progress, [&](const Json& j) -> Status {
    auto f = TRY(api::client::Fields::of(j, "images/push report"));
    TRY(f.str("manifestdigest", digest));
    return {};
  }));
  return digest;
}

Result<api::ImageRemoveReport> remove(Connection& c, const api::ImageRemoveRequest& req) {
  Query q;
  for (auto& i : req.images) q.emplace_back("images", i);
  if (req.all) q.emplace_back("all", "true");
  if (req.force) q.emplace_back("force", "true");
  if (req.ignore) q.emplace_back("ignore", "true");
  Json j = TRY(callJson(c, "DELETE", "/images/remove", q));
  auto f = TRY(api::client::Fields::of(j, "images/remove"));
  api::ImageRemoveReport rep;
  TRY(f.strings("Untagged", rep.untagged));
  TRY(f.strings("Deleted", rep.deleted));
  std::vector<std::string> errs;
  TRY(f.strings("Errors", errs));
  int exit_code = 0;
  TRY(f.i32("ExitCode", exit_code));
  // The batch answer carries error texts and one exit code (podman's: 1 no such image,
  // 2 image in use): the code of every error comes from that.
  Code code = exit_code == 1 ? Code::kNotFound : exit_code == 2 ? Code::kConflict : Code::kInternal;
  for (auto& e : errs) rep.errors.emplace_back(code, e);
  return rep;
}

Status tag(Connection& c, const std::string& image, const std::string& repo, const std::string& t) {
  TRY(call(c, "POST", path(image, "/tag"), {{"repo", repo}, {"tag", t}}));
  return {};
}

Status untag(Connection& c, const std::string& image, const std::string& repo, const std::string& t) {
  Query q;
  if (!repo.empty()) {
    q.emplace_back("repo", repo);
    q.emplace_back("tag", t);
  }
  TRY(call(c, "POST", path(image, "/untag"), q));
  return {};
}

Result<std::vector<api::ImageHistoryEntry>> history(Connection& c, const std::string& image) {
  Json j = TRY(callJson(c, "GET", path(image, "/history")));
  std::vector<api::ImageHistoryEntry> out;
  size_t i = 0;
  for (const Json* e : TRY(api::client::arrayOf(j, "images/history")))
    out.push_back(TRY(api::client::decodeHistory(*e, fmt::format("images/history[{}]", i++))));
  return out;
}

Result<std::vector<std::pair<std::string, int64_t>>> prune(Connection& c, const api::ImagePruneRequest& req) {
  Query q;
  if (req.all) q.emplace_back("all", "true");
  if (!req.filters.empty()) q.emplace_back("filters", TRY(api::client::filtersJson(req.filters)));
  Json j = TRY(callJson(c, "POST", "/images/prune", q));
  return api::client::decodePruneReports(j, "images/prune");
}

Result<std::vector<std::string>> load(Connection& c, int fd) {
  api::client::HttpRequest req;
  req.method = "POST";
  req.target = api::client::target(c, "/images/load");
  req.headers.emplace_back("Content-Type", "application/x-tar");
  req.body_fd = fd;
  auto r = TRY(c.impl().http.roundTrip(req));
  if (r.status / 100 != 2) return api::client::errorFromResponse(r);
  auto j = parseJson(r.body, "images/load answer");
  if (!j.ok()) return Error(Code::kDataLoss, j.error().message());
  auto f = TRY(api::client::Fields::of(*j, "images/load"));
  std::vector<std::string> names;
  TRY(f.strings("Names", names));
  return names;
}

Status save(Connection& c, const std::vector<std::string>& imgs, const std::string& format, bool compress, int fd) {
  Query q;
  q.emplace_back("format", format);
  if (compress) q.emplace_back("compress", "true");
  std::string p;
  if (imgs.size() == 1) {
    p = path(imgs[0], "/get");
  } else {
    p = "/images/export";
    for (auto& i : imgs) q.emplace_back("references", i);
  }
  std::optional<Error> werr;
  TRY(api::client::callStream(c, "GET", p, q, {}, [&](std::string_view piece) {
    auto w = fs::writeAll(fd, piece);
    if (!w.ok()) {
      werr = std::move(w).error();
      return false;
    }
    return true;
  }));
  if (werr) return *werr;
  return {};
}

Result<std::string> import(Connection& c, int fd, const api::ImageImportRequest& r) {
  Query q;
  if (!r.reference.empty()) q.emplace_back("reference", r.reference);
  for (auto& ch : r.changes) q.emplace_back("changes", ch);
  if (!r.message.empty()) q.emplace_back("message", r.message);
  if (!r.os.empty()) q.emplace_back("os", r.os);
  if (!r.arch.empty()) q.emplace_back("arch", r.arch);
  if (!r.variant.empty()) q.emplace_back("variant", r.variant);
  api::client::HttpRequest req;
  req.method = "POST";
  req.target = api::client::target(c, "/images/import", q);
  req.headers.emplace_back("Content-Type", "application/x-tar");
  req.body_fd = fd;
  auto resp = TRY(c.impl().http.roundTrip(req));
  if (resp.status / 100 != 2) return api::client::errorFromResponse(resp);
  auto j = parseJson(resp.body, "images/import answer");
  if (!j.ok()) return Error(Code::kDataLoss, j.error().message());
  auto f = TRY(api::client::Fields::of(*j, "images/import"));
  std::string id;
  TRY(f.str("Id", id));
  return id;
}

}  // namespace berth::images
