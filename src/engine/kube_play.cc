// kube play and kube down: Kubernetes Pods, Deployments, PersistentVolumeClaims, ConfigMaps
// and Secrets as berth pods, containers, volumes and secrets (podman's abi/play.go and
// pkg/specgen/generate/kube).
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <filesystem>
#include <set>

#include "base/base64.h"
#include "base/digest.h"
#include "base/fs.h"
#include "base/json_access.h"
#include "base/log.h"
#include "base/tempfile.h"
#include "base/yaml.h"
#include "engine/container_service.h"
#include "engine/engine.h"
#include "engine/kube_service.h"
#include "engine/pod_service.h"
#include "engine/secret_service.h"
#include "specgen/flags.h"
#include "state/containers.h"

namespace berth::engine {

namespace {

using json::optString;

// Reads of one document, every error naming the document (`doc`: `Pod "web"`) and the field.
class Doc {
 public:
  Doc(std::string what) : what_(std::move(what)) {}
  Error wrap(Error e) const { return std::move(e).context(what_); }
  template <typename T>
  Result<T> get(Result<T> r) const {
    if (!r.ok()) return wrap(std::move(r).error());
    return r;
  }
  Result<std::string> str(const Json& o, std::string_view key, std::string_view where) const {
    // Kubernetes' decoder takes YAML numbers and booleans for string fields as written.
    if (o.is_object()) {
      auto it = o.find(std::string(key));
      if (it != o.end() && (it->is_number() || it->is_boolean())) return it->dump();
    }
    return get(optString(o, key, where));
  }
  Result<std::vector<std::string>> strs(const Json& o, std::string_view key, std::string_view where) const {
    const Json* a = TRY(get(json::optArray(o, key, where)));
    std::vector<std::string> out;
    if (!a) return out;
    for (size_t i = 0; i < a->size(); ++i) {
      const Json& v = (*a)[i];
      if (v.is_string()) out.push_back(v.get<std::string>());
      else if (v.is_number() || v.is_boolean()) out.push_back(v.dump());
      else return wrap(json::typeError(json::indexPath(json::fieldPath(where, key), i), "string", v));
    }
    return out;
  }
  Result<std::map<std::string, std::string>> strMap(const Json& o, std::string_view key, std::string_view where) const {
    const Json* m = TRY(get(json::optObject(o, key, where)));
    std::map<std::string, std::string> out;
    if (!m) return out;
    for (auto& [k, v] : m->items()) {
      if (v.is_string()) out[k] = v.get<std::string>();
      else if (v.is_number() || v.is_boolean()) out[k] = v.dump();
      else if (!v.is_null()) return wrap(json::typeError(json::fieldPath(json::fieldPath(where, key), k), "string", v));
    }
    return out;
  }
  Result<const Json*> obj(const Json& o, std::string_view key, std::string_view where) const {
    return get(json::optObject(o, key, where));
  }
  Result<const Json*> arr(const Json& o, std::string_view key, std::string_view where) const {
    return get(json::optArray(o, key, where));
  }
  Result<std::optional<int64_t>> integer(const Json& o, std::string_view key, std::string_view where) const {
    if (!o.is_object() || !o.contains(std::string(key)) || o[std::string(key)].is_null()) return std::optional<int64_t>{};
    return std::optional<int64_t>(TRY(get(json::asInt(o[std::string(key)], json::fieldPath(where, key)))));
  }
  Result<std::optional<bool>> boolean(const Json& o, std::string_view key, std::string_view where) const {
    if (!o.is_object() || !o.contains(std::string(key)) || o[std::string(key)].is_null()) return std::optional<bool>{};
    return std::optional<bool>(TRY(get(json::asBool(o[std::string(key)], json::fieldPath(where, key)))));
  }
  Error invalid(std::string msg) const { return wrap(makeError(Code::kInvalidArgument, "{}", msg)); }
  const std::string& what() const { return what_; }

 private:
  std::string what_;
};

// A Kubernetes resource quantity ("500m", "1.5", "128Mi", "1G", "1e3") in its base unit;
// `milli` gives thousandths (CPU).
Result<int64_t> parseQuantity(const std::string& q, bool milli, std::string_view field) {
  static const std::vector<std::pair<std::string, double>> suffixes = {
      {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0}, {"Pi", 1125899906842624.0},
      {"Ei", 1152921504606846976.0}, {"n", 1e-9}, {"u", 1e-6}, {"m", 1e-3}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9},
      {"T", 1e12}, {"P", 1e15}, {"E", 1e18}};
  std::string num = q;
  double mult = 1;
  for (auto& [s, m] : suffixes)
    if (num.size() > s.size() && num.ends_with(s)) {
      num.resize(num.size() - s.size());
      mult = m;
      break;
    }
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(num.c_str(), &end);
  if (num.empty() || *end != '\0' || errno == ERANGE || v < 0 || !std::isfinite(v))
    return makeError(Code::kInvalidArgument, "{}: quantities must match the regular expression "
                     "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': {:?}", field, q);
  double r = std::ceil(v * mult * (milli ? 1000 : 1) - 1e-9);
  if (r > 9.2e18) return makeError(Code::kInvalidArgument, "{}: quantity {:?} is too large", field, q);
  return int64_t(r);
}

struct KubeVolume {
  enum Type { kBind, kNamed, kConfigMap, kSecret, kEmptyDir, kCharDevice, kBlockDevice } type = kBind;
  std::string source;
  std::map<std::string, std::string> items;  // file name -> data (config maps, secrets)
  bool optional = false;                       // a missing optional config map: not mounted
};

// A Secret stored by kube play: its data (base64 decoded) and stringData, by key.
Result<std::map<std::string, std::string>> kubeSecretData(Engine& e, const std::string& name) {
  auto& secrets = static_cast<LocalSecretService&>(e.secrets());
  auto [info, data] = TRY(secrets.lookupData(name));
  Json j = Json::parse(data, nullptr, false);
  std::map<std::string, std::string> out;
  if (!j.is_object() || info.labels.count("io.podman.kube.secret") == 0) {
    out[name] = data;  // a plain secret: one value under its own name
    return out;
  }
  const Json stored = j.value("data", Json::object());
  for (auto& [k, v] : stored.items())
    if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}

const Json* findConfigMap(const std::vector<Json>& cms, const std::string& name) {
  for (auto& cm : cms)
    if (cm.contains("metadata") && cm["metadata"].is_object() && cm["metadata"].value("name", "") == name) return &cm;
  return nullptr;
}

Result<std::map<std::string, std::string>> configMapData(const Doc& d, const Json& cm) {
  auto data = TRY(d.strMap(cm, "data", ""));
  auto bin = TRY(d.strMap(cm, "binaryData", ""));
  for (auto& [k, v] : bin) {
    auto dec = base64Decode(v);
    if (!dec.ok()) return d.invalid(fmt::format("binaryData.{}: not base64", k));
    data[k] = *dec;
  }
  return data;
}

// The items a configMap/secret volume shows: all keys, or the listed ones under their paths.
Result<std::map<std::string, std::string>> volumeItems(const Doc& d, const Json& src, const std::string& where,
                                                       const std::map<std::string, std::string>& data) {
  const Json* items = TRY(d.arr(src, "items", where));
  if (!items || items->empty()) return data;
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < items->size(); ++i) {
    std::string iw = json::indexPath(where + ".items", i);
    std::string key = TRY(d.str((*items)[i], "key", iw));
    std::string path = TRY(d.str((*items)[i], "path", iw));
    auto it = data.find(key);
    if (it == data.end()) continue;
    out[path.empty() ? key : path] = it->second;
  }
  return out;
}

