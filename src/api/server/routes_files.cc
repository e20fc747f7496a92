// Container file system routes (both trees, as podman serves them): archive HEAD/GET/PUT (cp),
// export, changes (diff) and commit.
#include <fcntl.h>
#include <unistd.h>

#include <thread>

#include "api/server/call.h"
#include "api/server/compat_images.h"
#include "api/server/routes.h"
#include "base/base64.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "engine/engine.h"
#include "network/ports.h"

namespace berth::api::server {

namespace {

ContainerService& containers(engine::Engine* e) { return e->containers(); }

Result<std::string> requiredPath(Call& c) {
  std::string p = c.str("path");
  if (p.empty()) return makeError(Code::kInvalidArgument, "missing `path` parameter");
  return p;
}

// podman's EncodeFileInfo: the stat as JSON in base64. Docker's client decodes standard
// base64, podman's bindings the URL alphabet.
std::string pathStatHeader(const ContainerPathStat& st, bool url_alphabet) {
  Json j = {{"name", st.name},
            {"size", st.size},
            {"mode", st.mode},
            {"mtime", formatRfc3339Nano(st.mtime_ns)},
            {"isDir", st.is_dir},
            {"linkTarget", st.link_target}};
  std::string b = base64Encode(j.dump());
  if (url_alphabet)
    for (char& ch : b) ch = ch == '+' ? '-' : ch == '/' ? '_' : ch;
  return b;
}

// Runs `produce` on a thread writing into a pipe and sends what it writes as the 200 body.
// An error before the first byte is the request's error; a later one ends the body short
// (the status is out by then, as with podman).
Status streamProduced(Call& c, std::string_view content_type, std::function<Status(int fd)> produce) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return errnoError("create pipe");
  UniqueFd rd(p[0]);
  Status result;
  std::thread producer([&result, &produce, wfd = p[1]]() {
    result = produce(wfd);
    ::close(wfd);
  });
  std::vector<char> buf(1 << 20);
  bool started = false, gone = false;
  for (;;) {
    ssize_t n = ::read(rd.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (gone) continue;  // drain so the producer finishes
    if (!started) {
      auto s = c.res.startStream(200, content_type);
      if (!s.ok()) {
        gone = true;
        continue;
      }
      started = true;
    }
    if (!c.res.write(std::string_view(buf.data(), size_t(n)))) gone = true;
  }
  rd.reset();
  producer.join();
  if (!started) {
    if (!result.ok()) return result;
    TRY(c.res.startStream(200, content_type));
  }
  if (!result.ok()) LOG_WARN("{} {}: {}", c.req.method, c.req.target, result.error().what());
  return c.res.endStream();
}

// HEAD and GET /containers/{name}/archive?path=: the stat header, then (GET) the tar.
Status archiveGet(Call& c) {
  auto eng = TRY(c.engine());
  std::string path = TRY(requiredPath(c));
  std::string name = c.param("name");
  auto stat = containers(eng).statPath(name, path);
  if (!stat.ok() && stat.error().code() == Code::kNotFound && !c.libpod()) {
    auto exists = containers(eng).exists(name);
    if (exists.ok() && *exists)  // Docker's wording for a missing path
      return makeError(Code::kNotFound, "Could not find the file {} in container {}", path, name);
  }
  auto st = TRY(std::move(stat));
  c.res.header("X-Docker-Container-Path-Stat", pathStatHeader(st, c.libpod()));
  if (c.req.method == "HEAD") return c.empty(200);
  return streamProduced(c, "application/x-tar",
                        [&](int fd) { return containers(eng).copyToArchive(name, path, fd); });
}

// PUT /containers/{name}/archive?path=: the (compressed) tar body extracted into the directory
// `path`. libpod chowns by default (podman's backward compatibility), Docker with copyUIDGID.
Status archivePut(Call& c) {
  auto eng = TRY(c.engine());
  std::string path = TRY(requiredPath(c));
  ArchivePutOptions opts;
  opts.chown = TRY(c.boolean("copyUIDGID", c.libpod()));
  opts.no_overwrite_dir_nondir = TRY(c.boolean("noOverwriteDirNonDir", false));
  if (c.has("rename") && !c.str("rename").empty()) {
    auto j = parseJson(c.str("rename"), "query parameter rename");
    if (!j.ok() || !j->is_object())
      return makeError(Code::kInvalidArgument, "couldn't decode the query field 'rename': want a JSON object of strings");
    for (auto& [k, v] : j->items()) {
      if (!v.is_string())
        return makeError(Code::kInvalidArgument, "couldn't decode the query field 'rename': {:?} is not a string", k);
      opts.rename[k] = v.get<std::string>();
    }
  }
  // The directory must exist (404 otherwise, as podman and Docker answer).
  auto dir = TRY(containers(eng).statPath(c.param("name"), path));
  if (!dir.is_dir) return makeError(Code::kInvalidArgument, "extraction point {:?} is not a directory", path);
  if (c.req.body_file.empty()) return makeError(Code::kInvalidArgument, "no archive in the request body");
  UniqueFd in = TRY(fs::openFd(c.req.body_file, O_RDONLY | O_CLOEXEC));
  TRY(containers(eng).copyFromArchive(c.param("name"), path, in.get(), opts));
  return c.empty(200);
}

// GET /containers/{name}/export: the whole file system as a tar stream.
Status exportFs(Call& c) {
  auto eng = TRY(c.engine());
  std::string id = TRY(containers(eng).resolveId(c.param("name")));
  return streamProduced(c, "application/x-tar", [&](int fd) { return containers(eng).exportFs(id, fd); });
}

// A temp file in the engine's tmpdir, unlinked when the route is done with it.
struct RouteTemp {
  std::string path;
  ~RouteTemp() {
    if (!path.empty()) ::unlink(path.c_str());
  }
};

Result<std::string> routeTempPath(engine::Engine* eng, const char* what) {
  TRY(fs::mkdirAll(eng->options().tmpdir, 0700));
  std::string tmpl = eng->options().tmpdir + "/" + what + "-XXXXXX";
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return errnoError("create a temp file in {}", eng->options().tmpdir);
  ::close(fd);
  return tmpl;
}

// POST /libpod/containers/{name}/checkpoint: podman's CheckpointReport, or with export=true
// the archive as the body.
Status checkpoint(Call& c) {
  auto eng = TRY(c.engine());
  CheckpointRequest req;
  req.names = {c.param("name")};
  req.keep = TRY(c.boolean("keep", false));
  req.leave_running = TRY(c.boolean("leaveRunning", false));
  req.tcp_established = TRY(c.boolean("tcpEstablished", false));
  req.file_locks = TRY(c.boolean("fileLocks", false));
  req.ignore_rootfs = TRY(c.boolean("ignoreRootFS", false));
  req.ignore_volumes = TRY(c.boolean("ignoreVolumes", false));
  if (c.has("compression") && !c.str("compression").empty()) req.compression = c.str("compression");
  req.print_stats = TRY(c.boolean("printStats", false));
  bool exp = TRY(c.boolean("export", false));
  std::string id = TRY(containers(eng).resolveId(req.names[0]));
  RouteTemp tmp;
  if (exp) {
    tmp.path = TRY(routeTempPath(eng, "checkpoint-export"));
    req.export_path = tmp.path;
  }
  auto res = TRY(containers(eng).checkpoint(req));
  TRY(firstError(res));
  if (!exp) {
    if (!res.empty() && res[0].report) return c.json(200, *res[0].report);
    return c.json(200, Json{{"Id", id}, {"runtime_checkpoint_duration", 0}, {"criu_statistics", nullptr}});
  }
  UniqueFd f = TRY(fs::openFd(tmp.path, O_RDONLY | O_CLOEXEC));
  return streamProduced(c, "application/x-tar", [&](int fd) { return fs::copyAll(f.get(), fd); });
}

// POST /libpod/containers/{name}/restore: podman's RestoreReport; with import=true the body
// is a checkpoint archive and a new container is made from it.
Status restore(Call& c) {
  auto eng = TRY(c.engine());
  RestoreRequest req;
  req.keep = TRY(c.boolean("keep", false));
  req.tcp_established = TRY(c.boolean("tcpEstablished", false));
  req.file_locks = TRY(c.boolean("fileLocks", false));
  req.ignore_rootfs = TRY(c.boolean("ignoreRootFS", false));
  req.ignore_volumes = TRY(c.boolean("ignoreVolumes", false));
  req.ignore_static_ip = TRY(c.boolean("ignoreStaticIP", false));
  req.ignore_static_mac = TRY(c.boolean("ignoreStaticMAC", false));
  req.name = c.str("name");
  req.print_stats = TRY(c.boolean("printStats", false));
  if (auto ports = c.all("publishPorts"); !ports.empty()) {
    req.publish.emplace();
    for (auto& p : ports) {
      auto m = TRY(network::parsePublish(p));
      req.publish->push_back(PortMapping{m.host_ip, m.container_port, m.host_port, m.range, m.protocol});
    }
  }
  if (TRY(c.boolean("import", false))) {
    if (c.req.body_file.empty()) return makeError(Code::kInvalidArgument, "no checkpoint archive in the request body");
    req.import_path = c.req.body_file;
  } else {
    req.names = {c.param("name")};
  }
  auto res = TRY(containers(eng).restore(req));
  TRY(firstError(res));
  std::string id = res.empty() ? std::string() : res[0].id;
  if (!res.empty() && res[0].report) return c.json(200, *res[0].report);
  return c.json(200, Json{{"Id", id}, {"runtime_restore_duration", 0}, {"criu_statistics", nullptr}});
}

// GET /containers/{name}/changes: [{"Path","Kind"}], Kind 0 changed, 1 added, 2 deleted.
Status changes(Call& c) {
  auto eng = TRY(c.engine());
  std::string type = c.str("diffType", "all");
  if (type != "all" && type != "container" && type != "image")
    return makeError(Code::kInvalidArgument, "invalid diffType value {:?}", type);
  if (!c.str("parent").empty()) return makeError(Code::kInvalidArgument, "the parent parameter is not supported");
  Result<std::vector<FileChange>> list = makeError(Code::kNotFound, "no container or image {:?}", c.param("name"));
  if (type != "image") {
    auto ctr = containers(eng).exists(c.param("name"));
    if (ctr.ok() && *ctr) list = containers(eng).diff(c.param("name"));
  }
  if (!list.ok() && list.error().code() == Code::kNotFound && type != "container" && c.libpod()) {
    auto img = eng->images().exists(c.param("name"));
    if (img.ok() && *img) list = eng->images().diff(c.param("name"));
  }
  Json arr = Json::array();
  for (auto& ch : TRY(std::move(list))) arr.push_back({{"Path", ch.path}, {"Kind", ch.kind == 'A' ? 1 : ch.kind == 'D' ? 2 : 0}});
  return c.json(200, arr);
}

// POST /commit?container=&repo=&tag=: 201 {"Id"} (compat; its body, a container config, is
// not used, as podman ignores it) or 200 {"Id"} (libpod, with format and squash).
Status commit(Call& c) {
  auto eng = TRY(c.engine());
  CommitRequest req;
  req.container = c.str("container");
  if (req.container.empty()) return makeError(Code::kInvalidArgument, "the container parameter is required");
  TRY(containers(eng).resolveId(req.container));
  req.author = c.str("author");
  req.message = c.str("comment");
  req.pause = TRY(c.boolean("pause", false));
  req.squash = TRY(c.boolean("squash", false));
  for (auto& ch : c.all("changes")) {
    // Docker sends the instructions joined by newlines.
    size_t i = 0;
    while (i <= ch.size()) {
      size_t nl = ch.find('\n', i);
      std::string line = ch.substr(i, nl == std::string::npos ? std::string::npos : nl - i);
      if (!line.empty()) req.changes.push_back(line);
      if (nl == std::string::npos) break;
      i = nl + 1;
    }
  }
  req.format = c.libpod() ? c.str("format", "oci") : "docker";
  if (req.format != "oci" && req.format != "docker")
    return makeError(Code::kInvalidArgument, "unrecognized image format {:?}", req.format);
  std::string repo = c.str("repo");
  std::string tag = c.str("tag");
  if (tag.empty()) tag = "latest";
  if (!repo.empty()) {
    req.image_name = repo + ":" + tag;
    if (!c.libpod())
      req.image_name = TRY(normalizeToDockerHub(req.image_name, [&](const std::string& n) {
        auto e = eng->images().exists(n);
        return e.ok() && *e;
      }));
  }
  std::string id = TRY(containers(eng).commit(req));
  // podman answers the bare ID on both trees; Docker's API documents "sha256:ID".
  if (id.rfind("sha256:", 0) == 0 && c.libpod()) id = id.substr(7);
  if (id.rfind("sha256:", 0) != 0 && !c.libpod()) id = "sha256:" + id;
  return c.json(c.libpod() ? 200 : 201, Json{{"Id", id}});
}

}  // namespace

void registerFileRoutes(Router& r) {
  for (const char* m : {"GET", "HEAD"}) both(r, m, "/containers/{name}/archive", archiveGet);
  both(r, "PUT", "/containers/{name}/archive", archivePut, BodyMode::kSpool);
  both(r, "GET", "/containers/{name}/export", exportFs);
  r.add("POST", Tree::kLibpod, "/containers/{name}/checkpoint", checkpoint);
  r.add("POST", Tree::kLibpod, "/containers/{name}/restore", restore, BodyMode::kSpool);
  both(r, "GET", "/containers/{name}/changes", changes);
  r.add("GET", Tree::kLibpod, "/images/{name:.*}/changes", changes);
  both(r, "POST", "/commit", commit);
}

}  // namespace berth::api::server
