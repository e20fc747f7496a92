// `build`: each Containerfile step makes an image. RUN runs a container from the current
// image and commits its changes as a layer; COPY and ADD write into a created container's
// mounted rootfs (in-root, openat2) and commit it the same way; the other instructions only
// edit the image config. With --layers every step's image is kept and found again by a key
// chained from the base image, the instruction and what it copied ("Using cache").
#include "engine/build.h"

#include <fcntl.h>
#include <signal.h>
#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "base/digest.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/scope_exit.h"
#include "base/timefmt.h"
#include "build/containerfile.h"
#include "build/ignore.h"
#include "build/words.h"
#include "copy/put.h"
#include "copy/resolve.h"
#include "copy/tar.h"
#include "copy/walk.h"
#include "engine/container_service.h"
#include "engine/engine.h"
#include "engine/image_service.h"
#include "engine/rootfs_files.h"
#include "engine/store_lock.h"
#include "image/image_config.h"
#include "image/reference.h"
#include "registry/http.h"
#include "specgen/user.h"
#include "state/containers.h"
#include "state/images.h"
#include "sys/inroot.h"

namespace berth::engine {

namespace {

using build::Instruction;

constexpr const char* kDefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string shortId(const std::string& id) { return id.substr(0, 11); }

bool isUrl(const std::string& s) { return s.starts_with("http://") || s.starts_with("https://"); }

// "--name=value" flags of an instruction; kInvalidArgument for a flag it does not take.
Result<std::map<std::string, std::string>> instructionFlags(const Instruction& ins,
                                                            const std::set<std::string>& allowed) {
  std::map<std::string, std::string> out;
  for (const std::string& f : ins.flags) {
    std::string body = f.substr(2);
    auto eq = body.find('=');
    std::string name = body.substr(0, eq);
    if (!allowed.count(name))
      return makeError(Code::kInvalidArgument, "{} does not support the flag --{}", ins.keyword, name);
    out[name] = eq == std::string::npos ? "" : body.substr(eq + 1);
  }
  return out;
}

// Go's path.Clean of an absolute path.
std::string cleanAbsolute(const std::string& p) { return copy::cleanAbs(p.empty() || p[0] != '/' ? "/" + p : p); }

// A key=value list (config Env) as a map lookup.
std::optional<std::string> envValue(const Json& env, std::string_view name) {
  if (!env.is_array()) return std::nullopt;
  std::optional<std::string> found;
  for (auto& kv : env) {
    if (!kv.is_string()) continue;
    const std::string& s = kv.get_ref<const std::string&>();
    auto eq = s.find('=');
    if (eq != std::string::npos && std::string_view(s).substr(0, eq) == name) found = s.substr(eq + 1);
  }
  return found;
}

void setEnv(Json& env, const std::string& key, const std::string& value) {
  if (!env.is_array()) env = Json::array();
  for (auto& kv : env)
    if (kv.is_string() && kv.get<std::string>().rfind(key + "=", 0) == 0) {
      kv = key + "=" + value;
      return;
    }
  env.push_back(key + "=" + value);
}

// Sink wrapper leaving out what the ignore file excludes. `prefix` is the context-relative
// path of the walked directory ("" for the context itself).
class IgnoreSink : public copy::Sink {
 public:
  IgnoreSink(copy::Sink& next, const build::IgnoreMatcher& m, std::string prefix)
      : next_(next), m_(m), prefix_(std::move(prefix)) {}
  Status add(const copy::Entry& e, copy::Content* content) override {
    std::string name = copy::cleanRelative(e.name);
    if (name == ".") name.clear();
    std::string rel = prefix_.empty() ? name : name.empty() ? prefix_ : prefix_ + "/" + name;
    for (const std::string& d : skipped_)
      if (rel.size() > d.size() && rel.compare(0, d.size(), d) == 0 && rel[d.size()] == '/') return {};
    if (!rel.empty() && m_.excluded(rel)) {
      if (e.type == copy::EntryType::kDir && !m_.mustDescend(rel)) skipped_.push_back(rel);
      dropped_.insert(name);
      return {};
    }
    if (e.type == copy::EntryType::kHardlink && dropped_.count(copy::cleanRelative(e.link)))
      return makeError(Code::kInvalidArgument, "{}: a hard link to {}, which the ignore file excludes", rel, e.link);
    return next_.add(e, content);
  }
  Status finish() override { return next_.finish(); }

 private:
  copy::Sink& next_;
  const build::IgnoreMatcher& m_;
  std::string prefix_;
  std::vector<std::string> skipped_;
  std::set<std::string> dropped_;
};

// Hashes what a COPY would write (names, kinds, modes, owners, links, contents): the cache key
// of a COPY changes when a source file does.
class HashSink : public copy::Sink {
 public:
  explicit HashSink(Sha256& h) : h_(h) {}
  Status add(const copy::Entry& e, copy::Content* content) override {
    h_.update(fmt::format("{}\0{}\0{:o}\0{}:{}\0{}\0{}\0", e.name, int(e.type), e.mode, e.uid, e.gid, e.size, e.link));
    if (content) {
      char buf[65536];
      int64_t left = e.size;
      while (left > 0) {
        ssize_t n;
        if (content->fd >= 0) {
          n = ::read(content->fd, buf, size_t(std::min<int64_t>(left, sizeof buf)));
          if (n < 0) return errnoError("read {}", e.name);
        } else {
          n = ssize_t(TRY(content->read(buf, size_t(std::min<int64_t>(left, sizeof buf)))));
        }
        if (n == 0) return makeError(Code::kDataLoss, "{}: shorter than its size", e.name);
        h_.update(buf, size_t(n));
        left -= n;
      }
    }
    return {};
  }
  Status finish() override { return {}; }

 private:
  Sha256& h_;
};

struct Stage {
  int index = 0;
  std::string name;  // AS name, lower-case
  Instruction from;
  std::vector<Instruction> body;
};

// The image a stage has made so far.
struct Current {
  std::string image;  // ID of an image whose layers and config are these ("" = not written yet)
  std::vector<state::LayerRecord> layers;
  Json cfg;  // the whole image config document
  std::map<std::string, std::string> args;  // ARGs declared in the stage, with their values
  bool cmd_set = false;                     // CMD given in this stage (ENTRYPOINT keeps it)
  std::string key;                          // cache chain
};

class Builder {
 public:
  Builder(Engine& e, const BuildRequest& r, BuildResult& result)
      : e_(e), r_(r), result_(result), cs_(dynamic_cast<LocalContainerService&>(e.containers())) {}

