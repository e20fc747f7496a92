// berth::containers: the file system routes (archive, export, changes, commit).
#include "api/client/conn.h"
#include "api/client/errors.h"
#include "api/client/wire.h"
#include "base/base64.h"
#include "base/fs.h"
#include "base/timefmt.h"
#include "berth/bindings/containers.h"

namespace berth::containers {

using api::client::boolStr;
using api::client::Query;

namespace {

std::string path(const std::string& name, std::string_view tail = {}) {
  return "/containers/" + api::client::pathEscape(name) + std::string(tail);
}

// Writes a streamed answer to `fd`.
Status streamTo(Connection& c, const std::string& p, const Query& q, int fd) {
  std::optional<Error> werr;
  TRY(api::client::callStream(c, "GET", p, q, {}, [&](std::string_view piece) {
    auto w = fs::writeAll(fd, piece);
    if (!w.ok()) werr = std::move(w).error();
    return w.ok();
  }));
  if (werr) return *werr;
  return {};
}

// X-Docker-Container-Path-Stat: base64 (URL or standard alphabet) of podman's FileInfo JSON.
Result<api::ContainerPathStat> decodePathStat(const std::string& header) {
  std::string b = header;
  for (char& ch : b) ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
  while (b.size() % 4) b += '=';
  auto raw = base64Decode(b);
  if (!raw.ok()) return Error(Code::kDataLoss, "archive stat header: " + raw.error().message());
  auto j = parseJson(*raw, "archive stat header");
  if (!j.ok()) return Error(Code::kDataLoss, j.error().message());
  auto f = TRY(api::client::Fields::of(*j, "archive stat header"));
  api::ContainerPathStat st;
  TRY(f.str("name", st.name));
  TRY(f.i64("size", st.size));
  int64_t mode = 0;
  TRY(f.i64("mode", mode));
  if (mode < 0 || mode > int64_t(UINT32_MAX)) return Error(Code::kDataLoss, "archive stat header: bad mode");
  st.mode = uint32_t(mode);
  TRY(f.timeNs("mtime", st.mtime_ns));
  TRY(f.boolean("isDir", st.is_dir));
  TRY(f.str("linkTarget", st.link_target));
  return st;
}

}  // namespace

Result<api::ContainerPathStat> statPath(Connection& c, const std::string& name, const std::string& p) {
  api::client::HttpRequest req;
  req.method = "HEAD";
  req.target = api::client::target(c, path(name, "/archive"), {{"path", p}});
  auto r = TRY(c.impl().http.roundTrip(req));
  if (r.status == 404) return Error(Code::kNotFound, "no such file or directory");
  if (r.status / 100 != 2) return api::client::errorFromResponse(r);
  std::string h = r.header("x-docker-container-path-stat");
  if (h.empty()) return Error(Code::kDataLoss, "the service sent no X-Docker-Container-Path-Stat header");
  return decodePathStat(h);
}

Status getArchive(Connection& c, const std::string& name, const std::string& p, int fd) {
  return streamTo(c, path(name, "/archive"), {{"path", p}}, fd);
}

Status putArchive(Connection& c, const std::string& name, const std::string& p, int fd,
                  const api::ArchivePutOptions& opts) {
  Query q = {{"path", p}, {"copyUIDGID", boolStr(opts.chown)}};
  if (opts.no_overwrite_dir_nondir) q.emplace_back("noOverwriteDirNonDir", "true");
  if (!opts.rename.empty()) {
    Json m = Json::object();
    for (auto& [k, v] : opts.rename) m[k] = v;
    q.emplace_back("rename", m.dump());
  }
  api::client::HttpRequest req;
  req.method = "PUT";
  req.target = api::client::target(c, path(name, "/archive"), q);
  req.headers.emplace_back("Content-Type", "application/x-tar");
  req.body_fd = fd;
  auto r = TRY(c.impl().http.roundTrip(req));
  if (r.status / 100 != 2) return api::client::errorFromResponse(r);
  return {};
}

Status exportFs(Connection& c, const std::string& name, int fd) { return streamTo(c, path(name, "/export"), {}, fd); }

Result<Json> checkpoint(Connection& c, const std::string& name, const api::CheckpointRequest& o, int export_fd) {
  Query q = {{"keep", boolStr(o.keep)},
             {"leaveRunning", boolStr(o.leave_running)},
             {"tcpEstablished", boolStr(o.tcp_established)},
             {"fileLocks", boolStr(o.file_locks)},
             {"ignoreRootFS", boolStr(o.ignore_rootfs)},
             {"ignoreVolumes", boolStr(o.ignore_volumes)},
             {"printStats", boolStr(o.print_stats)}};
  if (o.export_path.empty()) {
    Json j = TRY(api::client::callJson(c, "POST", path(name, "/checkpoint"), q));
    auto f = TRY(api::client::Fields::of(j, "containers/checkpoint"));
    std::string id;
    TRY(f.str("Id", id));
    return j;
  }
  if (export_fd < 0) return Error(Code::kInvalidArgument, "checkpoint --export: no file to write the archive to");
  q.emplace_back("export", "true");
  q.emplace_back("compression", o.compression);
  std::optional<Error> werr;
  TRY(api::client::callStream(c, "POST", path(name, "/checkpoint"), q, {}, [&](std::string_view piece) {
    auto w = fs::writeAll(export_fd, piece);
    if (!w.ok()) werr = std::move(w).error();
    return w.ok();
  }));
  if (werr) return *werr;
  return Json{{"Id", name}};
}

Result<Json> restore(Connection& c, const std::string& name, const api::RestoreRequest& o, int import_fd) {
  Query q = {{"keep", boolStr(o.keep)},
             {"tcpEstablished", boolStr(o.tcp_established)},
             {"fileLocks", boolStr(o.file_locks)},
             {"ignoreRootFS", boolStr(o.ignore_rootfs)},
             {"ignoreVolumes", boolStr(o.ignore_volumes)},
             {"ignoreStaticIP", boolStr(o.ignore_static_ip)},
             {"ignoreStaticMAC", boolStr(o.ignore_static_mac)},
             {"printStats", boolStr(o.print_stats)}};
  if (!o.name.empty()) q.emplace_back("name", o.name);
  if (o.publish)
    for (auto& m : *o.publish) {
      // [ip:]hostPort[-end]:containerPort[-end]/proto, as parsePublish reads it back.
      std::string host = m.host_port ? std::to_string(m.host_port) : "";
      std::string ctr = std::to_string(m.container_port);
      if (m.range > 1) {
        if (m.host_port) host += "-" + std::to_string(m.host_port + m.range - 1);
        ctr += "-" + std::to_string(m.container_port + m.range - 1);
      }
      std::string ip = m.host_ip.find(':') != std::string::npos ? "[" + m.host_ip + "]" : m.host_ip;
      q.emplace_back("publishPorts", (ip.empty() ? "" : ip + ":") + host + ":" + ctr + "/" +
                                         (m.protocol.empty() ? "tcp" : m.protocol));
    }
  Json j;
  if (import_fd < 0) {
    j = TRY(api::client::callJson(c, "POST", path(name, "/restore"), q));
  } else {
    q.emplace_back("import", "true");
    api::client::HttpRequest req;
    req.method = "POST";
    req.target = api::client::target(c, path(name.empty() ? "import" : name, "/restore"), q);
    req.headers.emplace_back("Content-Type", "application/x-tar");
    req.body_fd = import_fd;
    auto r = TRY(c.impl().http.roundTrip(req));
    if (r.status / 100 != 2) return api::client::errorFromResponse(r);
    j = TRY(parseJson(r.body, "containers/restore"));
  }
  auto f = TRY(api::client::Fields::of(j, "containers/restore"));
  std::string id;
  TRY(f.str("Id", id));
  return j;
}

// [{"Path","Kind"}], Kind 0 changed, 1 added, 2 deleted.
static Result<std::vector<api::FileChange>> decodeChanges(const Json& doc) {
  std::vector<api::FileChange> out;
  for (const Json* e : TRY(api::client::arrayOf(doc, "changes"))) {
    auto f = TRY(api::client::Fields::of(*e, "changes"));
    api::FileChange ch;
    int64_t kind = 0;
    TRY(f.str("Path", ch.path));
    TRY(f.i64("Kind", kind));
    ch.kind = kind == 1 ? 'A' : kind == 2 ? 'D' : 'C';
    out.push_back(std::move(ch));
  }
  return out;
}

Result<std::vector<api::FileChange>> changes(Connection& c, const std::string& name) {
  return decodeChanges(TRY(api::client::callJson(c, "GET", path(name, "/changes"), {{"diffType", "container"}})));
}

Result<std::string> commit(Connection& c, const api::CommitRequest& req) {
  Query q = {{"container", req.container}, {"format", req.format}, {"pause", boolStr(req.pause)},
             {"squash", boolStr(req.squash)}};
  if (!req.author.empty()) q.emplace_back("author", req.author);
  if (!req.message.empty()) q.emplace_back("comment", req.message);
  for (auto& ch : req.changes) q.emplace_back("changes", ch);
  if (!req.image_name.empty()) {
    // repo and tag apart, as podman's bindings send them (a digest or port colon is no tag).
    std::string repo = req.image_name, tag;
    auto colon = repo.rfind(':');
    if (colon != std::string::npos && repo.find('/', colon) == std::string::npos && repo.find('@') == std::string::npos) {
      tag = repo.substr(colon + 1);
      repo.resize(colon);
    }
    q.emplace_back("repo", repo);
    if (!tag.empty()) q.emplace_back("tag", tag);
  }
  Json doc = TRY(api::client::callJson(c, "POST", "/commit", q));
  auto f = TRY(api::client::Fields::of(doc, "commit"));
  std::string id;
  TRY(f.str("Id", id));
  if (id.empty()) return Error(Code::kDataLoss, "commit: the service returned no Id");
  return id;
}

}  // namespace berth::containers

namespace berth::images {

Result<std::vector<api::FileChange>> changes(Connection& c, const std::string& image) {
  return containers::decodeChanges(TRY(api::client::callJson(
      c, "GET", "/images/" + api::client::pathEscape(image) + "/changes", {{"diffType", "image"}})));
}

}  // namespace berth::images