// A file name inside a config map or secret volume: one plain name, nothing that climbs out.
bool safeItemName(const std::string& n) {
  return !n.empty() && n != "." && n != ".." && n.find('/') == std::string::npos && n.find('\0') == std::string::npos;
}

class Player {
 public:
  Player(Engine& e, const api::KubePlayRequest& req) : e_(e), req_(req) {}

  Result<api::KubePlayReport> run(const std::vector<Json>& docs) {
    if (req_.service_container) TRY(createServiceContainer());
    auto played = playAll(docs);
    // Nothing played: no service container is left without the pods it was made for.
    if (!played.ok() && !service_id_.empty())
      if (auto s = static_cast<LocalPodService&>(e_.pods()).removeServiceIfUnused(service_id_); !s.ok())
        LOG_WARN("removing service container {}: {}", service_id_.substr(0, 12), s.error().what());
    return played;
  }

 private:
  // podman's service container: "<sha256(yaml)[:12]>-service" from the pause image, no network,
  // started with the first pod (LocalPodService::startService). --replace replaces it too.
  Status createServiceContainer() {
    std::string name = sha256Digest(req_.yaml).substr(std::string("sha256:").size(), 12) + "-service";
    if (req_.replace) {
      api::ContainerRemoveRequest rr;
      rr.names = {name};
      rr.force = true;
      rr.ignore = true;
      rr.depend = true;  // with the pods it served
      rr.timeout = 0;
      for (auto& r : TRY(e_.containers().remove(rr)))
        if (r.error) return r.error->context("replacing service container");
    }
    api::ContainerCreateRequest cr;
    cr.spec.name = name;
    cr.spec.image = TRY(static_cast<LocalPodService&>(e_.pods()).defaultInfraImage());
    cr.spec.netns = {api::NamespaceMode::kNone, ""};
    cr.service = true;
    service_id_ = TRY_CTX(e_.containers().create(cr), "creating service container").id;
    return {};
  }

  Result<api::KubePlayReport> playAll(const std::vector<Json>& docs) {
    int valid = 0;
    for (auto& doc : docs) {
      std::string kind = doc.value("kind", "");
      std::string name = doc.contains("metadata") && doc["metadata"].is_object() ? doc["metadata"].value("name", "") : "";
      Doc d(fmt::format("{} {:?} in {}", kind, name, req_.source));
      if (kind == "Pod") {
        TRY(playPod(d, doc, name, doc));
        ++valid;
      } else if (kind == "Deployment") {
        if (name.empty()) return d.invalid("deployment does not have a name");
        const Json* spec = TRY(d.obj(doc, "spec", ""));
        if (!spec) return d.invalid("spec: missing");
        int64_t replicas = TRY(d.integer(*spec, "replicas", "spec")).value_or(1);
        if (replicas < 0 || replicas > 1000) return d.invalid("spec.replicas: out of range");
        const Json* tmpl = TRY(d.obj(*spec, "template", "spec"));
        if (!tmpl) return d.invalid("spec.template: missing");
        for (int64_t i = 0; i < replicas; ++i) {
          std::string pod_name = fmt::format("{}-pod-{}", name, i);
          auto st = playPod(d, *tmpl, pod_name, doc);
          if (!st.ok()) return std::move(st).error().context(fmt::format("encountered while bringing up pod {}", pod_name));
        }
        ++valid;
      } else if (kind == "PersistentVolumeClaim") {
        TRY(playPvc(d, doc, name));
        ++valid;
      } else if (kind == "ConfigMap") {
        config_maps_.push_back(doc);
      } else if (kind == "Secret") {
        TRY(playSecret(d, doc, name));
        ++valid;
      } else {
        LOG_INFO("Kube kind {} not supported", kind);
      }
    }
    if (valid == 0) {
      if (!config_maps_.empty())
        return makeError(Code::kInvalidArgument, "ConfigMaps in podman are not a standalone object and must be used in a container");
      return makeError(Code::kInvalidArgument, "YAML document does not contain any supported kube kind");
    }
    return std::move(report_);
  }

  Status playPvc(const Doc& d, const Json& doc, const std::string& name) {
    if (name.empty()) return d.invalid("metadata.name: missing");
    const Json* meta = TRY(d.obj(doc, "metadata", ""));
    auto anns = TRY(d.strMap(*meta, "annotations", "metadata"));
    api::VolumeCreateRequest vr;
    vr.name = name;
    vr.labels = TRY(d.strMap(*meta, "labels", "metadata"));
    for (auto& [k, v] : anns) {
      if (k == "volume.podman.io/driver") vr.driver = v;
      else if (k == "volume.podman.io/device") vr.options["device"] = v;
      else if (k == "volume.podman.io/type") vr.options["type"] = v;
      else if (k == "volume.podman.io/uid") vr.options["uid"] = v;
      else if (k == "volume.podman.io/gid") vr.options["gid"] = v;
      else if (k == "volume.podman.io/mount-options") vr.options["o"] = v;
    }
    auto v = TRY(e_.volumes().create(vr));
    report_.volumes.push_back(v.name);
    return {};
  }

  Status playSecret(const Doc& d, const Json& doc, const std::string& name) {
    if (name.empty()) return d.invalid("metadata.name: missing");
    auto data = TRY(d.strMap(doc, "data", ""));
    auto string_data = TRY(d.strMap(doc, "stringData", ""));
    Json stored = {{"data", Json::object()}};
    for (auto& [k, v] : data) {
      auto dec = base64Decode(v);
      if (!dec.ok()) return d.invalid(fmt::format("data.{}: not base64", k));
      stored["data"][k] = *dec;
    }
    for (auto& [k, v] : string_data) stored["data"][k] = v;
    api::SecretCreateRequest sr;
    sr.name = name;
    sr.data = stored.dump();
    sr.labels["io.podman.kube.secret"] = "true";
    report_.secrets.push_back(TRY(e_.secrets().create(sr)));
    return {};
  }

