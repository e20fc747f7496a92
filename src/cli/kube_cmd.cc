// Kubernetes YAML: kube generate, kube play, kube down and their old spellings generate kube
// and play kube.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "api/client/services.h"
#include "base/fs.h"
#include "cli/commands.h"
#include "cli/container_cmds.h"
#include "cli/context.h"
#include "cli/create_flags.h"
#include "cli/progress.h"
#include "cli/registry_flags.h"
#include "engine/build.h"
#include "engine/engine.h"
#include "engine/kube_service.h"
#include "registry/http.h"

namespace berth::cli {

namespace {

Result<api::KubeService*> kubeService(Context& ctx) {
  if (ctx.remote()) {
    auto* conn = dynamic_cast<bindings::Connection*>(TRY(ctx.engine()));
    if (!conn) return makeError(Code::kInternal, "remote mode without a connection");
    static std::unique_ptr<api::client::RemoteKube> remote;
    remote = std::make_unique<api::client::RemoteKube>(*conn);
    return remote.get();
  }
  return &TRY(ctx.localEngine())->kube();
}

constexpr size_t kMaxKubeFile = 16 << 20;

// The YAML named by `arg`: "-" for stdin, an http(s) URL, or a file.
Result<std::string> readKubeFile(const std::string& arg) {
  if (arg == "-") {
    auto data = TRY_CTX(fs::readAll(0), "reading YAML from stdin");
    if (data.size() > kMaxKubeFile) return makeError(Code::kInvalidArgument, "YAML from stdin: larger than {} bytes", kMaxKubeFile);
    return data;
  }
  if (arg.starts_with("http://") || arg.starts_with("https://")) {
    registry::HttpClient client(registry::TlsOptions{}, "berth");
    registry::HttpRequest req;
    req.url = arg;
    auto resp = TRY_CTX(client.perform(req), "fetching {}", arg);
    if (resp.status != 200) return makeError(Code::kNotFound, "fetching {}: HTTP status {}", arg, resp.status);
    if (resp.body.size() > kMaxKubeFile) return makeError(Code::kInvalidArgument, "{}: larger than {} bytes", arg, kMaxKubeFile);
    return resp.body;
  }
  auto data = fs::readFile(arg);
  if (!data.ok()) return std::move(data).error();
  if (data->size() > kMaxKubeFile) return makeError(Code::kInvalidArgument, "{}: larger than {} bytes", arg, kMaxKubeFile);
  return std::move(*data);
}

// --- generate ---------------------------------------------------------------------------

std::unique_ptr<Command> generateCommand(const std::string& use_path) {
  struct O {
    std::string file, type = "pod";
    bool service = false;
    int replicas = 1;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>(use_path + " [options] {CONTAINER...|POD...|VOLUME...}",
                                     "Generate Kubernetes YAML from containers, pods or volumes.");
  c->args(1, -1)
      .description("Command generates Kubernetes Pod, Service or PersistenVolumeClaim YAML (v1 specification) from "
                   "Podman containers, pods or volumes.\n\n  Whether the input is for a container or pod, Podman will "
                   "always generate the specification as a pod.")
      .example("podman kube generate ctrID\n  podman kube generate podID\n  podman kube generate --service podID\n"
               "  podman kube generate volumeName\n  podman kube generate ctrID podID volumeName --service")
      .flag("filename", 'f', &o->file, "Write output to the specified path")
      .flag("service", 's', &o->service, "Generate YAML for a Kubernetes service object")
      .flag("type", 't', &o->type, "Generate YAML for the given Kubernetes kind")
      .flag("replicas", 'r', &o->replicas, "Set the replica number for Deployment kind");
  c->run(orFail([o](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
    api::KubeGenerateRequest req;
    req.names = args;
    req.service = o->service;
    req.type = o->type;
    req.replicas = o->replicas;
    auto* svc = TRY(kubeService(ctx));
    std::string text = TRY(svc->generate(req));
    if (!o->file.empty()) {
      if (fs::exists(o->file)) return makeError(Code::kAlreadyExists, "cannot write to {:?}; file exists", o->file);
      TRY_CTX(fs::writeFileAtomic(o->file, text), "writing {}", o->file);
      return 0;
    }
    ctx.out(text + "\n");
    return 0;
  }));
  return c;
}

// --- down -------------------------------------------------------------------------------

int printDown(Context& ctx, const api::KubeDownReport& r) {
  ctx.out("Pods stopped:\n");
  for (auto& id : r.stopped_pods) ctx.out(id + "\n");
  ctx.out("Pods removed:\n");
  for (auto& id : r.removed_pods) ctx.out(id + "\n");
  if (!r.removed_secrets.empty()) {
    ctx.out("Secrets removed:\n");
    for (auto& id : r.removed_secrets) ctx.out(id + "\n");
  }
  if (!r.removed_volumes.empty()) {
    ctx.out("Volumes removed:\n");
    for (auto& v : r.removed_volumes) ctx.out(v + "\n");
  }
  return 0;
}

std::unique_ptr<Command> downCommand() {
  auto force = std::make_shared<bool>(false);
  auto c = std::make_unique<Command>("down [options] KUBEFILE|-", "Remove pods based on Kubernetes YAML.");
  c->args(1, 1)
      .description("Reads in a structured file of Kubernetes YAML.\n\n  Removes pods that have been based on the "
                   "Kubernetes kind described in the YAML.")
      .example("podman kube down nginx.yml\n   cat nginx.yml | podman kube down -\n   podman kube down "
               "https://example.com/nginx.yml")
      .flag("force", 0, force.get(), "remove volumes");
  c->run(orFail([force](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
    std::string yaml = TRY(readKubeFile(args[0]));
    auto* svc = TRY(kubeService(ctx));
    auto r = TRY(svc->down(yaml, args[0], *force));
    return printDown(ctx, r);
  }));
  return c;
}

// --- play -------------------------------------------------------------------------------

std::unique_ptr<Command> playCommand(const std::string& use_path, bool hidden) {
  struct O {
    std::vector<std::string> annotations, macs, networks, ips, log_opts, configmaps;
    AccessFlags access;
    std::string log_driver, userns, seccomp_root, context_dir, signature_policy;
    bool no_hosts = false, quiet = false, start = true, down = false, replace = false;
    bool build = false, service_container = false;
  };
  auto o = std::make_shared<O>();
  if (const char* u = std::getenv("PODMAN_USERNS")) o->userns = u;
  auto c = std::make_unique<Command>(use_path + " [options] KUBEFILE|-", "Play a pod or volume based on Kubernetes YAML.");
  Command* self = c.get();
  c->args(1, 1)
      .description("Creates pods or volumes based on Kubernetes kind described in the YAML. Supported kinds are Pods, "
                   "Deployments and PersistentVolumeClaims.")
      .example("podman kube play nginx.yml\n  cat nginx.yml | podman kube play -\n  podman kube play --creds "
               "user:password --seccomp-profile-root /custom/path apache.yml\n  podman kube play "
               "https://example.com/nginx.yml")
      .sliceFlag("annotation", 0, &o->annotations, "Add annotations to pods (key=value)")
      .sliceFlag("mac-address", 0, &o->macs, "Static MAC addresses to assign to the pods")
      .flag("network", 0, &o->networks, "Connect pod to network(s) or network mode")
      .sliceFlag("ip", 0, &o->ips, "Static IP addresses to assign to the pods")
      .flag("log-driver", 0, &o->log_driver, "Logging driver for the container")
      .sliceFlag("log-opt", 0, &o->log_opts, "Logging driver options")
      .flag("userns", 0, &o->userns, "User namespace to use")
      .flag("no-hosts", 0, &o->no_hosts,
            "Do not create /etc/hosts within the pod's containers, instead use the version from the image")
      .flag("quiet", 'q', &o->quiet, "Suppress output information when pulling images")
      .flag("start", 0, &o->start, "Start the pod after creating it")
      .hiddenFlag("down", &o->down)
      .flag("replace", 0, &o->replace, "Delete and recreate pods defined in the YAML file")
      .flag("seccomp-profile-root", 0, &o->seccomp_root, "Directory path for seccomp profiles")
      .sliceFlag("configmap", 0, &o->configmaps, "Pathname of a YAML file containing a kubernetes configmap")
      .flag("build", 0, &o->build, "Build all images in a YAML (given Containerfiles exist)")
      .flag("context-dir", 0, &o->context_dir, "Path to top level of context directory")
      .hiddenFlag("service-container", &o->service_container)
      .hiddenFlag("signature-policy", &o->signature_policy);
  addAccessFlags(*c, o->access);
  if (hidden) c->hidden();
  c->run(orFail([o, self](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
    if (!o->access.authfile.empty() && !fs::exists(o->access.authfile))
      return makeError(Code::kNotFound, "stat {}: no such file or directory", o->access.authfile);
    if (!o->context_dir.empty() && !o->build)
      return makeError(Code::kInvalidArgument, "--build must be specified when using --context-dir option");
    if (o->service_container && ctx.remote())
      return makeError(Code::kInvalidArgument, "the service container is only supported locally, not with --remote");
    api::KubePlayRequest req;
    for (auto& a : o->annotations) {
      auto eq = a.find('=');
      if (eq == std::string::npos) return makeError(Code::kInvalidArgument, "annotation {:?} must include an '=' sign", a);
      std::string v = a.substr(eq + 1);
      if (v.size() > engine::kMaxKubeAnnotation)
        return makeError(Code::kInvalidArgument, "annotation exceeds maximum size, {}, of kubernetes annotation: {}",
                         engine::kMaxKubeAnnotation, v);
      req.annotations[a.substr(0, eq)] = v;
    }
    if (!o->networks.empty()) {
      CreateOpts net;
      net.network = o->networks;
      req.network = TRY(networkConfig(net));
    }
    req.static_ips = o->ips;
    req.static_macs = o->macs;
    req.configmap_files = o->configmaps;
    req.log_driver = o->log_driver;
    req.log_options = o->log_opts;
    req.userns = o->userns;
    req.seccomp_profile_root = o->seccomp_root;
    req.no_hosts = o->no_hosts;
    req.quiet = o->quiet;
    req.start = o->start;
    req.service_container = o->service_container;
    req.source = args[0];
    req.yaml = TRY(readKubeFile(args[0]));
    auto* svc = TRY(kubeService(ctx));
    api::RegistryAccess reg_access = access(o->access, *self);
    // Remotely the service pulls what is missing (and builds nothing).
    engine::Engine* eng = ctx.remote() ? nullptr : TRY(ctx.localEngine());
    ProgressRenderer progress(o->quiet);
    if (eng) req.ensure_image = [&, eng](const std::string& image, const std::string& policy) -> Result<std::string> {
      // An image whose last name component is a directory of the context (--context-dir, else
      // the working directory) with a Containerfile or Dockerfile is built there: always with
      // --build, when missing without it, never with --build=false.
      auto build = [&](bool have) -> Result<std::optional<std::string>> {
        if (self->changed("build") && !o->build) return std::nullopt;
        std::string base = image.substr(image.rfind('/') == std::string::npos ? 0 : image.rfind('/') + 1);
        base = base.substr(0, base.find_first_of(":@"));
        std::string dir = (o->context_dir.empty() ? std::string(".") : o->context_dir) + "/" + base;
        std::string file;
        for (const char* n : {"/Containerfile", "/Dockerfile"})
          if (!base.empty() && fs::exists(dir + n)) {
            file = dir + n;
            break;
          }
        if (file.empty() || (!o->build && have)) return std::nullopt;
        engine::BuildRequest br;
        br.containerfile = TRY(fs::readFile(file));
        br.containerfile_name = file;
        br.context_dir = dir;
        br.tags = {image};
        br.quiet = o->quiet;
        br.access = reg_access;
        br.run_template = TRY(buildSpec(CreateOpts{}, {"scratch"}, {}));
        br.out = [&ctx](std::string_view s) { ctx.out(s); };
        engine::BuildResult res;
        auto built = engine::build(*eng, br, res);
        if (!built.ok()) return std::move(built).error().context(fmt::format("building {} from {}", image, file));
        return std::optional<std::string>(image);
      };
      api::ImagePullRequest pr;
      pr.progress = progress.fn();
      pr.access = reg_access;
      return engine::kubeImage(eng->images(), image, policy, pr, build);
    };
    if (o->down) return printDown(ctx, TRY(svc->down(req.yaml, req.source, false)));
    if (o->replace) (void)TRY(svc->down(req.yaml, req.source, false));
    auto r = TRY(svc->play(req));
    if (!r.volumes.empty()) {
      ctx.out("Volumes:\n");
      for (auto& v : r.volumes) ctx.out(v + "\n");
    }
    size_t failed = 0;
    for (auto& p : r.pods) {
      ctx.out("Pod:\n" + p.id + "\n");
      if (p.containers.empty()) continue;
      ctx.out(p.containers.size() == 1 ? "Container:\n" : "Containers:\n");
      for (auto& id : p.containers) ctx.out(id + "\n");
      failed += p.container_errors.size();
      if (!p.container_errors.empty()) ctx.out("\n");
      for (auto& e : p.container_errors) ctx.err(e + "\n");
      ctx.out("\n");
    }
    if (failed) return makeError(Code::kInternal, "failed to start {} containers", failed);
    return 0;
  }));
  return c;
}

}  // namespace

void addKubeCommands(Command& root) {
  auto k = std::make_unique<Command>("kube", "Play containers, pods or volumes from a structured file");
  k->description("Play structured data (e.g., Kubernetes YAML) based on containers, pods or volumes.");
  k->add(playCommand("play", false));
  k->add(downCommand());
  k->add(generateCommand("generate"));
  root.add(std::move(k));

  auto g = std::make_unique<Command>("generate", "Generate structured data based on containers, pods or volumes");
  g->description("Generate structured data (e.g., Kubernetes YAML or systemd units) based on containers, pods or volumes.");
  g->add(generateCommand("kube"));
  root.add(std::move(g));

  auto p = std::make_unique<Command>("play", "Play containers, pods or volumes from a structured file");
  p->description("Play structured data (e.g., Kubernetes YAML) based on containers, pods or volumes.").hidden();
  p->add(playCommand("kube", true));
  root.add(std::move(p));
}

}  // namespace berth::cli
