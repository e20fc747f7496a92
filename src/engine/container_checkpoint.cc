// container checkpoint / restore: CRIU through the OCI runtime, as podman does it.
//
// A checkpoint dumps the container's processes into <static_dir>/checkpoint (CRIU's images;
// dump.log beside them) and, unless --leave-running, ends the run as a stop does: the monitor
// records the exit, the network is torn down, the rootfs unmounted, and the record says
// "checkpointed". A restore sets the container up as a start does (rootfs, network, bundle),
// then has berth-monitor run the runtime's `restore --detach` instead of `run`, so the
// restored processes get the monitor's pipes as their stdio and the monitor as their parent.
//
// --export writes one tar archive (compressed as asked): the images under checkpoint/,
// config.dump (the container's record), spec.dump (its config.json), rootfs-diff.tar (its
// file system changes as an OCI layer) and volumes/<name>.tar (its named volumes).
// restore --import makes a container from such an archive; the archive is hostile input:
// it is unpacked beneath a fresh directory only, and config.dump is read with checked types.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <thread>

#include "base/fs.h"
#include "base/json.h"
#include "base/log.h"
#include "base/scope_exit.h"
#include "base/tempfile.h"
#include "base/timefmt.h"
#include "copy/put.h"
#include "copy/tar.h"
#include "copy/walk.h"
#include "engine/container_service.h"
#include "engine/engine.h"
#include "engine/volume_service.h"
#include "state/volumes.h"
#include "store/decompress.h"
#include "store/extract.h"