  // The volumes of a pod spec, by name.
  Result<std::map<std::string, KubeVolume>> podVolumes(const Doc& d, const Json& spec) {
    std::map<std::string, KubeVolume> out;
    const Json* vols = TRY(d.arr(spec, "volumes", "spec"));
    if (!vols) return out;
    for (size_t i = 0; i < vols->size(); ++i) {
      std::string w = json::indexPath("spec.volumes", i);
      const Json& v = (*vols)[i];
      TRY(d.get(json::checkObject(v, w)));
      std::string name = TRY(d.str(v, "name", w));
      if (name.empty()) return d.invalid(w + ".name: missing");
      KubeVolume kv;
      if (const Json* hp = TRY(d.obj(v, "hostPath", w))) {
        std::string path = TRY(d.str(*hp, "path", w + ".hostPath"));
        std::string type = TRY(d.str(*hp, "type", w + ".hostPath"));
        TRY(d.get(checkHostPath(path, type, kv)));
        kv.source = path;
      } else if (const Json* pvc = TRY(d.obj(v, "persistentVolumeClaim", w))) {
        kv.type = KubeVolume::kNamed;
        kv.source = TRY(d.str(*pvc, "claimName", w + ".persistentVolumeClaim"));
        if (kv.source.empty()) return d.invalid(w + ".persistentVolumeClaim.claimName: missing");
      } else if (const Json* cm = TRY(d.obj(v, "configMap", w))) {
        kv.type = KubeVolume::kConfigMap;
        std::string cm_name = TRY(d.str(*cm, "name", w + ".configMap"));
        kv.optional = TRY(d.boolean(*cm, "optional", w + ".configMap")).value_or(false);
        kv.source = cm_name;
        const Json* found = findConfigMap(config_maps_, cm_name);
        if (!found) {
          if (!kv.optional) return d.invalid(fmt::format("no such ConfigMap {:?}", cm_name));
        } else {
          Doc cd(fmt::format("ConfigMap {:?}", cm_name));
          auto data = TRY(configMapData(cd, *found));
          kv.items = TRY(volumeItems(d, *cm, w + ".configMap", data));
        }
      } else if (const Json* sec = TRY(d.obj(v, "secret", w))) {
        kv.type = KubeVolume::kSecret;
        std::string sname = TRY(d.str(*sec, "secretName", w + ".secret"));
        kv.optional = TRY(d.boolean(*sec, "optional", w + ".secret")).value_or(false);
        kv.source = sname;
        auto data = kubeSecretData(e_, sname);
        if (!data.ok()) {
          if (!kv.optional) return d.wrap(std::move(data).error().context(fmt::format("{}.secret", w)));
        } else {
          kv.items = TRY(volumeItems(d, *sec, w + ".secret", *data));
        }
      } else if (v.contains("emptyDir")) {
        kv.type = KubeVolume::kEmptyDir;
      } else {
        return d.invalid(fmt::format("{}: HostPath, ConfigMap, EmptyDir, Secret and PersistentVolumeClaim are "
                                     "currently the only supported VolumeSource", w));
      }
      out[name] = std::move(kv);
    }
    return out;
  }