  Result<std::string> run();
  void sweepDeadSteps();
  void dropDownloads() {
    if (!downloads_.empty()) (void)fs::removeAll(downloads_);
  }

 private:
  void say(std::string_view line) {
    if (r_.out && !r_.quiet) r_.out(std::string(line) + "\n");
  }
  Status parse();
  Status loadIgnore();
  Result<std::string> runStage(const Stage& st, bool final_stage);
  Result<std::string> resolveImage(const std::string& ref);
  Status loadImage(Current& cur, const std::string& id);
  build::Lookup lookupFor(const Current& cur) const;
  Result<std::string> expand(const Current& cur, const std::string& word) const {
    return build::processWord(word, lookupFor(cur), escape_);
  }
  Status step(Current& cur, const Instruction& ins, bool last);
  Status configStep(Current& cur, const Instruction& ins);
  Status runStep(Current& cur, const Instruction& ins);
  Status copyStep(Current& cur, const Instruction& ins, const std::string& key, bool add);
  Result<std::string> copyKey(Current& cur, const Instruction& ins, bool add);
  Status commitConfigOnly(Current& cur, const std::string& created_by);
  Status commitContainer(Current& cur, const std::string& ctr, const std::string& created_by);
  Result<std::string> createContainer(const Current& cur, std::vector<std::string> argv,
                                      std::map<std::string, std::string> env);
  void removeContainer(const std::string& id);
  Status ensureImage(Current& cur);
  std::optional<std::string> cached(const std::string& key);
  void remember(const std::string& key, const std::string& id);
  Result<std::string> writeCfg(Current& cur, const std::vector<std::string>& names);

  // COPY/ADD sources: where they are read from.
  struct Source {
    UniqueFd root;           // anchor of in-root lookups
    std::string image;       // an image mounted for COPY --from (unmounted after)
    bool context = false;    // the build context: the ignore file applies
  };
  Result<Source> openSource(const std::string& from);
  Result<std::vector<std::string>> expandSources(const Source& src, const std::vector<std::string>& raw,
                                                 const std::string& step);
  Status sendSource(const Source& src, const std::string& rel, copy::Sink& sink, const copy::GetOptions& g);

