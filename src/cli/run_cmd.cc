// create and run: flags -> SpecGenerator (create_flags.cc), pull policy, create, start/attach.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "base/fs.h"
#include "base/lines.h"
#include "base/log.h"
#include "cli/commands.h"
#include "cli/container_cmds.h"
#include "cli/create_flags.h"
#include "cli/progress.h"
#include "engine/container_service.h"
#include "engine/engine.h"

namespace berth::cli {

namespace {

std::vector<std::string> g_raw_argv;

// --pull: always pulls; missing pulls when the image is not stored; newer also when the
// registry's digest for the name differs from the stored image's (a registry that cannot be
// asked leaves the stored image); never never does. Returns the image name to create from.
Result<std::string> ensureImage(Context& ctx, const CreateOpts& o, const std::string& image,
                                const Command& self) {
  auto& images = TRY(ctx.engine())->images();
  // An archive transport (docker-archive:, oci-archive:) is always copied in, as podman does.
  bool archive = image.starts_with("docker-archive:") || image.starts_with("oci-archive:");
  bool have = !archive && TRY(images.exists(image));
  bool pull = archive || o.pull == "always" || (!have && o.pull != "never") || (have && o.pull == "newer");
  if (!pull) {
    if (!have) return makeError(Code::kNotFound, "{}: image not known", image);
    return image;
  }
  ProgressRenderer progress(o.quiet);
  api::ImagePullRequest pr;
  pr.reference = image;
  pr.have_tty = ctx.stdinIsTerminal() && ::isatty(2);
  pr.progress = progress.fn();
  pr.os = o.os;
  pr.arch = o.arch;
  pr.variant = o.variant;
  if (!o.platform.empty()) {  // OS/ARCH[/VARIANT], as podman's --platform
    if (!o.os.empty() || !o.arch.empty())
      return makeError(Code::kInvalidArgument, "--platform option can not be specified with --arch or --os");
    auto parts = splitFields(o.platform, '/');
    if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
      return makeError(Code::kInvalidArgument, "invalid platform syntax for --platform={:?}: use OS/ARCH[/VARIANT]",
                       o.platform);
    pr.os = std::string(parts[0]);
    pr.arch = std::string(parts[1]);
    if (parts.size() == 3) pr.variant = std::string(parts[2]);
  }
  pr.access.authfile = o.authfile;
  if (pr.access.authfile.empty())
    if (const char* e = std::getenv("REGISTRY_AUTH_FILE")) pr.access.authfile = e;
  pr.access.creds = o.creds;
  pr.access.cert_dir = o.cert_dir;
  if (self.changed("tls-verify")) pr.access.tls_verify = o.tls_verify;
  pr.if_newer = have && o.pull == "newer";
  auto pulled = images.pull(pr);
  if (!pulled.ok() && pr.if_newer) return image;  // podman: a stored image silences the error
  if (!pulled.ok()) return std::move(pulled).error();
  if (!pulled->names.empty()) return pulled->names[0];
  if (!pulled->ids.empty()) return pulled->ids[0];
  return image;
}

// The streams `run` attaches: stdin with -i, and --attach's selection.
Result<api::AttachStreams> runStreams(const CreateOpts& o) {
  api::AttachStreams streams;
  streams.in = o.interactive ? 0 : -1;
  streams.tty = o.tty;
  streams.detach_keys = o.detach_keys;
  streams.proxy_signals = o.sig_proxy;
  if (!o.attach.empty()) {
    bool in = false, out = false, err = false;
    for (auto& a : o.attach) {
      std::string l = a;
      std::transform(l.begin(), l.end(), l.begin(), ::tolower);
      if (l == "stdin") in = true;
      else if (l == "stdout") out = true;
      else if (l == "stderr") err = true;
      else
        return makeError(Code::kInvalidArgument,
                         "invalid stream {:?} for --attach - must be one of stdin, stdout, or stderr", a);
    }
    if (!in) streams.in = -1;
    if (!out) streams.out = -1;
    if (!err) streams.err = -1;
  }
  TRY(engine::parseDetachKeys(o.detach_keys));
  return streams;
}

Result<int> runCreate(Context& ctx, const CreateOpts& o, const std::vector<std::string>& args, bool run,
                      const Command& self) {
  // podman: the fds to preserve must be open in this process (checked before the engine
  // opens its own).
  for (int fd = 3; fd < 3 + o.preserve_fds; ++fd)
    if (::fcntl(fd, F_GETFD) < 0)
      return makeError(Code::kInvalidArgument,
                       "file descriptor {} is not available - the preserve-fds option requires that file descriptors must be passed",
                       fd);
  auto* svc = TRY(containerService(ctx));
  if (run && o.tty && o.interactive && !ctx.stdinIsTerminal())
    LOG_WARN("The input device is not a TTY. The --tty and --interactive flags might not work properly");
  if (self.changed("kernel-memory")) LOG_WARN("The --kernel-memory flag is no longer supported. This flag is a noop.");
  auto spec = TRY(buildSpec(o, args, g_raw_argv));
  if (!o.cidfile.empty() && fs::exists(o.cidfile))
    return makeError(Code::kAlreadyExists,
                     "container id file exists. Ensure another container is not using it or delete {}", o.cidfile);
  {
    LOG_PHASE("image lookup (pull policy)");
    if (!o.rootfs) spec.image = TRY(ensureImage(ctx, o, args[0], self));
  }
  if (spec.pod.rfind("new:", 0) == 0) {
    // podman's createPodIfNecessary: the pod takes the hostname and the network options,
    // which its infra container holds for the members.
    std::string pod_name = spec.pod.substr(4);
    if (pod_name.empty()) return makeError(Code::kInvalidArgument, "new pod name must be at least one character");
    auto* eng = TRY(ctx.localEngine());
    api::PodCreateRequest pr;
    pr.name = pod_name;
    pr.hostname = spec.hostname;
    pr.network = static_cast<const api::ContainerNetworkConfig&>(spec);
    pr.create_command = g_raw_argv;
    spec.hostname.clear();
    static_cast<api::ContainerNetworkConfig&>(spec) = api::ContainerNetworkConfig{};
    TRY(eng->pods().create(pr));
    spec.pod = pod_name;
  }
  std::optional<log::PhaseTimer> phase_create(std::in_place, "create (spec, record)");
  auto rep = TRY(svc->create(api::ContainerCreateRequest{spec, o.replace}));
  phase_create.reset();
  for (auto& w : rep.warnings) ctx.err(w + "\n");
  if (!o.cidfile.empty()) TRY(fs::writeFileAtomic(o.cidfile, rep.id));
  if (!run) {
    ctx.out(rep.id + "\n");
    return 0;
  }
  if (o.detach) {
    auto st = svc->start(rep.id, nullptr);
    if (!st.ok()) {
      int code = ctx.fail(st.error(), Phase::kRunStart);
      if (o.rm) (void)svc->cleanup(rep.id, true);
      return code;
    }
    ctx.out(rep.id + "\n");
    return 0;
  }
  auto streams = TRY(runStreams(o));
  // podman prints the ID when neither output stream is attached.
  if (streams.out < 0 && streams.err < 0) ctx.out(rep.id + "\n");
  std::optional<log::PhaseTimer> phase_run(std::in_place, "start, attach, wait for exit");
  auto code = svc->start(rep.id, &streams);
  phase_run.reset();
  if (!code.ok()) {
    int rc = ctx.fail(code.error(), Phase::kRunStart);
    if (o.rm) (void)svc->cleanup(rep.id, true);
    return rc;
  }
  if (*code < 0) return 0;  // detached
  if (o.rm) {
    LOG_PHASE("remove (--rm)");
    auto s = svc->cleanup(rep.id, true);
    if (!s.ok()) ctx.err("Error: " + s.error().what() + "\n");
  }
  if (o.rmi) {
    // podman: the image goes unless another container uses it (then an error is logged).
    auto& images = TRY(ctx.engine())->images();
    auto removed = images.remove(api::ImageRemoveRequest{{spec.image}});
    if (!removed.ok()) LOG_ERROR("{}", removed.error().what());
    else
      for (auto& e : removed->errors) LOG_ERROR("{}", e.what());
  }
  return *code;
}

}  // namespace

void setRawArgv(std::vector<std::string> argv) { g_raw_argv = std::move(argv); }
const std::vector<std::string>& rawArgv() { return g_raw_argv; }

std::unique_ptr<Command> createCommand(bool run) {
  auto o = std::make_shared<CreateOpts>();
  auto c = std::make_unique<Command>(run ? "run [options] IMAGE [COMMAND [ARG...]]"
                                         : "create [options] IMAGE [COMMAND [ARG...]]",
                                     run ? "Run a command in a new container" : "Create but do not start a container");
  c->args(1, -1).description(run ? "Runs a command in a new container from the given image"
                                 : "Creates a new container from the given image or storage and prepares it for running the specified command.");
  addCreateFlags(*c, *o, run);
  Command* self = c.get();
  c->run(orFail([o, run, self](Context& ctx, const std::vector<std::string>& args) {
    o->stop_timeout_set = self->changed("stop-timeout");
    o->entrypoint_set = self->changed("entrypoint");
    o->oom_score_adj_set = self->changed("oom-score-adj");
    return runCreate(ctx, *o, args, run, *self);
  }));
  return c;
}

}  // namespace berth::cli