  static Status checkHostPath(const std::string& path, const std::string& type, KubeVolume& kv) {
    if (path.empty() || path[0] != '/') return makeError(Code::kInvalidArgument, "hostPath.path {:?}: must be absolute", path);
    struct stat st{};
    bool exists = ::stat(path.c_str(), &st) == 0;
    if (type == "DirectoryOrCreate") {
      if (!exists) {
        std::error_code ec;
        std::filesystem::create_directories(path, ec);
        if (ec) return makeError(Code::kInternal, "creating HostPath {}: {}", path, ec.message());
        ::chmod(path.c_str(), 0755);
      } else if (!S_ISDIR(st.st_mode)) {
        return makeError(Code::kInvalidArgument, "checking HostPath {}: path is not a directory", path);
      }
    } else if (type == "Directory") {
      if (!exists || !S_ISDIR(st.st_mode))
        return makeError(Code::kInvalidArgument, "checking HostPath {}: path is not a directory", path);
    } else if (type == "FileOrCreate") {
      if (!exists) {
        int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0) return errnoError("creating HostPath {}", path);
        ::close(fd);
      } else if (!S_ISREG(st.st_mode)) {
        return makeError(Code::kInvalidArgument, "checking HostPath {}: path is not a file", path);
      }
    } else if (type == "File") {
      if (!exists || !S_ISREG(st.st_mode))
        return makeError(Code::kInvalidArgument, "checking HostPath {}: path is not a file", path);
    } else if (type == "Socket") {
      if (!exists || !S_ISSOCK(st.st_mode))
        return makeError(Code::kInvalidArgument, "checking HostPath {}: path is not a socket", path);
    } else if (type == "CharDevice") {
      if (!exists || !S_ISCHR(st.st_mode))
        return makeError(Code::kInvalidArgument, "checking HostPath {}: path is not a character device", path);
      kv.type = KubeVolume::kCharDevice;
    } else if (type == "BlockDevice") {
      if (!exists || !S_ISBLK(st.st_mode))
        return makeError(Code::kInvalidArgument, "checking HostPath {}: path is not a block device", path);
      kv.type = KubeVolume::kBlockDevice;
    } else if (!type.empty()) {
      return makeError(Code::kInvalidArgument, "invalid HostPath type {:?}", type);
    }
    return {};
  }

  // Config map and secret volumes become named volumes holding one file per item.
  Status fillDataVolumes(const std::map<std::string, KubeVolume>& vols) {
    for (auto& [name, v] : vols) {
      if ((v.type != KubeVolume::kConfigMap && v.type != KubeVolume::kSecret) || v.optional || v.source.empty()) continue;
      api::VolumeCreateRequest vr;
      vr.name = v.source;
      vr.ignore_if_exists = true;
      auto vol = TRY_CTX(e_.volumes().create(vr), "creating a local volume for volume from {} {:?}",
                         v.type == KubeVolume::kConfigMap ? "configmap" : "secret", v.source);
      for (auto& [file, data] : v.items) {
        if (!safeItemName(file)) return makeError(Code::kInvalidArgument, "volume item {:?}: not a plain file name", file);
        // The volume is shared (replicas, other pods of the file): running containers may be
        // reading it, so an item is replaced whole (a new file renamed over it), never
        // truncated in place, and left alone when it already holds the data.
        std::string path = vol.mountpoint + "/" + file;
        int cur = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (cur >= 0) {
          struct stat st;
          bool same = ::fstat(cur, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == off_t(data.size()) &&
                      fs::readAll(cur).valueOr("") == data;
          ::close(cur);
          if (same) continue;
        }
        auto tmp = TRY_CTX(fs::createTempBeside(path, 0644), "creating file {:?} at volume mountpoint {:?}", file,
                           vol.mountpoint);
        Status w = fs::writeAll(tmp.fd.get(), data);
        tmp.fd.reset();
        if (w.ok() && ::rename(tmp.path.c_str(), path.c_str()) < 0) w = errnoError("rename {}", tmp.path);
        if (!w.ok()) {
          ::unlink(tmp.path.c_str());
          return std::move(w).error().context(fmt::format("writing file {:?} at volume mountpoint {:?}", file, vol.mountpoint));
        }
      }
    }
    return {};
  }

  Result<std::optional<std::string>> envValue(const Doc& d, const Json& env, const std::string& w) {
    if (env.contains("value") && !env["value"].is_null()) return std::optional<std::string>(TRY(d.str(env, "value", w)));
    const Json* from = TRY(d.obj(env, "valueFrom", w));
    if (!from) return std::optional<std::string>(std::string());
    std::string fw = w + ".valueFrom";
    if (const Json* ref = TRY(d.obj(*from, "configMapKeyRef", fw))) {
      std::string name = TRY(d.str(*ref, "name", fw + ".configMapKeyRef"));
      std::string key = TRY(d.str(*ref, "key", fw + ".configMapKeyRef"));
      bool optional = TRY(d.boolean(*ref, "optional", fw + ".configMapKeyRef")).value_or(false);
      if (const Json* cm = findConfigMap(config_maps_, name)) {
        auto data = TRY(configMapData(d, *cm));
        if (auto it = data.find(key); it != data.end()) return std::optional<std::string>(it->second);
      }
      if (optional) return std::optional<std::string>();
      return d.invalid(fmt::format("{}: cannot set env: no key {:?} in ConfigMap {:?}", fw, key, name));
    }
    if (const Json* ref = TRY(d.obj(*from, "secretKeyRef", fw))) {
      std::string name = TRY(d.str(*ref, "name", fw + ".secretKeyRef"));
      std::string key = TRY(d.str(*ref, "key", fw + ".secretKeyRef"));
      bool optional = TRY(d.boolean(*ref, "optional", fw + ".secretKeyRef")).value_or(false);
      auto data = kubeSecretData(e_, name);
      if (data.ok())
        if (auto it = data->find(key); it != data->end()) return std::optional<std::string>(it->second);
      if (optional) return std::optional<std::string>();
      return d.invalid(fmt::format("{}: cannot set env: no key {:?} in Secret {:?}", fw, key, name));
    }
    if (const Json* ref = TRY(d.obj(*from, "fieldRef", fw))) {
      std::string path = TRY(d.str(*ref, "fieldPath", fw + ".fieldRef"));
      if (path == "metadata.name") return std::optional<std::string>(pod_name_);
      if (path == "metadata.namespace") return std::optional<std::string>(std::string("default"));
      if (path == "metadata.uid") return std::optional<std::string>(pod_id_);
      return d.invalid(fmt::format("{}.fieldRef.fieldPath: {:?} is not supported", fw, path));
    }
    return d.invalid(fmt::format("{}: unsupported value source", fw));
  }

  Status playPod(const Doc& d, const Json& tmpl, const std::string& pod_name, const Json& doc) {
    if (pod_name.empty()) return d.invalid("pod does not have a name");
    const Json* meta = TRY(d.obj(tmpl, "metadata", ""));
    Json empty = Json::object();
    if (!meta) meta = &empty;
    const Json* spec = TRY(d.obj(tmpl, "spec", ""));
    if (!spec) return d.invalid("spec: missing");
    auto labels = TRY(d.strMap(*meta, "labels", "metadata"));
    // Annotations come from the document's own metadata (a Deployment's, not its template's).
    const Json* doc_meta = TRY(d.obj(doc, "metadata", ""));
    auto annotations = doc_meta ? TRY(d.strMap(*doc_meta, "annotations", "metadata")) : std::map<std::string, std::string>{};
    for (auto& [k, v] : annotations)
      if (v.size() > kMaxKubeAnnotation)
        return d.invalid(fmt::format("invalid annotation {:?}={:?} value length exceeds Kubernetetes max {}", k, v,
                                     kMaxKubeAnnotation));
    for (auto& [k, v] : req_.annotations) annotations[k] = v;

    api::PodCreateRequest pr;
    pr.name = pod_name;
    pr.labels = labels;
    pr.exit_policy = "stop";
    pr.service_container = service_id_;
    pr.share = "ipc,net,uts";
    if (TRY(d.boolean(*spec, "shareProcessNamespace", "spec")).value_or(false)) *pr.share += ",pid";
    pr.hostname = TRY(d.str(*spec, "hostname", "spec"));
    if (pr.hostname.empty()) pr.hostname = pod_name;
    bool host_net = TRY(d.boolean(*spec, "hostNetwork", "spec")).value_or(false);
    api::ContainerNetworkConfig& net = pr.network;
    if (req_.network) net = *req_.network;
    if (host_net) net.netns = {api::NamespaceMode::kHost, ""};
    else if (!req_.network) {
      net.netns = {api::NamespaceMode::kBridge, ""};
      net.networks[kKubeDefaultNetwork] = {};
    }
    if (req_.no_hosts) net.use_image_hosts = true;
    if (const Json* aliases = TRY(d.arr(*spec, "hostAliases", "spec"))) {
      if (req_.no_hosts) return d.invalid("HostAliases in yaml file will not work with --no-hosts");
      for (size_t i = 0; i < aliases->size(); ++i) {
        std::string w = json::indexPath("spec.hostAliases", i);
        std::string ip = TRY(d.str((*aliases)[i], "ip", w));
        for (auto& h : TRY(d.strs((*aliases)[i], "hostnames", w))) net.hostadd.push_back(h + ":" + ip);
      }
    }
    if (const Json* dns = TRY(d.obj(*spec, "dnsConfig", "spec"))) {
      auto servers = TRY(d.strs(*dns, "nameservers", "spec.dnsConfig"));
      if (!servers.empty()) net.dns_server = servers;
      auto searches = TRY(d.strs(*dns, "searches", "spec.dnsConfig"));
      if (!searches.empty()) net.dns_search = searches;
      if (const Json* opts = TRY(d.arr(*dns, "options", "spec.dnsConfig"))) {
        net.dns_option.clear();
        for (size_t i = 0; i < opts->size(); ++i) {
          std::string w = json::indexPath("spec.dnsConfig.options", i);
          std::string o = TRY(d.str((*opts)[i], "name", w));
          std::string v = TRY(d.str((*opts)[i], "value", w));
          net.dns_option.push_back(v.empty() ? o : o + ":" + v);
        }
      }
    }
    // Static addresses: the next --ip / --mac-address for each pod, on its only network.
    if (ip_index_ < req_.static_ips.size() || ip_index_ < req_.static_macs.size()) {
      if (!net.netns.is(api::NamespaceMode::kBridge) && !net.netns.isDefault())
        return makeError(Code::kInvalidArgument, "static ip addresses can only be set when the network mode is bridge");
      if (net.networks.size() != 1)
        return makeError(Code::kInvalidArgument, "cannot set static ip addresses for more than network, use "
                                                 "netname:ip=<ip> syntax to specify ips for more than network");
      auto& opts = net.networks.begin()->second;
      if (ip_index_ < req_.static_ips.size()) opts.static_ips.push_back(req_.static_ips[ip_index_]);
      if (ip_index_ < req_.static_macs.size()) opts.static_mac = req_.static_macs[ip_index_];
    }
    ++ip_index_;

    const Json* ctrs = TRY(d.arr(*spec, "containers", "spec"));
    const Json* inits = TRY(d.arr(*spec, "initContainers", "spec"));
    if (!ctrs || ctrs->empty()) return d.invalid("spec.containers: a pod needs at least one container");
    // Ports: every hostPort (or containerPort) of every container, bound on the infra container.
    for (size_t i = 0; i < ctrs->size(); ++i) {
      std::string w = json::indexPath("spec.containers", i);
      const Json* ports = TRY(d.arr((*ctrs)[i], "ports", w));
      if (!ports) continue;
      for (size_t j = 0; j < ports->size(); ++j) {
        std::string pw = json::indexPath(w + ".ports", j);
        int64_t cport = TRY(d.integer((*ports)[j], "containerPort", pw)).value_or(0);
        int64_t hport = TRY(d.integer((*ports)[j], "hostPort", pw)).value_or(0);
        if (cport < 0 || cport > 65535 || hport < 0 || hport > 65535) return d.invalid(pw + ": port out of range");
        if (hport && !cport) cport = hport;
        if (!hport && cport) hport = cport;
        if (!hport) continue;
        std::string proto = TRY(d.str((*ports)[j], "protocol", pw));
        std::transform(proto.begin(), proto.end(), proto.begin(), ::tolower);
        if (proto.empty()) proto = "tcp";
        if (proto != "tcp" && proto != "udp" && proto != "sctp") return d.invalid(pw + ".protocol: unknown protocol " + proto);
        api::PortMapping pm;
        pm.container_port = uint16_t(cport);
        pm.host_port = uint16_t(hport);
        pm.protocol = proto;
        pm.host_ip = TRY(d.str((*ports)[j], "hostIP", pw));
        net.portmappings.push_back(pm);
      }
    }
    if (host_net || net.netns.is(api::NamespaceMode::kHost)) net.portmappings.clear();
    std::string restart = TRY(d.str(*spec, "restartPolicy", "spec"));
    std::string ctr_restart = restart == "OnFailure" ? "on-failure" : restart == "Never" ? "no" : "always";
    if (!restart.empty() && restart != "Always" && restart != "OnFailure" && restart != "Never")
      return d.invalid(fmt::format("spec.restartPolicy: unknown policy {:?}", restart));

    auto volumes = TRY(podVolumes(d, *spec));
    const Json* psc = TRY(d.obj(*spec, "securityContext", "spec"));

    // Every container is checked and its image found before anything is created.
    struct Planned {
      api::SpecGenerator spec;
      bool init = false;
    };
    std::vector<Planned> planned;
    std::set<std::string> names;
    auto plan = [&](const Json* list, const char* field, bool init) -> Status {
      if (!list) return {};
      for (size_t i = 0; i < list->size(); ++i) {
        std::string w = json::indexPath(std::string("spec.") + field, i);
        TRY(d.get(json::checkObject((*list)[i], w)));
        std::string cname = TRY(d.str((*list)[i], "name", w));
        if (cname.empty()) return d.invalid(w + ".name: missing");
        if (!names.insert(cname).second)
          return makeError(Code::kInvalidArgument, "the pod {:?} is invalid; duplicate container name {:?} detected",
                           pod_name, cname);
        if (init && ((*list)[i].contains("lifecycle") || (*list)[i].contains("livenessProbe") ||
                     (*list)[i].contains("readinessProbe") || (*list)[i].contains("startupProbe")))
          return makeError(Code::kInvalidArgument, "cannot create an init container that has either of lifecycle, "
                                                   "livenessProbe, readinessProbe, or startupProbe set");
        Planned p;
        p.init = init;
        // An init container runs once to its end per pod start: never restarted.
        p.spec = TRY(containerSpec(d, (*list)[i], w, cname, pod_name, volumes, annotations, labels, psc,
                                   init ? "no" : ctr_restart));
        if (init) p.spec.init_container_type = annotations.count("io.podman.annotations.init.container.type")
                                                   ? annotations["io.podman.annotations.init.container.type"]
                                                   : "once";
        planned.push_back(std::move(p));
      }
      return {};
    };
    TRY(plan(inits, "initContainers", true));
    TRY(plan(ctrs, "containers", false));

    if (!req_.network && !host_net) {
      api::NetworkCreateRequest nr;
      nr.network.name = kKubeDefaultNetwork;
      nr.network.driver = "bridge";
      nr.network.dns_enabled = true;
      nr.ignore_if_exists = true;
      TRY_CTX(e_.networks().create(nr), "creating network {}", kKubeDefaultNetwork);
    }
    TRY(fillDataVolumes(volumes));

    pod_name_ = pod_name;
    std::string pod_id = TRY(e_.pods().create(pr));
    pod_id_ = pod_id;
    auto undo = [&](Error err) -> Error {
      api::PodRemoveRequest rr;
      rr.names = {pod_id};
      rr.force = true;
      rr.timeout = 0;
      (void)e_.pods().remove(rr);
      return err;
    };
    auto prec = static_cast<LocalPodService&>(e_.pods()).find(pod_id);
    std::string infra_id = prec.ok() ? prec->config.value("infra_id", std::string()) : "";
    api::KubePlayPod rep;
    rep.id = pod_id;
    for (auto& p : planned) {
      api::ContainerCreateRequest cr;
      cr.spec = std::move(p.spec);
      cr.spec.pod = pod_id;
      if (!infra_id.empty()) {
        cr.spec.annotations["io.kubernetes.cri-o.SandboxID"] = infra_id;
        cr.spec.annotations["io.kubernetes.cri-o.ContainerType"] = "container";
      }
      auto made = e_.containers().create(cr);
      if (!made.ok()) return undo(std::move(made).error());
      (p.init ? rep.init_containers : rep.containers).push_back(made->id);
    }
    if (req_.start) {
      auto started = e_.pods().start({pod_id}, false);
      if (!started.ok()) return undo(std::move(started).error());
      for (auto& r : *started)
        if (r.error) rep.container_errors.push_back(r.error->what());
    }
    report_.pods.push_back(std::move(rep));
    return {};
  }

  Result<api::SpecGenerator> containerSpec(const Doc& d, const Json& c, const std::string& w, const std::string& cname,
                                           const std::string& pod_name,
                                           const std::map<std::string, KubeVolume>& volumes,
                                           const std::map<std::string, std::string>& annotations,
                                           const std::map<std::string, std::string>& labels, const Json* psc,
                                           const std::string& restart) {
    api::SpecGenerator s;
    std::string image = TRY(d.str(c, "image", w));
    if (image.empty()) return d.invalid(w + ".image: missing");
    std::string policy = TRY(d.str(c, "imagePullPolicy", w));
    s.image = req_.ensure_image ? TRY(req_.ensure_image(image, policy)) : image;
    s.raw_image_name = image;
    s.name = pod_name + "-" + cname;
    if (TRY(d.boolean(c, "tty", w)).value_or(false)) s.terminal = true;
    if (TRY(d.boolean(c, "stdin", w)).value_or(false)) s.stdin = true;
    if (!req_.log_driver.empty() || !req_.log_options.empty()) {
      api::LogConfig lc;
      lc.driver = req_.log_driver;
      for (auto& o : req_.log_options) {
        auto eq = o.find('=');
        if (eq == std::string::npos || eq + 1 == o.size()) return makeError(Code::kInvalidArgument, "invalid log option {:?}", o);
        std::string k = o.substr(0, eq), v = o.substr(eq + 1);
        std::string lk = k;
        std::transform(lk.begin(), lk.end(), lk.begin(), ::tolower);
        if (lk == "driver") lc.driver = v;
        else if (lk == "path") lc.path = v;
        else if (lk == "max-size") lc.size = TRY(parseQuantity(v, false, "--log-opt max-size"));
        else lc.options[k] = v;
      }
      s.log_configuration = lc;
    }
    std::string entry_w = w;
    auto command = TRY(d.strs(c, "command", w));
    auto args = TRY(d.strs(c, "args", w));
    if (!command.empty()) s.entrypoint = command;
    if (!args.empty()) s.command = args;
    s.work_dir = TRY(d.str(c, "workingDir", w));

    // Security context (the container's, else the pod's for user, group and SELinux).
    const Json* sc = TRY(d.obj(c, "securityContext", w));
    Json none = Json::object();
    const Json& scj = sc ? *sc : none;
    const Json& pscj = psc ? *psc : none;
    std::string sw = w + ".securityContext";
    if (auto ro = TRY(d.boolean(scj, "readOnlyRootFilesystem", sw))) s.read_only_filesystem = *ro;
    if (auto pr = TRY(d.boolean(scj, "privileged", sw))) s.privileged = *pr;
    if (auto ape = TRY(d.boolean(scj, "allowPrivilegeEscalation", sw))) s.no_new_privileges = !*ape;
    const Json* se = TRY(d.obj(scj, "seLinuxOptions", sw));
    if (!se) se = TRY(d.obj(pscj, "seLinuxOptions", "spec.securityContext"));
    if (se)
      for (const char* k : {"user", "role", "type", "level"}) {
        std::string v = TRY(d.str(*se, k, sw + ".seLinuxOptions"));
        if (!v.empty()) s.selinux_opts.push_back(std::string(k) + ":" + v);
      }
    if (const Json* caps = TRY(d.obj(scj, "capabilities", sw))) {
      s.cap_add = TRY(d.strs(*caps, "add", sw + ".capabilities"));
      s.cap_drop = TRY(d.strs(*caps, "drop", sw + ".capabilities"));
    }
    auto uid = TRY(d.integer(scj, "runAsUser", sw));
    if (!uid) uid = TRY(d.integer(pscj, "runAsUser", "spec.securityContext"));
    auto gid = TRY(d.integer(scj, "runAsGroup", sw));
    if (!gid) gid = TRY(d.integer(pscj, "runAsGroup", "spec.securityContext"));
    if ((uid && (*uid < 0 || *uid > UINT32_MAX)) || (gid && (*gid < 0 || *gid > UINT32_MAX)))
      return d.invalid(sw + ": runAsUser/runAsGroup out of range");
    if (uid) s.user = std::to_string(*uid);
    if (gid) s.user = (s.user.empty() ? "0" : s.user) + ":" + std::to_string(*gid);

    // Liveness probe -> healthcheck.
    if (const Json* probe = TRY(d.obj(c, "livenessProbe", w))) TRY(probeToHealth(d, *probe, w + ".livenessProbe", s, restart));

    // Resources.
    if (const Json* res = TRY(d.obj(c, "resources", w))) {
      std::string rw = w + ".resources";
      const Json* lim = TRY(d.obj(*res, "limits", rw));
      const Json* reqs = TRY(d.obj(*res, "requests", rw));
      api::LinuxResources lr;
      if (lim) {
        std::string cpu = TRY(d.str(*lim, "cpu", rw + ".limits"));
        if (!cpu.empty()) {
          int64_t milli = TRY(d.get(parseQuantity(cpu, true, rw + ".limits.cpu")));
          if (milli > 0) {
            api::LinuxCPU cpu;
            cpu.period = 100000;
            cpu.quota = milli * 100;
            lr.cpu = cpu;
          }
        }
        std::string mem = TRY(d.str(*lim, "memory", rw + ".limits"));
        if (!mem.empty()) {
          int64_t v = TRY(d.get(parseQuantity(mem, false, rw + ".limits.memory")));
          if (v > 0) lr.memory.emplace().limit = v;
        }
      }
      if (reqs) {
        std::string mem = TRY(d.str(*reqs, "memory", rw + ".requests"));
        if (!mem.empty()) {
          int64_t v = TRY(d.get(parseQuantity(mem, false, rw + ".requests.memory")));
          if (v > 0) (lr.memory ? *lr.memory : lr.memory.emplace()).reservation = v;
        }
      }
      if (lr.cpu || lr.memory) s.resource_limits = lr;
    }

    s.annotations = annotations;
    s.labels = labels;

    // Environment.
    if (const Json* env = TRY(d.arr(c, "env", w))) {
      for (size_t i = 0; i < env->size(); ++i) {
        std::string ew = json::indexPath(w + ".env", i);
        std::string name = TRY(d.str((*env)[i], "name", ew));
        if (name.empty()) return d.invalid(ew + ".name: missing");
        auto v = TRY(envValue(d, (*env)[i], ew));
        if (v) s.env[name] = *v;
      }
    }
    if (const Json* from = TRY(d.arr(c, "envFrom", w))) {
      for (size_t i = 0; i < from->size(); ++i) {
        std::string ew = json::indexPath(w + ".envFrom", i);
        std::string prefix = TRY(d.str((*from)[i], "prefix", ew));
        if (const Json* ref = TRY(d.obj((*from)[i], "configMapRef", ew))) {
          std::string name = TRY(d.str(*ref, "name", ew + ".configMapRef"));
          bool optional = TRY(d.boolean(*ref, "optional", ew + ".configMapRef")).value_or(false);
          const Json* cm = findConfigMap(config_maps_, name);
          if (!cm) {
            if (optional) continue;
            return d.invalid(fmt::format("{}.configMapRef: no such ConfigMap {:?}", ew, name));
          }
          for (auto& [k, v] : TRY(configMapData(d, *cm))) s.env[prefix + k] = v;
        } else if (const Json* ref = TRY(d.obj((*from)[i], "secretRef", ew))) {
          std::string name = TRY(d.str(*ref, "name", ew + ".secretRef"));
          bool optional = TRY(d.boolean(*ref, "optional", ew + ".secretRef")).value_or(false);
          auto data = kubeSecretData(e_, name);
          if (!data.ok()) {
            if (optional) continue;
            return d.wrap(std::move(data).error().context(ew + ".secretRef"));
          }
          for (auto& [k, v] : *data) s.env[prefix + k] = v;
        }
      }
    }

    // Volume mounts.
    if (const Json* mounts = TRY(d.arr(c, "volumeMounts", w))) {
      for (size_t i = 0; i < mounts->size(); ++i) {
        std::string mw = json::indexPath(w + ".volumeMounts", i);
        std::string vname = TRY(d.str((*mounts)[i], "name", mw));
        auto it = volumes.find(vname);
        if (it == volumes.end())
          return d.invalid(fmt::format("volume mount {} specified for container but not configured in volumes", vname));
        const KubeVolume& v = it->second;
        if (v.optional && v.items.empty()) continue;
        std::string mp = TRY(d.str((*mounts)[i], "mountPath", mw));
        std::vector<std::string> opts;
        auto colon = mp.find(':');
        std::string dest = mp.substr(0, colon);
        if (colon != std::string::npos) {
          std::string rest = mp.substr(colon + 1);
          if (rest.find(':') != std::string::npos)
            return d.invalid(fmt::format("{}: {:?} incorrect volume format, should be ctr-dir[:option]", mw, mp));
          size_t p = 0;
          while (p <= rest.size()) {
            size_t q = rest.find(',', p);
            std::string o = rest.substr(p, q == std::string::npos ? std::string::npos : q - p);
            if (!o.empty()) opts.push_back(o);
            if (q == std::string::npos) break;
            p = q + 1;
          }
        }
        if (dest.empty() || dest[0] != '/')
          return d.invalid(fmt::format("{}.mountPath: invalid container path {:?}, must be an absolute path", mw, dest));
        if (TRY(d.boolean((*mounts)[i], "readOnly", mw)).value_or(false)) opts.push_back("ro");
        std::string prop = TRY(d.str((*mounts)[i], "mountPropagation", mw));
        if (prop == "None") opts.push_back("private");
        else if (prop == "HostToContainer") opts.push_back("rslave");
        else if (prop == "Bidirectional") opts.push_back("rshared");
        else if (!prop.empty()) return d.invalid(fmt::format("{}: unknown propagation mode {:?}", mw, prop));
        switch (v.type) {
          case KubeVolume::kBind: {
            auto ann = annotations.find("bind-mount-options");
            if (ann != annotations.end()) {
              auto last = ann->second.rfind(':');
              if (last != std::string::npos && ann->second.substr(0, last) == v.source &&
                  std::find(opts.begin(), opts.end(), "z") == opts.end() &&
                  std::find(opts.begin(), opts.end(), "Z") == opts.end())
                opts.push_back(ann->second.substr(last + 1));
            }
            api::Mount m;
            m.type = "bind";
            m.source = v.source;
            m.destination = dest;
            m.options = opts;
            s.mounts.push_back(m);
            break;
          }
          case KubeVolume::kCharDevice:
          case KubeVolume::kBlockDevice: {
            api::LinuxDevice dev;
            dev.path = v.source + ":" + dest;
            dev.type = v.type == KubeVolume::kCharDevice ? "c" : "b";
            s.devices.push_back(dev);
            break;
          }
          case KubeVolume::kEmptyDir: {
            api::NamedVolume nv;
            nv.dest = dest;
            nv.options = opts;
            nv.is_anonymous = true;
            s.volumes.push_back(nv);
            break;
          }
          default: {
            api::NamedVolume nv;
            nv.name = v.source;
            nv.dest = dest;
            nv.options = opts;
            s.volumes.push_back(nv);
            break;
          }
        }
      }
    }
    s.restart_policy = restart;
    if (req_.userns.empty() || req_.userns == "host") s.userns = {api::NamespaceMode::kHost, ""};
    else {
      auto mode = api::parseNamespaceMode(req_.userns);
      if (!mode) return makeError(Code::kInvalidArgument, "invalid --userns {:?}", req_.userns);
      s.userns = {*mode, ""};
    }
    TRY(seccompFor(d, s, cname, annotations));
    return s;
  }

  Status seccompFor(const Doc& d, api::SpecGenerator& s, const std::string& cname,
                    const std::map<std::string, std::string>& annotations) {
    std::string v;
    if (auto it = annotations.find("container.seccomp.security.alpha.kubernetes.io/" + cname); it != annotations.end())
      v = it->second;
    else if (auto p = annotations.find("seccomp.security.alpha.kubernetes.io/pod"); p != annotations.end())
      v = p->second;
    if (v.empty() || v == "runtime/default" || v == "docker/default") return {};
    if (v == "unconfined") {
      s.seccomp_profile_path = "unconfined";
      return {};
    }
    if (v.starts_with("localhost/")) {
      std::string file = v.substr(10);
      if (file.empty() || file.find("..") != std::string::npos)
        return d.invalid(fmt::format("invalid seccomp profile {:?}", v));
      std::string root = req_.seccomp_profile_root.empty() ? "/var/lib/kubelet/seccomp" : req_.seccomp_profile_root;
      s.seccomp_profile_path = root + "/" + file;
      return {};
    }
    return d.invalid(fmt::format("invalid seccomp path: {}", v));
  }

  Status probeToHealth(const Doc& d, const Json& probe, const std::string& w, api::SpecGenerator& s,
                       const std::string& restart) {
    std::string cmd;
    if (const Json* ex = TRY(d.obj(probe, "exec", w))) {
      auto argv = TRY(d.strs(*ex, "command", w + ".exec"));
      std::string joined;
      for (auto& a : argv) joined += (joined.empty() ? "" : " ") + a;
      cmd = joined + " || exit 1";
    } else if (const Json* hg = TRY(d.obj(probe, "httpGet", w))) {
      std::string scheme = TRY(d.str(*hg, "scheme", w + ".httpGet"));
      std::string host = TRY(d.str(*hg, "host", w + ".httpGet"));
      std::string path = TRY(d.str(*hg, "path", w + ".httpGet"));
      std::string port = TRY(d.str(*hg, "port", w + ".httpGet"));
      std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
      cmd = fmt::format("curl -f {}://{}:{}{} || exit 1", scheme.empty() ? "http" : scheme,
                        host.empty() ? "localhost" : host, port, path.empty() ? "/" : path);
    } else if (const Json* tcp = TRY(d.obj(probe, "tcpSocket", w))) {
      std::string host = TRY(d.str(*tcp, "host", w + ".tcpSocket"));
      std::string port = TRY(d.str(*tcp, "port", w + ".tcpSocket"));
      cmd = fmt::format("nc -z -v {} {} || exit 1", host.empty() ? "localhost" : host, port);
    } else {
      return {};
    }
    api::Schema2HealthConfig h;
    h.test = {"CMD-SHELL", cmd};
    auto secs = [&](const char* k, int64_t def) -> Result<int64_t> {
      return TRY(d.integer(probe, k, w)).value_or(def);
    };
    h.interval = std::chrono::seconds(TRY(secs("periodSeconds", 10)));
    h.timeout = std::chrono::seconds(TRY(secs("timeoutSeconds", 1)));
    h.start_period = std::chrono::seconds(TRY(secs("initialDelaySeconds", 0)));
    h.retries = TRY(secs("failureThreshold", 3));
    s.healthconfig = h;
    if (restart != "no") s.health_check_on_failure_action = api::HealthCheckOnFailureAction::kRestart;
    return {};
  }

  Engine& e_;
  const api::KubePlayRequest& req_;
  api::KubePlayReport report_;
  std::vector<Json> config_maps_;
  size_t ip_index_ = 0;
  std::string pod_name_, pod_id_;
  std::string service_id_;  // --service-container
};

}  // namespace

