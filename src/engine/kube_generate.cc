// kube generate: pods, containers and volumes as Kubernetes YAML, field for field as podman
// 4.3.1 writes it (libpod/kube.go, abi/generate.go).
#include <sys/stat.h>

#include <algorithm>
#include <random>
#include <set>

#include "base/fs.h"
#include "base/json_access.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "base/utf8.h"
#include "base/yaml.h"
#include "engine/container_service.h"
#include "engine/engine.h"
#include "engine/kube_service.h"
#include "runtime/seccomp_bpf.h"
#include "engine/pod_service.h"
#include "engine/rootfs_files.h"
#include "engine/system_service.h"
#include "runtime/seccomp_bpf.h"
#include "specgen/caps.h"
#include "specgen/user.h"
#include "state/containers.h"
#include "state/pods.h"

namespace berth::engine {

std::string kubeName(std::string name) {
  std::erase(name, '_');
  return name;
}

namespace {

// runtime-tools' generate.New("linux") capability set: what podman's YAML states drops and
// adds against (not containers.conf's defaults).
const std::vector<std::string>& runtimeToolsCaps() {
  static const std::vector<std::string> caps = {
      "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
      "CAP_NET_RAW", "CAP_SETGID",       "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"};
  return caps;
}

// podman's TruncateKubeAnnotation: trimmed, at most 63 characters (with a warning).
std::string truncateAnnotation(std::string v) {
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.erase(v.begin());
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
  if (runeCount(v) < kMaxKubeAnnotation) return v;
  std::string cut;
  for (size_t i = 0, n = 0; i < v.size() && n < kMaxKubeAnnotation; ++n) {
    auto r = decodeRune(v, i);
    cut.append(v, i, r.size);
    i += r.size;
  }
  LOG_WARN("Truncation Annotation: {:?} to {:?}: Kubernetes only allows {} characters", v, cut, kMaxKubeAnnotation);
  return cut;
}

// OCI config.json of a container (its annotations, caps and env), {} when not written yet.
Json ociConfig(Engine& e, const state::ContainerRecord& rec) {
  auto inspect = e.containers().inspect(rec.id, false);
  if (!inspect.ok()) return Json::object();
  auto path = json::optString(*inspect, "OCIConfigPath", "").valueOr("");
  auto text = fs::readFile(path);
  if (!text.ok()) return Json::object();
  Json j = Json::parse(*text, nullptr, false);
  return j.is_object() ? j : Json::object();
}

struct DnsInfo {
  std::vector<std::string> servers, searches;
  Json options = Json::array();
};

struct KubeCtr {
  Json ctr;                  // v1.Container
  std::vector<Json> volumes;  // v1.Volume
  DnsInfo dns;
  std::map<std::string, std::string> bind_labels;  // source -> z/Z
  bool init = false;
  int64_t created = 0;
};

Json portsOf(const std::vector<api::PortMapping>& pms) {
  Json out = Json::array();
  for (auto& p : pms) {
    for (auto& proto : splitProtocols(p.protocol)) {
      uint16_t n = p.range > 1 ? p.range : 1;
      for (uint16_t i = 0; i < n; ++i) {
        Json cp = {{"containerPort", p.container_port + i}};
        if (p.host_port) cp["hostPort"] = p.host_port + i;
        if (!p.host_ip.empty()) cp["hostIP"] = p.host_ip;
        if (proto == "udp") cp["protocol"] = "UDP";
        else if (proto == "sctp") cp["protocol"] = "SCTP";
        out.push_back(cp);
      }
    }
  }
  return out;
}

// The user's uid and gid as the container resolves it (its own passwd and group files).
Result<std::pair<int64_t, int64_t>> containerUser(Engine& e, const state::ContainerRecord& rec, const std::string& user) {
  std::string rootfs = TRY_CTX(e.containers().mount(rec.id), "mounting {} to look up user {}", rec.name, user);
  auto files = readUserFiles(rootfs);
  (void)e.containers().unmount(rec.id, false);
  auto f = TRY(std::move(files));
  auto u = TRY(specgen::resolveUser(user, f.passwd, f.group));
  return std::pair<int64_t, int64_t>{u.uid, u.gid};
}

std::string volumeNameFromPath(const std::string& src) {
  if (src == "/") return "root";
  std::string s = src;
  while (!s.empty() && s.front() == '/') s.erase(s.begin());
  while (!s.empty() && s.back() == '/') s.pop_back();
  std::replace(s.begin(), s.end(), '/', '-');
  return s;
}

Result<KubeCtr> containerToKube(Engine& e, const state::ContainerRecord& rec) {
  KubeCtr out;
  out.created = rec.created;
  const api::SpecGenerator spec = storedSpec(rec.config);
  out.init = !spec.init_container_type.empty();
  Json oci = ociConfig(e, rec);
  const Json& ic = rec.config.contains("image_config") && rec.config["image_config"].is_object()
                       ? rec.config["image_config"]
                       : Json::object();
  auto img_cmd = json::optStrings(ic, "Cmd", "").valueOr({});
  auto img_ep = json::optStrings(ic, "Entrypoint", "").valueOr({});
  auto img_env = json::optStrings(ic, "Env", "").valueOr({});
  std::string img_user = json::optString(ic, "User", "").valueOr("");
  std::string img_wd = json::optString(ic, "WorkingDir", "").valueOr("");

  Json c = Json::object();
  bool privileged = spec.privileged.value_or(false);
  if (!privileged && !spec.devices.empty())
    return makeError(Code::kUnimplemented, "linux devices: not implemented");

  // Volumes: binds and tmpfs mounts (by destination, numbered), then named volumes.
  Json vms = Json::array();
  std::vector<api::Mount> mounts;
  for (auto& m : spec.mounts)
    if (m.type == "bind" || m.type == "tmpfs") mounts.push_back(m);
  std::stable_sort(mounts.begin(), mounts.end(), [](auto& a, auto& b) { return a.destination < b.destination; });
  for (size_t i = 0; i < mounts.size(); ++i) {
    const auto& m = mounts[i];
    std::string src = m.type == "tmpfs" && m.source.empty() ? "tmpfs" : m.source;
    for (auto& o : m.options)
      if (o == "z" || o == "Z") {
        out.bind_labels[src] = o;
        break;
      }
    if (src.empty()) return makeError(Code::kInvalidArgument, "hostSourcePath must be specified to generate volume name");
    std::string name = volumeNameFromPath(src) + "-host-" + std::to_string(i);
    Json vm = {{"mountPath", m.destination}, {"name", name}};
    if (std::find(m.options.begin(), m.options.end(), "ro") != m.options.end()) vm["readOnly"] = true;
    vms.push_back(vm);
    struct stat st{};
    std::string type = ::stat(src.c_str(), &st) != 0 ? "DirectoryOrCreate" : S_ISDIR(st.st_mode) ? "Directory" : "File";
    out.volumes.push_back({{"hostPath", {{"path", src}, {"type", type}}}, {"name", name}});
  }
  for (auto& v : spec.volumes) {
    if (v.name.empty()) continue;
    bool ro = std::find(v.options.begin(), v.options.end(), "ro") != v.options.end();
    std::string name = v.name + "-pvc";
    Json vm = {{"mountPath", v.dest}, {"name", name}};
    if (ro) vm["readOnly"] = true;
    vms.push_back(vm);
    Json pvc = {{"claimName", v.name}};
    if (ro) pvc["readOnly"] = true;
    out.volumes.push_back({{"name", name}, {"persistentVolumeClaim", pvc}});
  }
  if (!vms.empty()) c["volumeMounts"] = vms;

  // Command and arguments: the image's own are left out.
  std::vector<std::string> ep = !spec.entrypoint.empty() ? spec.entrypoint : img_ep;
  std::vector<std::string> cmd = !spec.command.empty() ? spec.command : img_cmd;
  std::vector<std::string> command, args;
  if (!ep.empty()) command = ep, args = cmd;
  else command = cmd;
  if (command == img_cmd || command == img_ep) command.clear();
  if (!command.empty()) c["command"] = command;
  if (!args.empty()) c["args"] = args;
  c["name"] = kubeName(rec.name);
  c["image"] = rec.config.value("image_name", "");
  if (rec.config.value("stdin", false)) c["stdin"] = true;
  if (rec.config.value("tty", false)) c["tty"] = true;
  std::string wd = spec.work_dir.empty() ? (img_wd.empty() ? "/" : img_wd) : spec.work_dir;
  if (wd != "/" && wd != img_wd) c["workingDir"] = wd;

  // Environment: what neither podman's defaults nor the image set.
  std::map<std::string, std::string> image_env;
  for (auto& kv : img_env) {
    auto eq = kv.find('=');
    if (eq != std::string::npos) image_env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  Json env = Json::array();
  auto oci_env = json::optStrings(oci.value("process", Json::object()), "env", "").valueOr({});
  for (auto& kv : oci_env) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    std::string k = kv.substr(0, eq), v = kv.substr(eq + 1);
    if (k == "HOSTNAME") continue;  // berth writes it into the spec; podman adds it at run time
    if ((k == "PATH" && v == "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") ||
        (k == "container" && v == "podman"))
      continue;
    if (auto it = image_env.find(k); it != image_env.end() && it->second == v) continue;
    env.push_back({{"name", k}, {"value", v}});
  }
  if (oci_env.empty())  // not started yet: the environment the user gave
    for (auto& [k, v] : spec.env)
      if (auto it = image_env.find(k); it == image_env.end() || it->second != v) env.push_back({{"name", k}, {"value", v}});
  if (!env.empty()) c["env"] = env;
  Json ports = portsOf(spec.portmappings);
  if (!ports.empty()) c["ports"] = ports;

  // Security context.
  Json sc = Json::object();
  if (!privileged) {
    std::vector<std::string> have;
    const Json caps = oci.value("process", Json::object()).value("capabilities", Json::object());
    for (const char* set : {"ambient", "bounding", "effective", "inheritable", "permitted"})
      for (auto& cap : json::optStrings(caps, set, "").valueOr({})) have.push_back(cap);
    if (caps.empty()) {  // not started yet: no config.json, so the caps as create will compute them
      std::vector<std::string> adds, drops;
      for (auto& a : spec.cap_add) adds.push_back(specgen::normalizeCapability(a).valueOr(a));
      for (auto& d : spec.cap_drop) drops.push_back(specgen::normalizeCapability(d).valueOr(d));
      auto all = specgen::currentBoundingSet().valueOr(specgen::defaultCapabilities());
      have = specgen::mergeCapabilities(specgen::defaultCapabilities(), adds, drops, all).valueOr(specgen::defaultCapabilities());
    }
    Json add = Json::array(), drop = Json::array();
    std::set<std::string> seen_add, seen_drop;
    for (auto& d : runtimeToolsCaps())
      if (std::find(have.begin(), have.end(), d) == have.end() && seen_drop.insert(d).second) drop.push_back(d);
    for (auto& h : have)
      if (std::find(runtimeToolsCaps().begin(), runtimeToolsCaps().end(), h) == runtimeToolsCaps().end() &&
          seen_add.insert(h).second)
        add.push_back(h);
    Json cj = Json::object();
    if (!add.empty()) cj["add"] = add;
    if (!drop.empty()) cj["drop"] = drop;
    sc["capabilities"] = cj;
  } else {
    sc["privileged"] = true;
  }
  if (spec.no_new_privileges.value_or(false)) sc["allowPrivilegeEscalation"] = false;
  if (spec.read_only_filesystem.value_or(false)) sc["readOnlyRootFilesystem"] = true;
  for (auto& o : spec.selinux_opts) {
    auto colon = o.find(':');
    if (o == "disable") sc["seLinuxOptions"] = {{"type", "spc_t"}};
    else if (colon != std::string::npos && (o.substr(0, colon) == "type" || o.substr(0, colon) == "level"))
      sc["seLinuxOptions"] = {{o.substr(0, colon), o.substr(colon + 1)}};
  }
  std::string user = spec.user.empty() ? img_user : spec.user;
  if (!user.empty() && user != img_user) {
    auto ug = TRY(containerUser(e, rec, user));
    sc["runAsUser"] = ug.first;
    sc["runAsGroup"] = ug.second;
  }
  c["securityContext"] = sc;

  // Resources.
  Json limits = Json::object();
  if (spec.resource_limits) {
    const auto& r = *spec.resource_limits;
    if (r.memory && r.memory->limit) limits["memory"] = std::to_string(*r.memory->limit);
    if (r.cpu && r.cpu->quota && r.cpu->period && *r.cpu->quota > 0 && *r.cpu->period > 0) {
      int64_t milli = int64_t(1000.0 * double(*r.cpu->quota) / double(*r.cpu->period));
      if (milli >= 1) limits["cpu"] = milli % 1000 == 0 ? std::to_string(milli / 1000) : std::to_string(milli) + "m";
    }
  }
  c["resources"] = limits.empty() ? Json::object() : Json{{"limits", limits}};

  out.dns.servers = spec.dns_server;
  out.dns.searches = spec.dns_search;
  for (auto& o : spec.dns_option) {
    auto colon = o.find(':');
    Json oj = {{"name", o.substr(0, colon)}};
    if (colon != std::string::npos) oj["value"] = o.substr(colon + 1);
    out.dns.options.push_back(oj);
  }
  out.ctr = std::move(c);
  return out;
}

// The pod annotations of one container: its OCI annotations (podman's own, the user's) keyed
// "KEY/NAME", and its auto-update labels.
void addAnnotations(Json& anns, const state::ContainerRecord& rec, const Json& oci, const std::string& sandbox) {
  std::string name = kubeName(rec.name);
  std::map<std::string, std::string> a;
  const Json oci_anns = oci.value("annotations", Json::object());
  for (auto& [k, v] : oci_anns.items())
    if (v.is_string() && k != "io.container.manager" && k != "org.opencontainers.image.stopSignal" &&
        k != "run.oci.keep_original_groups" && k != runtime::kSeccompBpfAnnotation)
      a[k] = v.get<std::string>();
  if (oci_anns.empty()) {  // not started yet: the annotations create writes
    const api::SpecGenerator sp = storedSpec(rec.config);
    auto tf = [](bool b) { return std::string(b ? "TRUE" : "FALSE"); };
    for (auto& [k, v] : sp.annotations) a[k] = v;
    a["io.kubernetes.cri-o.TTY"] = rec.config.value("tty", false) ? "true" : "false";
    a["io.podman.annotations.autoremove"] = tf(sp.remove.value_or(false));
    a["io.podman.annotations.init"] = tf(sp.init.value_or(false));
    a["io.podman.annotations.privileged"] = tf(sp.privileged.value_or(false));
    a["io.podman.annotations.publish-all"] = tf(sp.publish_image_ports.value_or(false));
  }
  if (!sandbox.empty()) {
    a["io.kubernetes.cri-o.ContainerType"] = "container";
    a["io.kubernetes.cri-o.SandboxID"] = sandbox;
  }
  for (auto& [k, v] : a) anns[k + "/" + name] = truncateAnnotation(v);
  const api::SpecGenerator spec = storedSpec(rec.config);
  for (auto& [k, v] : spec.labels)
    if (k.find("io.containers.autoupdate") != std::string::npos) anns[k + "/" + name] = truncateAnnotation(v);
}

std::string now() {
  int64_t ns = nowNanos();
  return formatRfc3339Nano(ns - ns % 1000000000);
}

Json podObject(const std::string& name, const Json& annotations, const Json& init_ctrs, const Json& ctrs,
               const Json& volumes, const DnsInfo& dns, bool host_network, const std::string& hostname) {
  Json meta = {{"creationTimestamp", now()}, {"labels", {{"app", kubeName(name)}}}, {"name", name}};
  if (!annotations.empty()) meta["annotations"] = annotations;
  Json spec = {{"automountServiceAccountToken", false}, {"containers", ctrs}, {"enableServiceLinks", false}};
  if (!hostname.empty()) spec["hostname"] = hostname;
  if (host_network) spec["hostNetwork"] = true;
  if (!init_ctrs.empty()) spec["initContainers"] = init_ctrs;
  if (!volumes.empty()) spec["volumes"] = volumes;
  if (!dns.servers.empty() || !dns.searches.empty() || !dns.options.empty()) {
    Json d = Json::object();
    if (!dns.servers.empty()) d["nameservers"] = dns.servers;
    if (!dns.searches.empty()) d["searches"] = dns.searches;
    if (!dns.options.empty()) d["options"] = dns.options;
    spec["dnsConfig"] = d;
  }
  return {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", meta}, {"spec", spec}};
}

class NodePorts {
 public:
  NodePorts() : rng_(std::random_device{}()) {}
  Result<Json> servicePorts(const Json& container_ports) {
    Json out = Json::array();
    for (auto& cp : container_ports) {
      int port = 0;
      for (int attempt = 0;; ++attempt) {
        if (attempt >= 100) return makeError(Code::kInternal, "too many attempts trying to generate a unique NodePort number");
        port = 30000 + int(rng_() % (32767 - 30000 + 1));
        if (used_.insert(port).second) break;
      }
      int cport = cp.value("containerPort", 0);
      Json sp = {{"name", std::to_string(cport)}, {"nodePort", port}, {"port", cport}, {"targetPort", cport}};
      if (cp.contains("protocol")) sp["protocol"] = cp["protocol"];
      out.push_back(sp);
    }
    return out;
  }

 private:
  std::mt19937 rng_;
  std::set<int> used_;
};

Json serviceObject(const Json& pod, const Json& ports) {
  Json meta = pod["metadata"];
  meta.erase("annotations");
  std::string app = pod["metadata"]["labels"].value("app", "");
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", meta},
          {"spec", {{"ports", ports}, {"selector", {{"app", app}}}, {"type", "NodePort"}}}};
}

Json deploymentObject(const Json& pod, int replicas) {
  std::string name = pod["metadata"].value("name", "");
  Json tmeta = pod["metadata"];
  tmeta.erase("name");
  tmeta["creationTimestamp"] = nullptr;
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"creationTimestamp", now()}, {"labels", {{"app", name}}}, {"name", name + "-deployment"}}},
          {"spec",
           {{"replicas", replicas},
            {"selector", {{"matchLabels", {{"app", name}}}}},
            {"template", {{"metadata", tmeta}, {"spec", pod["spec"]}}}}}};
}