  Engine& e_;
  const BuildRequest& r_;
  BuildResult& result_;
  LocalContainerService& cs_;
  char escape_ = '\\';
  std::vector<Instruction> global_args_;
  std::map<std::string, std::string> globals_;  // values of the ARGs before the first FROM
  std::vector<Stage> stages_;
  std::map<std::string, std::string> stage_images_;  // stage name and index -> image ID
  build::IgnoreMatcher ignore_;
  bool have_ignore_ = false;
  std::vector<std::string> intermediate_;  // images to drop at the end without --layers
  // ADD's URLs, fetched once per build into downloads_ (removed at the end): URL -> file name.
  Result<std::string> fetchUrl(const std::string& url);
  std::string downloads_;
  std::map<std::string, std::string> fetched_;
  std::set<std::string> used_args_;
};


// --- parsing -------------------------------------------------------------------------

Status Builder::parse() {
  auto parsed = TRY_CTX(build::parseContainerfile(r_.containerfile), "{}", r_.containerfile_name);
  escape_ = parsed.escape;
  Stage* cur = nullptr;
  for (auto& ins : parsed.instructions) {
    if (ins.keyword == "FROM") {
      Stage st;
      st.index = int(stages_.size());
      st.from = ins;
      if (ins.args.size() == 3) {
        st.name = ins.args[2];
        std::transform(st.name.begin(), st.name.end(), st.name.begin(), ::tolower);
      }
      stages_.push_back(std::move(st));
      cur = &stages_.back();
      continue;
    }
    if (!cur) {
      if (ins.keyword != "ARG")
        return makeError(Code::kInvalidArgument, "{}: no FROM before {} (line {}): a Containerfile starts with FROM",
                         r_.containerfile_name, ins.keyword, ins.line);
      global_args_.push_back(ins);
      continue;
    }
    cur->body.push_back(ins);
  }
  if (stages_.empty()) return makeError(Code::kInvalidArgument, "{}: no FROM instruction", r_.containerfile_name);
  // The global ARGs: their defaults, overridden by --build-arg, then the platform ARGs.
  build::Lookup global_lookup = [this](std::string_view n) -> std::optional<std::string> {
    auto it = globals_.find(std::string(n));
    if (it == globals_.end()) return std::nullopt;
    return it->second;
  };
  std::string os = r_.os.empty() ? "linux" : r_.os, arch = r_.arch.empty() ? "amd64" : r_.arch;
  globals_ = {{"TARGETOS", os}, {"TARGETARCH", arch}, {"TARGETPLATFORM", os + "/" + arch}, {"TARGETVARIANT", r_.variant},
              {"BUILDOS", "linux"}, {"BUILDARCH", "amd64"}, {"BUILDPLATFORM", "linux/amd64"}, {"BUILDVARIANT", ""}};
  for (auto& ins : global_args_)
    for (auto& word : ins.args) {
      auto eq = word.find('=');
      std::string name = word.substr(0, eq);
      if (auto it = r_.build_args.find(name); it != r_.build_args.end()) {
        globals_[name] = it->second;
        used_args_.insert(name);
      } else if (eq != std::string::npos) {
        globals_[name] = TRY(build::processWord(word.substr(eq + 1), global_lookup, escape_));
      } else {
        globals_.erase(name);
      }
    }
  return {};
}

Status Builder::loadIgnore() {
  std::string path = r_.ignorefile;
  if (path.empty() && !r_.context_dir.empty()) {
    for (const char* n : {"/.containerignore", "/.dockerignore"})
      if (fs::exists(r_.context_dir + n)) {
        path = r_.context_dir + n;
        break;
      }
  }
  if (path.empty()) return {};
  std::string text = TRY_CTX(fs::readFile(path), "read the ignore file {}", path);
  ignore_ = TRY_CTX(build::IgnoreMatcher::parse(text), "ignore file {}", path);
  have_ignore_ = !ignore_.empty();
  return {};
}

// --- images --------------------------------------------------------------------------

Result<std::string> Builder::resolveImage(const std::string& ref) {
  auto& images = e_.images();
  bool have = TRY(images.exists(ref));
  const std::string& policy = r_.pull;
  bool pull = policy == "always" || (!have && policy != "never") || (have && policy == "newer");
  if (pull) {
    api::ImagePullRequest pr;
    pr.reference = ref;
    pr.access = r_.access;
    pr.os = r_.os;
    pr.arch = r_.arch;
    pr.variant = r_.variant;
    pr.progress = r_.pull_progress;
    pr.if_newer = have && policy == "newer";
    auto pulled = images.pull(pr);
    if (!pulled.ok() && !pr.if_newer) return std::move(pulled).error();
    if (pulled.ok() && !pulled->ids.empty()) return pulled->ids[0];
  } else if (!have) {
    return makeError(Code::kNotFound, "{}: image not known", ref);
  }
  Json j = TRY(images.inspect(ref));
  if (!j.is_object() || !j.contains("Id") || !j["Id"].is_string())
    return makeError(Code::kInternal, "inspect of {} has no Id", ref);
  return j["Id"].get<std::string>();
}

Status Builder::loadImage(Current& cur, const std::string& id) {
  auto rec = TRY(state::getImage(e_.db(), id));
  if (!rec) return makeError(Code::kNotFound, "image {} is gone", id);
  auto parsed = TRY_CTX(image::parseImageConfig(TRY(e_.content().readAll("sha256:" + id))), "image config sha256:{}", id);
  cur.image = id;
  cur.layers = rec->layers;
  cur.cfg = parsed.doc;
  if (!cur.cfg.contains("config") || !cur.cfg["config"].is_object()) cur.cfg["config"] = Json::object();
  return {};
}

build::Lookup Builder::lookupFor(const Current& cur) const {
  return [this, &cur](std::string_view n) -> std::optional<std::string> {
    if (auto v = envValue(cur.cfg["config"].value("Env", Json::array()), n)) return v;
    if (auto it = cur.args.find(std::string(n)); it != cur.args.end()) return it->second;
    return std::nullopt;
  };
}

std::optional<std::string> Builder::cached(const std::string& key) {
  if (!r_.layers || r_.no_cache) return std::nullopt;
  auto id = fs::readFile(e_.options().root + "/build-cache/" + key);
  if (!id.ok()) return std::nullopt;
  std::string v = *id;
  while (!v.empty() && isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
  auto rec = state::getImage(e_.db(), v);
  if (!rec.ok() || !*rec) return std::nullopt;
  return v;
}

void Builder::remember(const std::string& key, const std::string& id) {
  if (!r_.layers) return;
  std::string dir = e_.options().root + "/build-cache";
  if (auto st = fs::mkdirAll(dir, 0700); !st.ok()) return;
  if (auto st = fs::writeFileReplace(dir + "/" + key, id + "\n"); !st.ok())
    LOG_WARN("record build cache entry: {}", st.error().what());
}

// Writes the image of `cur` (its layers and config) and makes it current.
Result<std::string> Builder::writeCfg(Current& cur, const std::vector<std::string>& names) {
  Json cfg = cur.cfg;
  Json diff_ids = Json::array();
  for (auto& l : cur.layers) diff_ids.push_back(l.diff_id);
  cfg["rootfs"] = {{"type", "layers"}, {"diff_ids", diff_ids}};
  LOG_PHASE("build: write the step's image");
  StoreLock lock = TRY(StoreLock::shared(e_.options().root));
  auto img = TRY(writeImage(e_, cfg, cur.layers, r_.format == "docker", names, nullptr));
  cur.image = img.id;
  cur.layers = img.layers;
  cur.cfg = cfg;
  if (!r_.layers) intermediate_.push_back(img.id);
  return img.id;
}

Status Builder::ensureImage(Current& cur) {
  if (cur.image.empty()) TRY(writeCfg(cur, {}));
  return {};
}

void addHistory(Json& cfg, const std::string& created_by, bool empty_layer) {
  Json& h = cfg["history"];
  if (!h.is_array()) h = Json::array();
  Json entry = {{"created", formatRfc3339Nano(nowNanos())}, {"created_by", created_by}};
  if (empty_layer) entry["empty_layer"] = true;
  h.push_back(entry);
  cfg["created"] = entry["created"];
}

Status Builder::commitConfigOnly(Current& cur, const std::string& created_by) {
  addHistory(cur.cfg, created_by, true);
  TRY(writeCfg(cur, {}));
  return {};
}

Status Builder::commitContainer(Current& cur, const std::string& ctr, const std::string& created_by) {
  state::LayerRecord layer;
  {
    LOG_PHASE("build: commit the step's layer");
    StoreLock lock = TRY(StoreLock::shared(e_.options().root));
    layer = TRY(cs_.diffLayer(ctr, r_.format == "docker"));
  }
  cur.layers.push_back(layer);
  addHistory(cur.cfg, created_by, false);
  TRY(writeCfg(cur, {}));
  return {};
}

// --- containers ------------------------------------------------------------------------

Result<std::string> Builder::createContainer(const Current& cur, std::vector<std::string> argv,
                                             std::map<std::string, std::string> env) {
  api::ContainerCreateRequest req;
  req.spec = r_.run_template;
  api::SpecGenerator& s = req.spec;
  s.name.clear();
  s.image = cur.image;
  s.raw_image_name = cur.image;
  s.command = std::move(argv);
  s.entrypoint = {""};
  for (auto& [k, v] : env) s.env[k] = v;
  s.image_volume_mode = "ignore";
  s.annotations[kBuildStepAnnotation] = std::to_string(::getpid());
  s.create_working_dir = true;
  s.terminal = false;
  s.stdin = false;
  s.remove = false;
  api::Schema2HealthConfig none;
  none.test = {"NONE"};
  s.healthconfig = none;
  if (s.netns.isDefault()) s.netns.nsmode = api::NamespaceMode::kHost;
  auto rep = TRY(cs_.create(req));
  return rep.id;
}

void Builder::removeContainer(const std::string& id) {
  api::ContainerRemoveRequest rm;
  rm.names = {id};
  rm.force = true;
  rm.volumes = true;
  rm.timeout = 0;
  auto res = cs_.remove(rm);
  if (!res.ok()) LOG_WARN("remove build container {}: {}", id.substr(0, 12), res.error().what());
  else
    for (auto& r : *res)
      if (r.error) LOG_WARN("remove build container {}: {}", id.substr(0, 12), r.error->what());
}

// --- steps -----------------------------------------------------------------------------

Status Builder::configStep(Current& cur, const Instruction& ins) {
  Json& c = cur.cfg["config"];
  const std::string& k = ins.keyword;
  auto command = [&](const Instruction& i) -> Json {
    if (i.json) return Json(i.args);
    Json shell = c.value("Shell", Json::array({"/bin/sh", "-c"}));
    if (!shell.is_array()) shell = Json::array({"/bin/sh", "-c"});
    shell.push_back(i.args.empty() ? "" : i.args[0]);
    return shell;
  };
  if (k == "ENV" || k == "LABEL") {
    for (size_t i = 0; i + 1 < ins.args.size(); i += 2) {
      std::string key = TRY(expand(cur, ins.args[i]));
      std::string val = TRY(expand(cur, ins.args[i + 1]));
      if (key.empty()) return makeError(Code::kInvalidArgument, "{}: empty name", ins.original);
      if (k == "ENV") {
        Json env = c.value("Env", Json::array());
        setEnv(env, key, val);
        c["Env"] = env;
      } else {
        if (!c.contains("Labels") || !c["Labels"].is_object()) c["Labels"] = Json::object();
        c["Labels"][key] = val;
      }
    }
  } else if (k == "CMD") {
    c["Cmd"] = command(ins);
    cur.cmd_set = true;
  } else if (k == "ENTRYPOINT") {
    c["Entrypoint"] = command(ins);
    if (!cur.cmd_set) c.erase("Cmd");
  } else if (k == "SHELL") {
    c["Shell"] = Json(ins.args);
  } else if (k == "WORKDIR") {
    std::string wd = TRY(expand(cur, ins.args.empty() ? "" : ins.args[0]));
    std::string base = c.value("WorkingDir", "");
    if (!wd.empty() && wd[0] != '/') wd = (base.empty() ? "/" : base) + "/" + wd;
    c["WorkingDir"] = cleanAbsolute(wd);
  } else if (k == "USER") {
    c["User"] = TRY(expand(cur, ins.args.empty() ? "" : ins.args[0]));
  } else if (k == "EXPOSE") {
    if (!c.contains("ExposedPorts") || !c["ExposedPorts"].is_object()) c["ExposedPorts"] = Json::object();
    for (auto& w : ins.args) {
      std::string p = TRY(expand(cur, w));
      std::string port = p.substr(0, p.find('/'));
      std::string proto = p.find('/') == std::string::npos ? "tcp" : p.substr(p.find('/') + 1);
      std::transform(proto.begin(), proto.end(), proto.begin(), ::tolower);
      bool numeric = !port.empty() && std::all_of(port.begin(), port.end(), [](char ch) { return isdigit(ch) || ch == '-'; });
      if (!numeric || (proto != "tcp" && proto != "udp" && proto != "sctp"))
        return makeError(Code::kInvalidArgument, "invalid port {:?} in {:?}", p, ins.original);
      c["ExposedPorts"][port + "/" + proto] = Json::object();
    }
  } else if (k == "VOLUME") {
    if (!c.contains("Volumes") || !c["Volumes"].is_object()) c["Volumes"] = Json::object();
    for (auto& w : ins.args) {
      std::string v = ins.json ? w : TRY(expand(cur, w));
      if (v.empty()) return makeError(Code::kInvalidArgument, "VOLUME specified can not be an empty string");
      c["Volumes"][cleanAbsolute(v)] = Json::object();
    }
  } else if (k == "STOPSIGNAL") {
    c["StopSignal"] = TRY(expand(cur, ins.args.empty() ? "" : ins.args[0]));
  } else if (k == "MAINTAINER") {
    cur.cfg["author"] = ins.args.empty() ? "" : ins.args[0];
  } else if (k == "ONBUILD") {
    if (!c.contains("OnBuild") || !c["OnBuild"].is_array()) c["OnBuild"] = Json::array();
    c["OnBuild"].push_back(ins.args.empty() ? "" : ins.args[0]);
  } else if (k == "HEALTHCHECK") {
    if (!ins.args.empty() && ins.args[0] == "NONE") {
      c["Healthcheck"] = {{"Test", Json::array({"NONE"})}};
    } else {
      Json hc = Json::object();
      if (ins.json) {
        hc["Test"] = Json(ins.args);
      } else {
        hc["Test"] = Json::array({"CMD-SHELL", ins.args.size() > 1 ? ins.args[1] : ""});
      }
      auto flags = TRY(instructionFlags(ins, {"interval", "timeout", "start-period", "retries"}));
      for (auto& [name, value] : flags) {
        if (name == "retries") {
          char* end = nullptr;
          long n = std::strtol(value.c_str(), &end, 10);
          if (value.empty() || *end || n < 1)
            return makeError(Code::kInvalidArgument, "HEALTHCHECK --retries {:?}: must be at least 1", value);
          hc["Retries"] = n;
        } else {
          int64_t ns = TRY_CTX(parseGoDuration(value), "HEALTHCHECK --{}", name);
          hc[name == "interval" ? "Interval" : name == "timeout" ? "Timeout" : "StartPeriod"] = ns;
        }
      }
      c["Healthcheck"] = hc;
    }
  } else if (k == "ARG") {
    for (auto& word : ins.args) {
      auto eq = word.find('=');
      std::string name = word.substr(0, eq);
      if (auto it = r_.build_args.find(name); it != r_.build_args.end()) {
        cur.args[name] = it->second;
        used_args_.insert(name);
      } else if (eq != std::string::npos) {
        cur.args[name] = TRY(expand(cur, word.substr(eq + 1)));
      } else if (auto g = globals_.find(name); g != globals_.end()) {
        cur.args[name] = g->second;
      } else {
        cur.args.erase(name);
      }
    }
  } else {
    return makeError(Code::kInvalidArgument, "unknown instruction: {}", k);
  }
  return {};
}

// The environment a RUN sees besides the image's: the ARGs an ENV does not shadow.
std::map<std::string, std::string> runEnv(const Current& cur) {
  std::map<std::string, std::string> env;
  Json image_env = cur.cfg["config"].value("Env", Json::array());
  for (auto& [k, v] : cur.args)
    if (!envValue(image_env, k)) env[k] = v;
  if (!envValue(image_env, "PATH") && !env.count("PATH")) env["PATH"] = std::string(kDefaultPath).substr(5);
  return env;
}

Status Builder::runStep(Current& cur, const Instruction& ins) {
  auto flags = TRY(instructionFlags(ins, {"mount", "network", "security"}));
  if (flags.count("mount"))
    return makeError(Code::kUnimplemented, "RUN --mount is not supported by berth build yet");
  std::vector<std::string> argv;
  if (ins.json) {
    argv = ins.args;
  } else {
    Json shell = cur.cfg["config"].value("Shell", Json::array({"/bin/sh", "-c"}));
    if (!shell.is_array() || shell.empty()) shell = Json::array({"/bin/sh", "-c"});
    for (auto& s : shell) argv.push_back(s.is_string() ? s.get<std::string>() : "");
    // Here-documents go to the shell as written: it expands and feeds them itself.
    // `RUN <<EOT` alone runs the document itself as the script.
    std::string script = ins.args.empty() ? "" : ins.args[0];
    std::string bare = script;
    std::erase_if(bare, [](char c) { return c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '-'; });
    if (ins.heredocs.size() == 1 && bare == "<<" + ins.heredocs[0].name) {
      script = ins.heredocs[0].content;
    } else {
      for (auto& doc : ins.heredocs) script += "\n" + doc.content + doc.name;
    }
    argv.push_back(script);
  }
  TRY(ensureImage(cur));
  std::string ctr = TRY(createContainer(cur, argv, runEnv(cur)));
  ScopeExit cleanup([&] { removeContainer(ctr); });
  api::AttachStreams streams;
  streams.in = -1;
  streams.proxy_signals = false;
  streams.output = [this](int, std::string_view data) {
    if (r_.out) r_.out(data);
    return true;
  };
  auto code = cs_.start(ctr, &streams);
  if (!code.ok()) {
    Code c = code.error().code();
    result_.exit_code = c == Code::kCommandNotFound ? 127 : c == Code::kCannotInvoke ? 126 : 1;
    return std::move(code).error().context("while running runtime");
  }
  if (*code != 0) {
    result_.exit_code = *code;
    return makeError(Code::kUnknown, "while running runtime: exit status {}", *code);
  }
  std::string created_by;
  for (auto& a : argv) created_by += (created_by.empty() ? "" : " ") + a;
  TRY(commitContainer(cur, ctr, created_by));
  return {};
}

// --- COPY and ADD ------------------------------------------------------------------------

Result<Builder::Source> Builder::openSource(const std::string& from) {
  Source src;
  if (from.empty()) {
    if (r_.context_dir.empty())
      return makeError(Code::kInvalidArgument, "no build context: COPY and ADD need a context directory");
    src.root = TRY(sys::openRoot(r_.context_dir));
    src.context = true;
    return src;
  }
  std::string lower = from;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  std::string id;
  if (auto it = stage_images_.find(lower); it != stage_images_.end()) {
    id = it->second;
  } else {
    id = TRY_CTX(resolveImage(from), "COPY --from={}", from);
  }
  std::string path = TRY(e_.images().mount(id));
  src.image = id;
  auto fd = sys::openRoot(path);
  if (!fd.ok()) {
    (void)e_.images().unmount(id, false);
    return std::move(fd).error();
  }
  src.root = std::move(*fd);
  return src;
}

bool hasGlob(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

// The sources of a COPY as clean relative paths: globs matched against the source tree.
Result<std::vector<std::string>> Builder::expandSources(const Source& src, const std::vector<std::string>& raw,
                                                        const std::string& step) {
  std::vector<std::string> out;
  for (const std::string& r : raw) {
    std::string rel = copy::cleanRelative(r);
    if (rel == ".") rel.clear();
    if (!hasGlob(rel)) {
      out.push_back(rel);
      continue;
    }
    // Match component by component below the root.
    std::vector<std::string> parts;
    for (size_t i = 0; i <= rel.size();) {
      size_t j = rel.find('/', i);
      if (j == std::string::npos) j = rel.size();
      if (j > i) parts.push_back(rel.substr(i, j - i));
      i = j + 1;
    }
    std::vector<std::string> cands = {""};
    for (auto& part : parts) {
      std::vector<std::string> next;
      for (auto& base : cands) {
        if (!hasGlob(part)) {
          next.push_back(base.empty() ? part : base + "/" + part);
          continue;
        }
        auto dir = copy::openIn(src.root.get(), "/" + base, O_RDONLY | O_DIRECTORY);
        if (!dir.ok()) continue;
        auto names = fs::listDir(fmt::format("/proc/self/fd/{}", dir->get()));
        if (!names.ok()) continue;
        std::sort(names->begin(), names->end());
        for (auto& n : *names)
          if (::fnmatch(part.c_str(), n.c_str(), FNM_PATHNAME) == 0) next.push_back(base.empty() ? n : base + "/" + n);
      }
      cands = std::move(next);
    }
    size_t before = out.size();
    for (auto& c : cands) {
      auto st = copy::statIn(src.root.get(), "/" + c);
      if (!st.ok() || !st->exists) continue;
      if (src.context && have_ignore_ && ignore_.excluded(c)) continue;
      out.push_back(c);
    }
    if (out.size() == before)
      return makeError(Code::kNotFound, "building at STEP {:?}: no items matching glob {:?} copied", step, r);
  }
  return out;
}

Status Builder::sendSource(const Source& src, const std::string& rel, copy::Sink& sink, const copy::GetOptions& g) {
  std::string path = rel.empty() ? "/." : "/" + rel;
  auto st = TRY(copy::statIn(src.root.get(), path));
  if (!st.exists || (src.context && have_ignore_ && !rel.empty() && ignore_.excluded(rel) &&
                     !(st.is_dir && ignore_.mustDescend(rel))))
    return makeError(Code::kNotFound, "copier: stat: {:?}: no such file or directory", "/" + rel);
  copy::GetOptions opts = g;
  if (st.is_dir) path += "/.";
  if (src.context && have_ignore_) {
    IgnoreSink filter(sink, ignore_, st.is_dir ? rel : copy::dirName("/" + rel).substr(1));
    return copy::getTree(src.root.get(), path, opts, filter);
  }
  return copy::getTree(src.root.get(), path, opts, sink);
}

// Downloads `url` once per build; returns the file's name in downloads_ ("N-base").
Result<std::string> Builder::fetchUrl(const std::string& url) {
  if (auto it = fetched_.find(url); it != fetched_.end()) return it->second;
  if (downloads_.empty()) {
    std::string base = e_.options().runroot + "/build-downloads";
    TRY(fs::mkdirAll(base, 0700));
    std::string tmpl = base + "/dl-XXXXXX";
    std::vector<char> p(tmpl.begin(), tmpl.end());
    p.push_back('\0');
    if (!::mkdtemp(p.data())) return errnoError("create a download directory in {}", base);
    downloads_ = p.data();
  }
  // The file name is the URL path's last component ("index.html" for none).
  std::string path = url.substr(url.find("://") + 3);
  path = path.substr(0, path.find_first_of("?#"));
  std::string base = path.find('/') == std::string::npos ? "" : path.substr(path.rfind('/') + 1);
  if (base.empty() || base == "." || base == "..") base = "index.html";
  std::string name = fmt::format("{}-{}", fetched_.size(), base);
  UniqueFd fd(::open((downloads_ + "/" + name).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) return errnoError("create the download of {}", url);
  registry::HttpClient http(registry::TlsOptions{}, "berth");
  TRY_CTX(http.download(url, fd.get()), "ADD {}", url);
  fetched_[url] = name;
  return name;
}

Result<std::string> Builder::copyKey(Current& cur, const Instruction& ins, bool add) {
  auto flags = TRY(instructionFlags(ins, {"from", "chown", "chmod", "link"}));
  bool any_local = std::any_of(ins.args.begin(), ins.args.end() - 1, [](const std::string& a) { return !isUrl(a); });
  Source src;
  if (any_local) src = TRY(openSource(flags.count("from") ? TRY(expand(cur, flags["from"])) : ""));
  ScopeExit unmount([&] {
    if (!src.image.empty()) (void)e_.images().unmount(src.image, false);
  });
  Sha256 h;
  h.update(ins.original);
  h.update(cur.cfg["config"].value("WorkingDir", "") + "\n");
  std::vector<std::string> raw(ins.args.begin(), ins.args.end() - 1);
  for (auto& r : raw) {
    if (isUrl(r)) {
      if (!add) return makeError(Code::kInvalidArgument, "building at STEP {:?}: source can't be a URL for COPY", ins.original);
      std::string name = TRY_CTX(fetchUrl(r), "building at STEP {:?}", ins.original);
      h.update(r + "\n");
      h.update(TRY(fs::readFile(downloads_ + "/" + name)));
      continue;
    }
    r = TRY(expand(cur, r));
  }
  std::vector<std::string> local;
  for (auto& r : raw)
    if (!isUrl(r)) local.push_back(r);
  for (auto& rel : TRY(expandSources(src, local, ins.original))) {
    HashSink hs(h);
    copy::GetOptions g;
    h.update("\0source " + rel + "\n");
    TRY_CTX(sendSource(src, rel, hs, g), "building at STEP {:?}: checking on sources", ins.original);
  }
  return h.hexDigest();
}

// ADD's archives: a local file that reads as a (compressed) tar is unpacked.
Result<bool> extractArchive(int root_fd, const std::string& rel, int dest_root, const std::string& dest,
                            const copy::PutOptions& po) {
  auto fd = copy::openIn(root_fd, "/" + rel, O_RDONLY);
  if (!fd.ok()) return false;
  struct stat st {};
  if (::fstat(fd->get(), &st) < 0 || !S_ISREG(st.st_mode)) return false;
  auto put = TRY(copy::PutSink::open(dest_root, dest, po));
  Status s = copy::readTar(fd->get(), *put);
  if (!s.ok() && s.error().code() == Code::kInvalidArgument && s.error().message().find("not a") != std::string::npos)
    return false;
  TRY(std::move(s));
  return true;
}

Status Builder::copyStep(Current& cur, const Instruction& ins, const std::string& key, bool add) {
  auto flags = TRY(instructionFlags(ins, {"from", "chown", "chmod", "link"}));
  std::vector<std::string> raw, urls;
  for (auto it = ins.args.begin(); it + 1 != ins.args.end(); ++it) {
    if (!isUrl(*it)) {
      raw.push_back(TRY(expand(cur, *it)));
      continue;
    }
    if (!add) return makeError(Code::kInvalidArgument, "building at STEP {:?}: source can't be a URL for COPY", ins.original);
    urls.push_back(*it);
  }
  std::string dest = ins.json ? ins.args.back() : TRY(expand(cur, ins.args.back()));
  bool dest_dir = dest.ends_with("/") || dest == "." || dest.ends_with("/.") || raw.size() + urls.size() > 1;
  std::string wd = cur.cfg["config"].value("WorkingDir", "");
  if (dest.empty() || dest[0] != '/') dest = (wd.empty() ? "/" : wd) + "/" + dest;
  dest = cleanAbsolute(dest);

  Source src;
  if (!raw.empty()) src = TRY(openSource(flags.count("from") ? TRY(expand(cur, flags["from"])) : ""));
  ScopeExit unmount([&] {
    if (!src.image.empty()) (void)e_.images().unmount(src.image, false);
  });
  std::vector<std::string> sources;
  if (!raw.empty()) sources = TRY(expandSources(src, raw, ins.original));
  if (sources.size() + urls.size() > 1) dest_dir = true;

  TRY(ensureImage(cur));
  std::string ctr = TRY(createContainer(cur, {"/bin/sh"}, {}));
  ScopeExit cleanup([&] { removeContainer(ctr); });
  std::string merged = TRY(cs_.mount(ctr));
  ScopeExit umount([&] {
    if (auto u = cs_.unmount(ctr, true); !u.ok()) LOG_WARN("unmount build container: {}", u.error().what());
  });
  UniqueFd root = TRY(sys::openRoot(merged));

  copy::IdPair owner{0, 0};
  if (flags.count("chown")) {
    std::string spec = TRY(expand(cur, flags["chown"]));
    auto files = TRY(readUserFiles(merged));
    std::string user = spec.substr(0, spec.find(':'));
    auto u = TRY_CTX(specgen::resolveUser(spec.find(':') == std::string::npos ? user : spec, files.passwd, files.group),
                     "COPY --chown={}", spec);
    owner = copy::IdPair{u.uid, u.gid};
  }
  std::optional<uint32_t> chmod;
  if (flags.count("chmod")) {
    const std::string& m = flags["chmod"];
    char* end = nullptr;
    unsigned long v = std::strtoul(m.c_str(), &end, 8);
    if (m.empty() || *end || v > 07777) return makeError(Code::kInvalidArgument, "invalid --chmod {:?}: want an octal mode", m);
    chmod = uint32_t(v);
  }
  copy::PutOptions po;
  po.chown_dirs = owner;
  po.chown_files = owner;
  if (!dest_dir) {
    auto st = TRY(copy::statIn(root.get(), dest));
    if (st.exists && st.is_dir) dest_dir = true;
  }
  LOG_PHASE("build: COPY into the step container");
  for (const std::string& rel : sources) {
    auto st = TRY(copy::statIn(src.root.get(), rel.empty() ? "/." : "/" + rel));
    if (add && src.context && st.exists && st.is_regular) {
      if (TRY(extractArchive(src.root.get(), rel, root.get(), dest, po))) continue;
    }
    copy::GetOptions g;
    g.chown = owner;
    std::string target = dest;
    if (st.exists && !st.is_dir && !dest_dir) {
      target = copy::dirName(dest);
      g.top_name = copy::baseName(dest);
    }
    auto put = TRY(copy::PutSink::open(root.get(), target, po));
    if (chmod) {
      class ModeSink : public copy::Sink {
       public:
        ModeSink(copy::Sink& n, uint32_t m) : n_(n), m_(m) {}
        Status add(const copy::Entry& e, copy::Content* c) override {
          copy::Entry x = e;
          if (x.type == copy::EntryType::kFile || x.type == copy::EntryType::kDir) x.mode = m_;
          return n_.add(x, c);
        }
        Status finish() override { return n_.finish(); }

       private:
        copy::Sink& n_;
        uint32_t m_;
      } mode_sink(*put, *chmod);
      TRY_CTX(sendSource(src, rel, mode_sink, g), "building at STEP {:?}", ins.original);
    } else {
      TRY_CTX(sendSource(src, rel, *put, g), "building at STEP {:?}", ins.original);
    }
  }
  if (!urls.empty()) {
    // Downloaded files: not unpacked (as Docker does for URLs), mode 0600.
    Source dl;
    dl.root = TRY(sys::openRoot(downloads_));
    for (const std::string& url : urls) {
      std::string name = TRY(fetchUrl(url));
      copy::GetOptions g;
      g.chown = owner;
      std::string target = dest;
      g.top_name = name.substr(name.find('-') + 1);
      if (!dest_dir) {
        target = copy::dirName(dest);
        g.top_name = copy::baseName(dest);
      }
      auto put = TRY(copy::PutSink::open(root.get(), target, po));
      TRY_CTX(sendSource(dl, name, *put, g), "building at STEP {:?}", ins.original);
    }
  }
  root.reset();
  std::string what = add ? "ADD" : "COPY";
  TRY(commitContainer(cur, ctr, fmt::format("/bin/sh -c #(nop) {} {} in {} ", what, key.substr(0, 12), dest)));
  return {};
}

Status Builder::step(Current& cur, const Instruction& ins, bool last) {
  const std::string& k = ins.keyword;
  // The key chains the image so far, the instruction and what it reads.
  Sha256 h;
  h.update(cur.key + "\n" + ins.original + "\n");
  if (k == "RUN") {
    for (auto& [n, v] : runEnv(cur)) h.update(n + "=" + v + "\n");
    // The RUN flags (--security-opt, --ulimit, -v, ...) change what a RUN does.
    h.update(api::encodeSpecGenerator(r_.run_template).dump());
  } else if (k == "COPY" || k == "ADD") {
    if (!ins.heredocs.empty())
      return makeError(Code::kUnimplemented, "{} with here-documents is not supported by berth build yet", k);
    h.update(TRY(copyKey(cur, ins, k == "ADD")));
  } else if (k == "ARG") {
    for (auto& word : ins.args) {
      std::string name = word.substr(0, word.find('='));
      if (auto it = r_.build_args.find(name); it != r_.build_args.end()) h.update(name + "=" + it->second + "\n");
    }
  }
  std::string key = h.hexDigest();
  LOG_DEBUG("build: step key computed");
  if (auto id = cached(key)) {
    say("--> Using cache " + *id);
    Current next = cur;
    TRY(loadImage(next, *id));
    if (k == "ARG") TRY(configStep(next, ins));  // ARG values live in the build, not the image
    next.key = key;
    cur = std::move(next);
    if (k == "CMD") cur.cmd_set = true;
    if (!last) say("--> " + shortId(cur.image));
    return {};
  }
  if (k == "RUN") {
    TRY(runStep(cur, ins));
  } else if (k == "COPY" || k == "ADD") {
    TRY(copyStep(cur, ins, key, k == "ADD"));
  } else {
    TRY(configStep(cur, ins));
    std::string shown = ins.original.substr(ins.original.find_first_of(" \t") == std::string::npos
                                                ? ins.original.size()
                                                : ins.original.find_first_of(" \t") + 1);
    TRY(commitConfigOnly(cur, fmt::format("/bin/sh -c #(nop) {} {}", k, shown)));
  }
  cur.key = key;
  remember(key, cur.image);
  if (!last) say("--> " + shortId(cur.image));
  return {};
}

Result<std::string> Builder::runStage(const Stage& st, bool final_stage) {
  std::string prefix = stages_.size() > 1 ? fmt::format("[{}/{}] ", st.index + 1, stages_.size()) : "";
  size_t total = st.body.size() + 1;
  Current cur;
  build::Lookup global_lookup = [this](std::string_view n) -> std::optional<std::string> {
    auto it = globals_.find(std::string(n));
    if (it == globals_.end()) return std::nullopt;
    return it->second;
  };
  std::string base = TRY(build::processWord(st.from.args.empty() ? "" : st.from.args[0], global_lookup, escape_));
  if (base.empty()) return makeError(Code::kInvalidArgument, "{}: FROM names no image", st.from.original);
  std::string lower = base;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  auto stage_ref = stage_images_.find(lower);
  // podman shows the base expanded, a stage by its image ID.
  say(fmt::format("{}STEP 1/{}: FROM {}{}", prefix, total, stage_ref != stage_images_.end() ? stage_ref->second : base,
                  st.from.args.size() == 3 ? " AS " + st.from.args[2] : ""));
  if (lower == "scratch") {
    cur.cfg = {{"architecture", r_.arch.empty() ? "amd64" : r_.arch},
               {"os", r_.os.empty() ? "linux" : r_.os},
               {"config", {{"Env", Json::array({kDefaultPath})}}},
               {"rootfs", {{"type", "layers"}, {"diff_ids", Json::array()}}},
               {"history", Json::array()}};
    cur.key = "scratch";
  } else {
    std::string id;
    if (stage_ref != stage_images_.end()) id = stage_ref->second;
    else id = TRY_CTX(resolveImage(base), "creating build container");
    TRY(loadImage(cur, id));
    cur.key = id;
    cur.cfg.erase("container");
    cur.cfg.erase("container_config");
    // The base image's triggers run first, then go.
    Json onbuild = cur.cfg["config"].value("OnBuild", Json::array());
    cur.cfg["config"].erase("OnBuild");
    if (onbuild.is_array() && !onbuild.empty()) {
      std::string text;
      for (auto& t : onbuild)
        if (t.is_string()) text += t.get<std::string>() + "\n";
      auto triggers = TRY_CTX(build::parseContainerfile(text), "ONBUILD triggers of {}", base);
      for (auto& t : triggers.instructions) TRY_CTX(step(cur, t, false), "building at STEP {:?}", t.original);
    }
  }
  for (size_t i = 0; i < st.body.size(); ++i) {
    const Instruction& ins = st.body[i];
    say(fmt::format("{}STEP {}/{}: {}", prefix, i + 2, total, ins.original));
    // The final step prints no "--> ID": podman's COMMIT line follows its output.
    Status s = step(cur, ins, final_stage && i + 1 == st.body.size());
    if (!s.ok()) {
      Error e = std::move(s).error();
      if (e.message().rfind("building at STEP", 0) == 0) return e;
      return std::move(e).context(fmt::format("building at STEP {:?}", ins.original));
    }
  }
  if (cur.image.empty()) TRY(writeCfg(cur, {}));
  if (!final_stage && st.body.empty()) say("--> " + shortId(cur.image));
  stage_images_[std::to_string(st.index)] = cur.image;
  if (!st.name.empty()) stage_images_[st.name] = cur.image;
  return cur.image;
}

// Step containers of builds that were killed (their process is gone) are removed, so a
// `kill -9` of a build leaves nothing behind for the next one. Live builds' stay.
void Builder::sweepDeadSteps() {
  auto all = state::listContainers(e_.db());
  if (!all.ok()) return;
  for (auto& rec : *all) {
    const Json& spec = rec.config.contains("spec") ? rec.config["spec"] : Json();
    if (!spec.is_object() || !spec.contains("annotations") || !spec["annotations"].is_object()) continue;
    auto it = spec["annotations"].find(kBuildStepAnnotation);
    if (it == spec["annotations"].end() || !it->is_string()) continue;
    long pid = std::strtol(it->get<std::string>().c_str(), nullptr, 10);
    if (pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno != ESRCH)) continue;
    removeContainer(rec.id);
  }
}

Result<std::string> Builder::run() {
  sweepDeadSteps();
  TRY(parse());
  TRY(loadIgnore());
  size_t last = stages_.size() - 1;
  if (!r_.target.empty()) {
    std::string t = r_.target;
    std::transform(t.begin(), t.end(), t.begin(), ::tolower);
    auto it = std::find_if(stages_.begin(), stages_.end(), [&](const Stage& s) { return s.name == t; });
    if (it == stages_.end()) return makeError(Code::kInvalidArgument, "the target {:?} is not a stage of the Containerfile", r_.target);
    last = size_t(it - stages_.begin());
  }
  std::vector<std::string> names;
  for (auto& t : r_.tags) names.push_back(TRY(normalizeNewName(t)));
  std::string id;
  for (size_t i = 0; i <= last; ++i) id = TRY(runStage(stages_[i], i == last));
  std::string prefix = stages_.size() > 1 ? fmt::format("[{}/{}] ", last + 1, stages_.size()) : "";
  say(prefix + "COMMIT" + (r_.tags.empty() ? "" : " " + r_.tags[0]));
  if (!r_.labels.empty()) {
    Current cur;
    TRY(loadImage(cur, id));
    Json& c = cur.cfg["config"];
    if (!c.contains("Labels") || !c["Labels"].is_object()) c["Labels"] = Json::object();
    for (auto& [k, v] : r_.labels) c["Labels"][k] = v;
    id = TRY(writeCfg(cur, {}));
  }
  std::erase(intermediate_, id);
  if (!names.empty()) TRY(e_.images().tag(id, names));
  say("--> " + shortId(id));
  for (auto& n : names) say("Successfully tagged " + n);
  for (auto& unused : intermediate_) {
    api::ImageRemoveRequest rm;
    rm.images = {unused};
    rm.ignore = true;
    if (auto res = e_.images().remove(rm); !res.ok())
      LOG_DEBUG("remove intermediate image {}: {}", unused.substr(0, 12), res.error().what());
  }
  std::vector<std::string> unused_args;
  for (auto& [k, v] : r_.build_args)
    if (!used_args_.count(k)) unused_args.push_back(k);
  if (!unused_args.empty() && !r_.quiet)
    LOG_DEBUG("build args not consumed: {}", fmt::join(unused_args, ", "));
  if (r_.out) r_.out(id + "\n");
  return id;
}

}  // namespace

Result<std::string> build(Engine& e, const BuildRequest& req, BuildResult& result) {
  Builder b(e, req, result);
  auto id = b.run();
  b.dropDownloads();
  if (id.ok()) result.id = *id;
  return id;
}

}  // namespace berth::engine