Result<std::vector<Json>> kubeDocuments(const std::string& yaml, const std::string& source) {
  auto docs = TRY(yaml::parseDocuments(yaml, source));
  std::vector<Json> first, pods;
  for (size_t i = 0; i < docs.size(); ++i) {
    Json& d = docs[i];
    std::string where = fmt::format("{} (document {})", source, i + 1);
    if (!d.is_object())
      return makeError(Code::kInvalidArgument, "unable to read kube YAML: {}: a document must be a mapping, got {}", where,
                       json::typeName(d));
    auto kind = json::optString(d, "kind", "");
    if (!kind.ok()) return std::move(kind).error().context("unable to read kube YAML: " + where);
    if (kind->empty()) return makeError(Code::kInvalidArgument, "unable to read kube YAML: {}: kind: missing", where);
    if (*kind == "Pod" || *kind == "Deployment") pods.push_back(std::move(d));
    else first.push_back(std::move(d));
  }
  first.insert(first.end(), pods.begin(), pods.end());
  return first;
}

Result<std::string> kubeImage(api::ImageService& images, const std::string& image, const std::string& policy,
                              api::ImagePullRequest pull,
                              const std::function<Result<std::optional<std::string>>(bool have)>& build) {
  std::string p = policy;
  for (auto& ch : p) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  if (!p.empty() && p != "always" && p != "ifnotpresent" && p != "never")
    return makeError(Code::kInvalidArgument, "unsupported pull policy {:?}", policy);
  bool have = TRY(images.exists(image));
  if (build)
    if (auto built = TRY(build(have))) return *built;
  if (p == "never" || (have && p != "always")) {
    if (!have) return makeError(Code::kNotFound, "{}: image not known", image);
    return image;
  }
  pull.reference = image;
  auto pulled = TRY(images.pull(pull));
  if (!pulled.names.empty()) return pulled.names[0];
  if (!pulled.ids.empty()) return pulled.ids[0];
  return image;
}