std::string restartPolicy(const std::string& p) {
  if (p == "always") return "Always";
  if (p == "on-failure") return "OnFailure";
  return "Never";
}

// What a container's hostname says when it was set (not the default short ID).
std::string setHostname(Engine& e, const state::ContainerRecord& rec) {
  auto j = e.containers().inspect(rec.id, false);
  if (!j.ok()) return "";
  std::string h = (*j)["Config"].value("Hostname", "");
  return !h.empty() && rec.id.find(h) == std::string::npos ? h : "";
}

}  // namespace

Result<std::string> LocalKubeService::generate(const api::KubeGenerateRequest& req) {
  if (req.names.empty()) return makeError(Code::kInvalidArgument, "you must provide at least one container, pod or volume name or id");
  if (req.type != "pod" && req.type != "deployment")
    return makeError(Code::kInvalidArgument, "invalid type given, only supported types are pod and deployment");
  std::vector<state::ContainerRecord> ctrs;
  std::vector<state::PodRecord> pods;
  std::vector<api::Volume> vols;
  bool default_ns = true;
  auto& podsvc = static_cast<LocalPodService&>(e_.pods());
  for (auto& n : req.names) {
    if (auto c = state::findContainer(e_.db(), n); c.ok()) {
      auto pod = storedSpec(c->config).pod;
      if (!pod.empty())
        return makeError(Code::kInvalidArgument, "container {} is associated with pod {}: use generate on the pod itself",
                         c->id, pod);
      ctrs.push_back(std::move(*c));
      continue;
    } else if (c.error().code() != Code::kNotFound) {
      return std::move(c).error();
    }
    if (auto p = podsvc.find(n); p.ok()) {
      auto shared = json::optStrings(p->config, "shared", "").valueOr({});
      for (const char* ns : {"ipc", "net", "uts"})
        if (std::find(shared.begin(), shared.end(), ns) == shared.end()) default_ns = false;
      pods.push_back(std::move(*p));
      continue;
    } else if (p.error().code() != Code::kNotFound) {
      return std::move(p).error();
    }
    if (auto v = e_.volumes().inspect(n); v.ok()) {
      vols.push_back(std::move(*v));
      continue;
    } else if (v.error().code() != Code::kNotFound) {
      return std::move(v).error();
    }
    return makeError(Code::kNotFound, "name or ID {:?} not found", n);
  }

  std::vector<std::string> content, pod_content;
  NodePorts node_ports;
  auto asPod = [&](const Json& pod) { return req.type == "deployment" ? deploymentObject(pod, req.replicas) : pod; };
  if (!default_ns)
    content.push_back(
        "\n# NOTE: The namespace sharing for a pod has been modified by the user and is not the same as the\n"
        "# default settings for kubernetes. This can lead to unexpected behavior when running the generated\n"
        "# kube yaml in a kubernetes cluster.\n");
  for (auto& v : vols) {
    Json anns = {{"volume.podman.io/driver", v.driver}};
    for (auto& [k, val] : v.options) {
      if (k == "o") anns["volume.podman.io/mount-options"] = val;
      else if (k == "device") anns["volume.podman.io/device"] = val;
      else if (k == "type") anns["volume.podman.io/type"] = val;
      else if (k == "UID" || k == "uid") anns["volume.podman.io/uid"] = val;
      else if (k == "GID" || k == "gid") anns["volume.podman.io/gid"] = val;
    }
    Json meta = {{"annotations", anns}, {"creationTimestamp", now()}, {"name", v.name}};
    if (!v.labels.empty()) meta["labels"] = v.labels;
    content.push_back(yaml::emit({{"apiVersion", "v1"},
                                  {"kind", "PersistentVolumeClaim"},
                                  {"metadata", meta},
                                  {"spec",
                                   {{"accessModes", {"ReadWriteOnce"}},
                                    {"resources", {{"requests", {{"storage", "1Gi"}}}}}}},
                                  {"status", Json::object()}}));
  }

  for (auto& p : pods) {
    auto ids = TRY(state::podMembers(e_.db(), p.id));
    std::string infra_id = p.config.value("infra_id", std::string());
    std::vector<state::ContainerRecord> members;
    std::optional<state::ContainerRecord> infra;
    for (auto& id : ids) {
      auto r = TRY(state::getContainer(e_.db(), id));
      if (!r) continue;
      if (r->id == infra_id) infra = std::move(*r);
      else members.push_back(std::move(*r));
    }
    if (members.empty() && !infra) return makeError(Code::kInvalidArgument, "pod {} has no containers", p.id);
    if (members.empty()) return makeError(Code::kInvalidArgument, "pod {} only has an infra container", p.id);
    std::stable_sort(members.begin(), members.end(), [](auto& a, auto& b) { return a.created < b.created; });
    auto shared = json::optStrings(p.config, "shared", "").valueOr({});
    bool shares_net = std::find(shared.begin(), shared.end(), "net") != shared.end();
    bool shares_pid = std::find(shared.begin(), shared.end(), "pid") != shared.end();
    Json infra_ports = Json::array();
    Json host_aliases = Json::array();
    bool host_network = false;
    DnsInfo dns;
    if (infra) {
      api::SpecGenerator ispec = storedSpec(infra->config);
      for (auto& h : ispec.hostadd) {
        auto colon = h.find(':');
        if (colon == std::string::npos) return makeError(Code::kInvalidArgument, "invalid hostAdd");
        host_aliases.push_back({{"hostnames", {h.substr(0, colon)}}, {"ip", h.substr(colon + 1)}});
      }
      infra_ports = portsOf(ispec.portmappings);
      host_network = ispec.netns.is(api::NamespaceMode::kHost);
      auto k = TRY(containerToKube(e_, *infra));
      dns = k.dns;
    }
    Json anns = Json::object(), ctrs_j = Json::array(), init_j = Json::array();
    std::map<std::string, Json> volumes;
    // The pod's hostname (members share its UTS namespace), else the first member's own.
    std::string hostname = std::find(shared.begin(), shared.end(), "uts") != shared.end()
                               ? (p.config.value("hostname", std::string()).empty() ? p.name
                                                                                    : p.config.value("hostname", std::string()))
                               : std::string();
    bool first = true;
    for (auto& m : members) {
      Json oci = ociConfig(e_, m);
      addAnnotations(anns, m, oci, infra_id);
      if (hostname.empty()) hostname = setHostname(e_, m);
      auto k = TRY(containerToKube(e_, m));
      for (auto& [src, opt] : k.bind_labels) anns["bind-mount-options"] = truncateAnnotation(src + ":" + opt);
      if (shares_net) {
        k.ctr.erase("ports");
        if (first && !infra_ports.empty() && (!k.init || members.size() == 1)) {
          k.ctr["ports"] = infra_ports;
          first = false;
        }
      }
      if (k.init) {
        init_j.push_back(k.ctr);
        continue;
      }
      ctrs_j.push_back(k.ctr);
      for (auto& v : k.volumes) volumes[v.value("name", "")] = v;
    }
    Json vols_j = Json::array();
    for (auto& [n, v] : volumes) vols_j.push_back(v);
    Json pod = podObject(p.name, anns, init_j, ctrs_j, vols_j, dns, host_network, hostname);
    pod["spec"]["restartPolicy"] = restartPolicy(storedSpec(members.front().config).restart_policy);
    if (shares_pid) pod["spec"]["shareProcessNamespace"] = true;
    pod["status"] = Json::object();
    pod_content.push_back(yaml::emit(asPod(pod)));
    if (req.service) {
      auto sp = TRY(node_ports.servicePorts(infra_ports));
      content.push_back(yaml::emit(serviceObject(pod, sp)));
    }
  }

  if (!ctrs.empty()) {
    Json anns = Json::object(), ctrs_j = Json::array(), init_j = Json::array(), vols_j = Json::array();
    DnsInfo dns;
    std::string hostname;
    bool host_network = true;
    std::vector<std::string> names;
    for (auto& c : ctrs) {
      names.push_back(kubeName(c.name));
      Json oci = ociConfig(e_, c);
      addAnnotations(anns, c, oci, "");
      if (hostname.empty()) hostname = setHostname(e_, c);
      if (!storedSpec(c.config).netns.is(api::NamespaceMode::kHost)) host_network = false;
      auto k = TRY(containerToKube(e_, c));
      for (auto& [src, opt] : k.bind_labels) anns["bind-mount-options"] = truncateAnnotation(src + ":" + opt);
      (k.init ? init_j : ctrs_j).push_back(k.ctr);
      for (auto& v : k.volumes) vols_j.push_back(v);
      for (auto& s : k.dns.servers)
        if (std::find(dns.servers.begin(), dns.servers.end(), s) == dns.servers.end()) dns.servers.push_back(s);
      for (auto& s : k.dns.searches)
        if (std::find(dns.searches.begin(), dns.searches.end(), s) == dns.searches.end()) dns.searches.push_back(s);
      for (auto& o : k.dns.options) dns.options.push_back(o);
    }
    std::string pod_name = kubeName(ctrs.front().name);
    if (std::find(names.begin(), names.end(), pod_name) != names.end()) pod_name += "-pod";
    Json pod = podObject(pod_name, anns, init_j, ctrs_j, vols_j, dns, host_network, hostname);
    // A single container's Pod (podman's ConvertV1PodToYAMLPod) leaves out empty resources.
    for (auto& c : pod["spec"]["containers"])
      if (c["resources"].empty()) c.erase("resources");
    if (!vols_j.empty())
      content.push_back(
          "\n# NOTE: If you generated this yaml from an unprivileged and rootless podman container on an SELinux\n"
          "# enabled system, check the podman generate kube man page for steps to follow to ensure that your pod/container\n"
          "# has the right permissions to access the volumes added.\n");
    pod_content.push_back(yaml::emit(asPod(pod)));
    if (req.service) {
      Json all_ports = Json::array();
      for (auto& c : pod["spec"]["containers"])
        if (c.contains("ports"))
          for (auto& p : c["ports"]) all_ports.push_back(p);
      auto sp = TRY(node_ports.servicePorts(all_ports));
      content.push_back(yaml::emit(serviceObject(pod, sp)));
    }
  }
  content.insert(content.end(), pod_content.begin(), pod_content.end());
  std::string out =
      "# Save the output of this file and use kubectl create -f to import\n"
      "# it into Kubernetes.\n"
      "#\n"
      "# Created with berth-" +
      std::string(VersionInfo::kVersion) + "\n";
  for (size_t i = 0; i < content.size(); ++i) {
    if (i) out += "---\n";
    out += content[i];
  }
  return out;
}

}  // namespace berth::engine