namespace berth::engine {

namespace {

constexpr const char* kConfigDump = "config.dump";
constexpr const char* kSpecDump = "spec.dump";
constexpr const char* kRootfsDiff = "rootfs-diff.tar";
constexpr const char* kVolumesDir = "volumes";
constexpr int64_t kMaxConfigDump = 64 << 20;

// The runtime finds CRIU on $PATH (runc execs "criu"; crun links libcriu): say what is
// missing before the runtime fails with less to go on.
Status checkCriu(const runtime::OciRuntime& rt) {
  bool found = false;
  if (const char* path = std::getenv("PATH")) {
    std::string_view rest = path;
    while (!found) {
      size_t colon = rest.find(':');
      std::string dir(rest.substr(0, colon));
      if (!dir.empty() && ::access((dir + "/criu").c_str(), X_OK) == 0) found = true;
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }
  if (!found)
    return makeError(Code::kFailedPrecondition,
                     "checkpoint/restore requires CRIU: no criu binary in $PATH (install the criu package)");
  if (rt.config().name == "crun") {
    auto v = runtime::runCaptured({rt.config().path, "--version"});
    if (v.ok() && v->out.find("+CRIU") == std::string::npos)
      return makeError(Code::kFailedPrecondition,
                       "the OCI runtime crun at {} was built without CRIU support: checkpoint/restore needs a "
                       "runtime that has it (e.g. --runtime runc when the container is created)",
                       rt.config().path);
  }
  return {};
}

// A sink that passes entries on and leaves the finish (the tar trailer) to its owner, so
// several trees go into one archive.
class Forward : public copy::Sink {
 public:
  explicit Forward(copy::Sink& to) : to_(to) {}
  Status add(const copy::Entry& e, copy::Content* content) override { return to_.add(e, content); }
  Status finish() override { return {}; }

 private:
  copy::Sink& to_;
};

// Writes the plain tar at `plain_fd` to `dest` compressed as asked, through a temp file
// renamed into place (a failed export leaves no partial archive under the asked-for name).
Status writeCompressed(int plain_fd, const std::string& dest, const std::string& compression) {
  if (::lseek(plain_fd, 0, SEEK_SET) < 0) return errnoError("rewind the checkpoint archive");
  auto tmp = TRY(fs::createTempBeside(dest, 0600));
  auto drop = ScopeExit([&] { ::unlink(tmp.path.c_str()); });
  auto out = [&](const char* p, size_t n) { return fs::writeAll(tmp.fd.get(), std::string_view(p, n)); };
  if (compression == "gzip") {
    TRY(store::gzipCompress(store::fdReader(plain_fd), out));
  } else if (compression == "zstd") {
    TRY(store::zstdCompress(store::fdReader(plain_fd), out));
  } else {
    TRY_CTX(fs::copyAll(plain_fd, tmp.fd.get()), "copy the checkpoint archive");
  }
  if (::fsync(tmp.fd.get()) < 0) return errnoError("sync {}", tmp.path);
  if (::rename(tmp.path.c_str(), dest.c_str()) < 0) return errnoError("rename {} to {}", tmp.path, dest);
  drop.cancel();
  return {};
}

// CRIU's own words for a failure: the first "Error (file:line): ..." line of its log (the
// cause; the later ones report what failed because of it). Rlimit complaints are not causes.
std::string criuError(const std::string& log_path) {
  auto text = fs::readFile(log_path);
  if (!text.ok()) return "";
  auto isRlimit = [&](size_t at) {
    size_t colon = text->find("): ", at);
    return colon != std::string::npos && text->compare(colon + 3, 7, "rlimit:") == 0;
  };
  size_t at = text->find("Error (");
  while (at != std::string::npos && isRlimit(at)) at = text->find("Error (", at + 1);
  if (at == std::string::npos) return "";
  size_t end = text->find('\n', at);
  return text->substr(at, end == std::string::npos ? std::string::npos : end - at);
}

// The runtime's error with CRIU's reason and where its log is.
Error withCriuLog(Error e, std::string_view what, const std::string& id, const std::string& log_path) {
  std::string why = criuError(log_path);
  return std::move(e).context(fmt::format("{} container {}{} (CRIU's log: {})", what, id.substr(0, 12),
                                          why.empty() ? "" : ": " + why, log_path));
}

Result<std::string> makeStagingDir(const std::string& tmpdir, const char* what) {
  TRY(fs::mkdirAll(tmpdir, 0700));
  std::string tmpl = tmpdir + "/" + what + "-XXXXXX";
  if (!::mkdtemp(tmpl.data())) return errnoError("create a directory in {}", tmpdir);
  return tmpl;
}

// CRIU's statistics image (stats-dump / stats-restore in the work directory): the service
// magic, the stats magic, then one entry (u32 size, protobuf StatsEntry: dump = 1, restore =
// 2). As podman's define.CRIUCheckpointRestoreStatistics, zero fields left out; null when the
// file is missing or not what CRIU writes.
Json criuStatistics(const std::string& path) {
  auto text = fs::readFile(path);
  if (!text.ok() || text->size() < 12 || text->size() > 4096) return nullptr;
  auto u32 = [&](size_t at) {
    uint32_t v = 0;
    std::memcpy(&v, text->data() + at, 4);
    return v;
  };
  constexpr uint32_t kServiceMagic = 0x55105940, kStatsMagic = 0x57093306;
  if (u32(0) != kServiceMagic || u32(4) != kStatsMagic) return nullptr;
  size_t size = u32(8);
  if (size > text->size() - 12) return nullptr;
  std::string_view msg(text->data() + 12, size);
  // A protobuf reader for varints and length-delimited fields, enough for StatsEntry.
  auto varint = [](std::string_view& in, uint64_t& out) {
    out = 0;
    for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
      auto b = static_cast<unsigned char>(in.front());
      in.remove_prefix(1);
      out |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  };
  // field number -> value of the varint fields of the first embedded message met.
  auto fields = [&](std::string_view in, std::map<uint64_t, uint64_t>& out) {
    while (!in.empty()) {
      uint64_t key, v;
      if (!varint(in, key)) return false;
      if ((key & 7) == 0) {
        if (!varint(in, v)) return false;
        out[key >> 3] = v;
      } else if ((key & 7) == 2) {
        if (!varint(in, v) || v > in.size()) return false;
        in.remove_prefix(size_t(v));
      } else {
        return false;
      }
    }
    return true;
  };
  uint64_t key, len;
  if (!varint(msg, key) || (key & 7) != 2 || !varint(msg, len) || len > msg.size()) return nullptr;
  std::map<uint64_t, uint64_t> f;
  if (!fields(msg.substr(0, size_t(len)), f)) return nullptr;
  Json out = Json::object();
  auto put = [&](const char* name, uint64_t field) {
    if (auto it = f.find(field); it != f.end() && it->second != 0) out[name] = it->second;
  };
  if ((key >> 3) == 1) {  // dump
    put("freezing_time", 1);
    put("frozen_time", 2);
    put("memdump_time", 3);
    put("memwrite_time", 4);
    put("pages_scanned", 5);
    put("pages_written", 7);
  } else if ((key >> 3) == 2) {  // restore
    put("pages_compared", 1);
    put("pages_skipped_cow", 2);
    put("forking_time", 3);
    put("restore_time", 4);
    put("pages_restored", 5);
  } else {
    return nullptr;
  }
  return out;
}

// The results with each container's --print-stats report.
std::vector<api::NameResult> withReports(std::vector<api::NameResult> results,
                                         std::map<std::string, std::optional<Json>>& reports) {
  for (auto& r : results)
    if (auto it = reports.find(r.id); it != reports.end() && it->second) {
      r.report = std::move(it->second);
      (*r.report)["RawInput"] = r.name;  // the name as the user gave it
    }
  return results;
}

// kInvalidArgument unless every entry of the directory `dir` is a regular file.
Status onlyRegularFiles(const std::string& dir, const std::string& what) {
  UniqueFd fd = TRY(fs::openFd(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  DIR* d = ::fdopendir(fd.get());
  if (!d) return errnoError("read {}", dir);
  fd.release();
  Status st;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat sb {};
    if (::fstatat(::dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
      st = errnoError("stat {}/{}", dir, name);
      break;
    }
    if (!S_ISREG(sb.st_mode)) {
      st = makeError(Code::kInvalidArgument, "{}: checkpoint/{} is not a regular file", what, name);
      break;
    }
  }
  ::closedir(d);
  return st;
}

// The named volumes of a container, by name (anonymous ones too: they hold its data as well).
std::vector<std::string> namedVolumes(const api::SpecGenerator& spec) {
  std::vector<std::string> out;
  for (auto& v : spec.volumes)
    if (!v.name.empty()) out.push_back(v.name);
  return out;
}

}  // namespace

// --- checkpoint ------------------------------------------------------------------------------

Status LocalContainerService::checkpointLocked(state::ContainerRecord& rec, const api::CheckpointRequest& req,
                                               std::optional<Json>* report) {
  TRY(syncLocked(rec));
  std::string status = rec.state.value("status", "configured");
  if (status != "running")
    return makeError(Code::kFailedPrecondition, "{:?} is not running, cannot checkpoint: container state improper",
                     status == "configured" ? "created" : status);
  if (rec.config.value("remove", false) && req.export_path.empty())
    return makeError(Code::kInvalidArgument,
                     "cannot checkpoint containers that have been started with '--rm' unless '--export' is used");
  auto rt = TRY(runtimeFor(rec));
  TRY(checkCriu(rt));
  auto p = paths(rec.id);
  const std::string dir = p.static_dir + "/checkpoint";
  TRY(fs::removeAll(dir));
  TRY(fs::mkdirAll(dir, 0700));
  // The run ends by the dump, not by a failure: no restart policy applies.
  const std::string stopping = p.exit_file + ".stopping";
  if (!req.leave_running) TRY(fs::writeFileReplace(stopping, ""));
  runtime::CheckpointOptions co;
  co.image_path = dir;
  co.work_path = p.static_dir;
  co.leave_running = req.leave_running;
  co.tcp_established = req.tcp_established;
  co.file_locks = req.file_locks;
  Status dumped;
  auto began = std::chrono::steady_clock::now();
  {
    LOG_PHASE("runtime checkpoint");
    dumped = rt.checkpoint(rec.id, co);
  }
  int64_t runtime_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - began).count();
  if (!dumped.ok()) {
    // CRIU leaves the processes running when the dump fails: so does the record.
    ::unlink(stopping.c_str());
    Status removed = fs::removeAll(dir);
    if (!removed.ok()) LOG_WARN("remove the failed checkpoint of {}: {}", rec.id.substr(0, 12), removed.error().what());
    return withCriuLog(std::move(dumped).error(), "checkpoint", rec.id, p.static_dir + "/dump.log");
  }
  Status exported;
  if (!req.export_path.empty()) {
    LOG_PHASE("checkpoint export");
    exported = exportCheckpoint(rec, req);
  }
  if (!req.leave_running) {
    // CRIU killed the processes after the dump: the monitor records the exit.
    for (int waited = 0; waited < 10000; waited += 10) {
      auto e = readExitFile(rec.id);
      if (e.ok() && *e) break;
      if (!processAlive(rec.state.value("monitor_pid", 0))) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    TRY(finalizeLocked(rec, false));
    rec.state["checkpointed"] = true;
    rec.state["checkpointed_at"] = nowNanos();
    rec.state["restored"] = false;
    rec.state["exit_code"] = 0;
    TRY(saveState(rec));
  } else {
    rec.state["checkpointed_at"] = nowNanos();
    TRY(saveState(rec));
  }
  emitContainerEvent(rec, "checkpoint");
  if (req.print_stats && report)
    *report = Json{{"Id", rec.id},
                   {"RawInput", ""},
                   {"runtime_checkpoint_duration", runtime_us},
                   {"criu_statistics", criuStatistics(p.static_dir + "/stats-dump")}};
  TRY(std::move(exported));
  if (!req.export_path.empty() && !req.keep) {
    // The archive holds the checkpoint now; the local copy is CRIU's scratch.
    if (auto s = fs::removeAll(dir); !s.ok()) LOG_WARN("remove {}: {}", dir, s.error().what());
  }
  if (!req.leave_running && rec.config.value("remove", false)) TRY(removeLocked(rec, true, 0, true));
  return {};
}

Status LocalContainerService::exportCheckpoint(const state::ContainerRecord& rec, const api::CheckpointRequest& req) {
  if (req.compression != "none" && req.compression != "gzip" && req.compression != "zstd")
    return makeError(Code::kInvalidArgument, "compression {:?}: not one of none, gzip, zstd", req.compression);
  auto p = paths(rec.id);
  const api::SpecGenerator spec = storedSpec(rec.config);
  std::string staging = TRY(makeStagingDir(e_.options().tmpdir, "checkpoint-export"));
  auto drop_staging = ScopeExit([&] {
    if (auto s = fs::removeAll(staging); !s.ok()) LOG_WARN("remove {}: {}", staging, s.error().what());
  });
  Json dump = {{"id", rec.id},       {"name", rec.name},     {"image_id", rec.image_id},
               {"created", rec.created}, {"config", rec.config}, {"berth_checkpoint_version", 1}};
  TRY(fs::writeFileReplace(staging + "/" + kConfigDump, dump.dump(), 0600));
  if (auto spec_json = fs::readFile(p.config_json); spec_json.ok())
    TRY(fs::writeFileReplace(staging + "/" + kSpecDump, *spec_json, 0600));
  if (!req.ignore_rootfs) {
    UniqueFd f = TRY(fs::openFd(staging + "/" + kRootfsDiff, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    auto sink = copy::tarSink(f.get());
    TRY_CTX(layerDiffTar(e_, p, rec.config.value("layers_top_first", std::vector<std::string>{}), *sink),
            "export the file system changes of {}", rec.id.substr(0, 12));
  }
  if (!req.ignore_volumes) {
    auto names = namedVolumes(spec);
    if (!names.empty()) TRY(fs::mkdirAll(staging + "/" + kVolumesDir, 0700));
    for (auto& v : names) {
      UniqueFd f = TRY(fs::openFd(staging + "/" + kVolumesDir + "/" + v + ".tar",
                                  O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
      TRY(e_.volumes().exportTar(v, f.get()));
    }
  }
  // The plain archive first (an unlinked file in the staging directory), then compressed.
  UniqueFd plain = TRY(fs::openFd(staging + "/.archive", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  ::unlink((staging + "/.archive").c_str());
  {
    auto tar = copy::tarSink(plain.get());
    Forward fwd(*tar);
    UniqueFd sroot = TRY(fs::openFd(staging, O_PATH | O_DIRECTORY));
    TRY(copy::getTree(sroot.get(), "/.", copy::GetOptions{}, fwd));
    UniqueFd croot = TRY(fs::openFd(p.static_dir, O_PATH | O_DIRECTORY));
    copy::GetOptions with_name;
    with_name.keep_directory_names = true;
    TRY(copy::getTree(croot.get(), "/checkpoint", with_name, fwd));
    TRY(tar->finish());
  }
  TRY_CTX(writeCompressed(plain.get(), req.export_path, req.compression), "write the checkpoint archive {}",
          req.export_path);
  return {};
}

Result<std::vector<api::NameResult>> LocalContainerService::checkpoint(const api::CheckpointRequest& req) {
  if (!req.export_path.empty() && (req.all || req.names.size() != 1))
    return makeError(Code::kInvalidArgument, "--export can only be used with a single container");
  std::map<std::string, std::optional<Json>> reports;
  auto results = TRY(eachLocked(req.names, req.all, [&](state::ContainerRecord& rec) -> Result<bool> {
    // --all acts on the running containers only, as podman's filter does.
    if (req.all) {
      TRY(syncLocked(rec));
      if (rec.state.value("status", "") != "running") return false;
    }
    TRY(checkpointLocked(rec, req, &reports[rec.id]));
    return true;
  }));
  return withReports(std::move(results), reports);
}

// --- restore ---------------------------------------------------------------------------------

Status LocalContainerService::restoreLocked(state::ContainerRecord& rec, const api::RestoreRequest& req,
                                            const std::string& rootfs_diff, std::optional<Json>* report) {
  TRY(syncLocked(rec));
  std::string status = rec.state.value("status", "configured");
  if (status == "running" || status == "paused")
    return makeError(Code::kFailedPrecondition, "container {} is running or paused, cannot restore: container state improper",
                     rec.id);
  auto p = paths(rec.id);
  const std::string dir = p.static_dir + "/checkpoint";
  if (!fs::exists(dir + "/inventory.img"))
    return makeError(Code::kFailedPrecondition,
                     "a complete checkpoint for this container cannot be found, cannot restore: {}/inventory.img: "
                     "no such file or directory",
                     dir);
  auto rt = TRY(runtimeFor(rec));
  TRY(checkCriu(rt));
  TRY(initLocked(rec));
  if (!rootfs_diff.empty()) {
    auto f = fs::openFd(rootfs_diff, O_RDONLY | O_CLOEXEC);
    Result<store::LayerDigests> applied =
        f.ok() ? store::extractLayer(store::fdReader(f->get()), p.merged, store::WhiteoutMode::kVfs)
               : Result<store::LayerDigests>(std::move(f).error());
    if (!applied.ok())
      return undoFailedStartLocked(rec, std::move(applied).error().context("apply the checkpoint's file system changes"));
  }
  MonitorRestore mr{dir, req.tcp_established, req.file_locks};
  auto began = std::chrono::steady_clock::now();
  auto pid = startMonitor(rec, true, false, &mr);
  int64_t runtime_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - began).count();
  if (!pid.ok()) {
    ::unlink(p.monitor_pid_file.c_str());
    return undoFailedStartLocked(
        rec, withCriuLog(std::move(pid).error(), "restore", rec.id, p.static_dir + "/restore.log"));
  }
  recordRunning(rec, *pid);
  rec.state["checkpointed"] = false;
  rec.state["restored"] = true;
  rec.state["restored_at"] = nowNanos();
  TRY(saveState(rec));
  emitContainerEvent(rec, "restore");
  if (req.print_stats && report)
    *report = Json{{"Id", rec.id},
                   {"RawInput", ""},
                   {"runtime_restore_duration", runtime_us},
                   {"criu_statistics", criuStatistics(p.static_dir + "/stats-restore")}};
  if (!req.keep) {
    if (auto s = fs::removeAll(dir); !s.ok()) LOG_WARN("remove {}: {}", dir, s.error().what());
  }
  return {};
}

Result<std::string> LocalContainerService::importCheckpoint(const api::RestoreRequest& req,
                                                            std::optional<Json>* report_out) {
  std::string staging = TRY(makeStagingDir(e_.options().tmpdir, "checkpoint-import"));
  auto drop_staging = ScopeExit([&] {
    if (auto s = fs::removeAll(staging); !s.ok()) LOG_WARN("remove {}: {}", staging, s.error().what());
  });
  {
    UniqueFd in = TRY_CTX(fs::openFd(req.import_path, O_RDONLY | O_CLOEXEC), "open checkpoint archive {}",
                          req.import_path);
    UniqueFd root = TRY(fs::openFd(staging, O_PATH | O_DIRECTORY));
    copy::PutOptions po;
    po.ignore_devices = true;
    auto put = TRY(copy::PutSink::open(root.get(), "/", po));
    TRY_CTX(copy::readTar(in.get(), *put), "read checkpoint archive {}", req.import_path);
  }
  const std::string bad = fmt::format("checkpoint archive {}", req.import_path);
  struct stat st {};
  if (::stat((staging + "/" + kConfigDump).c_str(), &st) < 0 || !S_ISREG(st.st_mode))
    return makeError(Code::kInvalidArgument, "{}: no {}: not a checkpoint archive", bad, kConfigDump);
  if (st.st_size > kMaxConfigDump)
    return makeError(Code::kInvalidArgument, "{}: {} is larger than {} bytes", bad, kConfigDump, kMaxConfigDump);
  std::string text = TRY(fs::readFile(staging + "/" + kConfigDump));
  Json dump = TRY_CTX(parseJson(text, kConfigDump), "{}", bad);
  if (!dump.is_object()) return makeError(Code::kInvalidArgument, "{}: {} is not a JSON object", bad, kConfigDump);
  auto field = [&](const char* key, auto check, const char* want) -> Result<const Json*> {
    auto it = dump.find(key);
    if (it == dump.end() || !check(*it))
      return makeError(Code::kInvalidArgument, "{}: {} field {:?} must be {}", bad, kConfigDump, key, want);
    return &*it;
  };
  std::string id = TRY(field("id", [](const Json& j) { return j.is_string(); }, "a string"))->get<std::string>();
  std::string name = TRY(field("name", [](const Json& j) { return j.is_string(); }, "a string"))->get<std::string>();
  const Json& config = *TRY(field("config", [](const Json& j) { return j.is_object(); }, "an object"));
  if (!fs::exists(staging + "/checkpoint/inventory.img"))
    return makeError(Code::kInvalidArgument, "{}: it holds no checkpoint images (checkpoint/inventory.img)", bad);
  // CRIU reads these as root: plain files only (a link could make it read a host file).
  TRY(onlyRegularFiles(staging + "/checkpoint", bad));

  api::ContainerCreateRequest cr;
  cr.spec = storedSpec(config);
  // podman: a new name gives a new container (a new ID); otherwise it is the same one again.
  cr.spec.name = req.name.empty() ? name : req.name;
  if (req.name.empty()) cr.id = id;
  if (req.publish) cr.spec.portmappings = *req.publish;
  if (req.ignore_static_ip || req.ignore_static_mac)
    for (auto& [net, opts] : cr.spec.networks) {
      if (req.ignore_static_ip) opts.static_ips.clear();
      if (req.ignore_static_mac) opts.static_mac.clear();
    }
  // The archive's volumes are made anew: an existing one of that name is not overwritten.
  std::vector<std::string> volumes;
  if (!req.ignore_volumes)
    for (auto& v : namedVolumes(cr.spec)) {
      std::string tar = staging + "/" + kVolumesDir + "/" + v + ".tar";
      if (v.find('/') != std::string::npos || !fs::exists(tar)) continue;
      if (TRY(state::getVolume(e_.db(), v)))
        return makeError(Code::kAlreadyExists,
                         "volume with name {} already exists. Use --ignore-volumes to not restore content of volumes",
                         v);
      volumes.push_back(v);
    }
  auto report = TRY(create(cr));
  auto undo = ScopeExit([&] {
    api::ContainerRemoveRequest rm;
    rm.names = {report.id};
    rm.force = true;
    rm.volumes = true;
    if (auto r = remove(rm); !r.ok()) LOG_WARN("remove the half-imported container {}: {}", report.id, r.error().what());
  });
  for (auto& v : volumes) {
    UniqueFd f = TRY(fs::openFd(staging + "/" + kVolumesDir + "/" + v + ".tar", O_RDONLY | O_CLOEXEC));
    TRY(e_.volumes().importTar(v, f.get()));
  }
  auto p = paths(report.id);
  {
    UniqueFd sroot = TRY(fs::openFd(staging, O_PATH | O_DIRECTORY));
    UniqueFd croot = TRY(fs::openFd(p.static_dir, O_PATH | O_DIRECTORY));
    auto put = TRY(copy::PutSink::open(croot.get(), "/checkpoint", copy::PutOptions{}));
    TRY(copy::getTree(sroot.get(), "/checkpoint/.", copy::GetOptions{}, *put));
  }
  std::string rootfs_diff;
  if (!req.ignore_rootfs && fs::exists(staging + "/" + kRootfsDiff)) rootfs_diff = staging + "/" + kRootfsDiff;
  {
    auto lock = TRY(ContainerLock::take(e_.options().runroot, report.id));
    auto rec = TRY(state::getContainer(e_.db(), report.id));
    if (!rec) return makeError(Code::kNotFound, "imported container {} was removed meanwhile", report.id.substr(0, 12));
    TRY(restoreLocked(*rec, req, rootfs_diff, report_out));
  }
  undo.cancel();
  return report.id;
}

Result<std::vector<api::NameResult>> LocalContainerService::restore(const api::RestoreRequest& req) {
  if (!req.import_path.empty()) {
    if (req.all || !req.names.empty())
      return makeError(Code::kInvalidArgument, "--import can not be used with containers or --all");
    std::optional<Json> report;
    std::string id = TRY(importCheckpoint(req, &report));
    return std::vector<api::NameResult>{{id, id, std::nullopt, std::move(report)}};
  }
  if (req.publish) return makeError(Code::kInvalidArgument, "--publish can only be used with --import");
  if (!req.name.empty()) return makeError(Code::kInvalidArgument, "--name can only be used with --import");
  if (req.ignore_rootfs) return makeError(Code::kInvalidArgument, "--ignore-rootfs can only be used with --import");
  if (req.ignore_volumes) return makeError(Code::kInvalidArgument, "--ignore-volumes can only be used with --import");
  std::map<std::string, std::optional<Json>> reports;
  auto results = TRY(eachLocked(req.names, req.all, [&](state::ContainerRecord& rec) -> Result<bool> {
    // --all restores the checkpointed containers only.
    if (req.all && !rec.state.value("checkpointed", false)) return false;
    TRY(restoreLocked(rec, req, "", &reports[rec.id]));
    return true;
  }));
  return withReports(std::move(results), reports);
}

}  // namespace berth::engine