Result<api::KubePlayReport> LocalKubeService::play(const api::KubePlayRequest& req) {
  auto docs = TRY(kubeDocuments(req.yaml, req.source));
  // --configmap files: ConfigMap documents that must not clash with those in the YAML.
  std::vector<Json> extra;
  std::set<std::string> in_yaml;
  for (auto& d : docs)
    if (d.value("kind", "") == "ConfigMap" && d.contains("metadata") && d["metadata"].is_object())
      in_yaml.insert(d["metadata"].value("name", ""));
  for (auto& f : req.configmap_files) {
    auto text = TRY_CTX(fs::readFile(f), "reading --configmap {}", f);
    auto cms = TRY_CTX(kubeDocuments(text, f), "{:?}", f);
    for (auto& cm : cms) {
      if (cm.value("kind", "") != "ConfigMap")
        return makeError(Code::kInvalidArgument, "{:?}: invalid YAML kind: {:?}. [ConfigMap] is the only supported by --configmap",
                         f, cm.value("kind", ""));
      std::string name = cm.contains("metadata") && cm["metadata"].is_object() ? cm["metadata"].value("name", "") : "";
      if (in_yaml.count(name))
        return makeError(Code::kInvalidArgument,
                         "ambiguous configuration: the same config map {} is present in YAML and in --configmaps {} file", name, f);
      extra.push_back(std::move(cm));
    }
  }
  docs.insert(docs.begin(), extra.begin(), extra.end());
  return Player(e_, req).run(docs);
}

Result<api::KubeDownReport> LocalKubeService::down(const std::string& text, const std::string& source, bool force) {
  auto docs = TRY(kubeDocuments(text, source));
  std::vector<std::string> pods, volumes, secrets;
  for (auto& d : docs) {
    std::string kind = d.value("kind", "");
    std::string name = d.contains("metadata") && d["metadata"].is_object() ? d["metadata"].value("name", "") : "";
    if (kind == "Pod") {
      pods.push_back(name);
    } else if (kind == "Deployment") {
      int64_t replicas = 1;
      if (d.contains("spec") && d["spec"].is_object() && d["spec"].contains("replicas") &&
          d["spec"]["replicas"].is_number_integer())
        replicas = std::clamp<int64_t>(d["spec"]["replicas"].get<int64_t>(), 0, 1000);
      for (int64_t i = 0; i < replicas; ++i) pods.push_back(fmt::format("{}-pod-{}", name, i));
    } else if (kind == "PersistentVolumeClaim") {
      volumes.push_back(name);
    } else if (kind == "Secret") {
      secrets.push_back(name);
    }
  }
  api::KubeDownReport out;
  std::vector<std::string> existing;
  for (auto& p : pods)
    if (TRY(e_.pods().exists(p))) existing.push_back(p);
  if (!existing.empty()) {
    api::PodStopRequest sr;
    sr.names = existing;
    sr.ignore = true;
    sr.timeout = 0;  // as podman's kube down: no grace period
    for (auto& r : TRY(e_.pods().stop(sr)))
      if (!r.error) out.stopped_pods.push_back(r.id);
    api::PodRemoveRequest rr;
    rr.names = existing;
    rr.force = true;
    rr.ignore = true;
    rr.timeout = 0;
    for (auto& r : TRY(e_.pods().remove(rr))) {
      if (r.error) return *r.error;
      out.removed_pods.push_back(r.id);
    }
  }
  for (auto& s : secrets)
    if (TRY(e_.secrets().exists(s)))
      for (auto& r : TRY(e_.secrets().remove({s}, false)))
        if (!r.error) out.removed_secrets.push_back(r.id);
  if (force && !volumes.empty()) {
    api::VolumeRemoveRequest vr;
    for (auto& v : volumes)
      if (TRY(e_.volumes().exists(v))) vr.names.push_back(v);
    vr.force = true;
    if (!vr.names.empty())
      for (auto& r : TRY(e_.volumes().remove(vr))) {
        if (r.error) return *r.error;
        out.removed_volumes.push_back(r.name);
      }
  }
  return out;
}

}  // namespace berth::engine
