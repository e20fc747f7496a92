// build (image build, buildx build): the Containerfile, the context and the flags -> BuildRequest.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "base/fs.h"
#include "cli/commands.h"
#include "cli/container_cmds.h"
#include "cli/create_flags.h"
#include "cli/progress.h"
#include "engine/build.h"
#include "engine/engine.h"

namespace berth::cli {

namespace {

struct BuildOpts {
  std::vector<std::string> tags, files, build_args, labels, annotations;
  std::string target, format = "oci", iidfile, logfile, ignorefile, pull = "missing", platform;
  std::string authfile, creds, cert_dir, isolation, timestamp, output;
  bool layers = true, no_cache = false, quiet = false, pull_always = false, pull_never = false;
  bool rm = true, force_rm = false, squash = false, squash_all = false, tls_verify = true, load = false;
  bool disable_compression = true, stdin_flag = false;
  int jobs = 1;
  CreateOpts run;  // the RUN containers' flags
};

Result<bool> parseBool(const std::string& flag, const std::string& v) {
  if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") return true;
  if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False") return false;
  return makeError(Code::kInvalidArgument, "invalid value {:?} for {}: want a boolean", v, flag);
}

// Where the Containerfiles are and what the context is (buildah's rules): -f paths relative to
// the working directory, else to the context; without -f, Containerfile or Dockerfile in the
// context; without a context, the directory of the first -f file.
Status resolveInputs(const BuildOpts& o, const std::vector<std::string>& args, engine::BuildRequest& req) {
  namespace sfs = std::filesystem;
  std::string ctx;
  bool stdin_file = !args.empty() && args[0] == "-";
  if (!args.empty() && !stdin_file) {
    ctx = args[0];
    if (ctx.starts_with("http://") || ctx.starts_with("https://") || ctx.starts_with("git://"))
      return makeError(Code::kUnimplemented, "build context {:?}: URLs and git repositories are not supported by berth build yet", ctx);
    std::error_code ec;
    auto canon = sfs::canonical(ctx, ec);
    if (ec) return makeError(Code::kNotFound, "stat {}: no such file or directory", ctx);
    if (!sfs::is_directory(canon)) return makeError(Code::kInvalidArgument, "build context {}: not a directory", ctx);
    ctx = canon.string();
  }
  if (stdin_file) {
    req.containerfile = TRY_CTX(fs::readAll(0), "read the Containerfile from stdin");
    req.containerfile_name = "-";
    return {};
  }
  std::vector<std::string> files = o.files;
  if (files.empty()) {
    if (ctx.empty()) ctx = sfs::current_path().string();
    for (const char* n : {"/Containerfile", "/Dockerfile"})
      if (fs::exists(ctx + n)) {
        files.push_back(ctx + n);
        break;
      }
    if (files.empty())
      return makeError(Code::kNotFound, "stat {}/Dockerfile: no such file or directory", ctx);
  }
  std::string text;
  for (size_t i = 0; i < files.size(); ++i) {
    std::string f = files[i];
    if (f == "-") {
      text += TRY_CTX(fs::readAll(0), "read the Containerfile from stdin");
      req.containerfile_name = "-";
      continue;
    }
    if (f[0] != '/' && !fs::exists(f) && !ctx.empty()) f = ctx + "/" + f;
    auto content = fs::readFile(f);
    if (!content.ok()) return makeError(Code::kNotFound, "stat {}: no such file or directory", f);
    if (i == 0) {
      req.containerfile_name = f;
      if (ctx.empty()) {
        std::error_code ec;
        auto canon = sfs::canonical(sfs::absolute(f).parent_path(), ec);
        ctx = ec ? sfs::absolute(f).parent_path().string() : canon.string();
      }
    }
    text += *content;
    if (!text.empty() && text.back() != '\n') text += '\n';
  }
  req.containerfile = std::move(text);
  req.context_dir = ctx;
  return {};
}

// Flags berth takes but cannot honour yet are refused, not ignored.
Status refuseUnsupported(const BuildOpts& o) {
  auto refuse = [](std::string_view flag) {
    return makeError(Code::kUnimplemented, "build {} is not supported by berth yet", flag);
  };
  if (o.squash) return refuse("--squash");
  if (o.stdin_flag) return refuse("--stdin");
  if (!o.annotations.empty()) return refuse("--annotation");
  if (!o.isolation.empty() && o.isolation != "oci") return refuse("--isolation " + o.isolation);
  if (!o.output.empty() && o.output != "type=docker" && o.output != "type=image") return refuse("--output " + o.output);
  return {};
}

Result<int> runBuild(Context& ctx, BuildOpts& o, const std::vector<std::string>& args, const Command& self) {
  TRY(refuseUnsupported(o));
  engine::BuildRequest req;
  TRY(resolveInputs(o, args, req));
  req.tags = o.tags;
  req.target = o.target;
  req.quiet = o.quiet;
  req.no_cache = o.no_cache;
  req.ignorefile = o.ignorefile;
  if (const char* env = std::getenv("BUILDAH_LAYERS"); env && *env) req.layers = TRY(parseBool("BUILDAH_LAYERS", env));
  if (self.changed("layers")) req.layers = o.layers;
  if (o.format != "oci" && o.format != "docker")
    return makeError(Code::kInvalidArgument, "unrecognized image type {:?}", o.format);
  req.format = o.format;
  std::string pull = o.pull;
  if (pull == "true") pull = "always";
  if (pull == "false") pull = "missing";
  if (o.pull_always) pull = "always";
  if (o.pull_never) pull = "never";
  if (pull != "always" && pull != "missing" && pull != "never" && pull != "newer")
    return makeError(Code::kInvalidArgument, "invalid pull policy {:?}: want always, missing, never or newer", o.pull);
  req.pull = pull;
  for (auto& a : o.build_args) {
    auto eq = a.find('=');
    if (eq != std::string::npos) {
      req.build_args[a.substr(0, eq)] = a.substr(eq + 1);
    } else if (const char* v = std::getenv(a.c_str())) {
      req.build_args[a] = v;
    }
  }
  for (auto& l : o.labels) {
    auto eq = l.find('=');
    req.labels[l.substr(0, eq)] = eq == std::string::npos ? "" : l.substr(eq + 1);
  }
  if (!o.platform.empty()) {
    std::vector<std::string> p;
    for (size_t i = 0; i <= o.platform.size();) {
      size_t j = o.platform.find('/', i);
      if (j == std::string::npos) j = o.platform.size();
      p.push_back(o.platform.substr(i, j - i));
      i = j + 1;
    }
    if (p.size() < 2) return makeError(Code::kInvalidArgument, "invalid platform {:?}: want OS/ARCH[/VARIANT]", o.platform);
    req.os = p[0];
    req.arch = p[1];
    if (p.size() > 2) req.variant = p[2];
  }
  if (!o.run.os.empty()) req.os = o.run.os;
  if (!o.run.arch.empty()) req.arch = o.run.arch;
  req.access.authfile = o.authfile;
  if (req.access.authfile.empty())
    if (const char* e = std::getenv("REGISTRY_AUTH_FILE")) req.access.authfile = e;
  if (!o.authfile.empty() && !fs::exists(o.authfile))
    return makeError(Code::kNotFound, "checking authfile: stat {}: no such file or directory", o.authfile);
  req.access.creds = o.creds;
  req.access.cert_dir = o.cert_dir;
  if (self.changed("tls-verify")) req.access.tls_verify = o.tls_verify;
  req.run_template = TRY(buildSpec(o.run, {"scratch"}, {}));

  UniqueFd log;
  int out_fd = 1;
  if (!o.logfile.empty()) {
    log = UniqueFd(::open(o.logfile.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    if (!log) return errnoError("open the log file {}", o.logfile);
    out_fd = log.get();
  }
  req.out = [out_fd](std::string_view s) { (void)fs::writeAll(out_fd, s); };
  ProgressRenderer progress(o.quiet);
  req.pull_progress = progress.fn();

  auto* eng = TRY(ctx.localEngine());
  engine::BuildResult result;
  auto id = engine::build(*eng, req, result);
  if (!id.ok()) {
    if (result.exit_code != 0) {
      std::string msg = "Error: " + id.error().what() + "\n";
      if (log) req.out(msg);
      ctx.err(msg);
      return result.exit_code;
    }
    return std::move(id).error();
  }
  if (!o.iidfile.empty()) TRY_CTX(fs::writeFileAtomic(o.iidfile, "sha256:" + *id), "failed to write image ID");
  return 0;
}

std::unique_ptr<Command> buildCommand(const std::string& use, bool buildx) {
  auto o = std::make_shared<BuildOpts>();
  auto c = std::make_unique<Command>(use, "Build an image using instructions from Containerfiles");
  c->args(0, 1)
      .description("Builds an OCI or Docker image using instructions from one or more Containerfiles and a "
                   "specified build context directory.")
      .flag("tag", 't', &o->tags, "tagged `name` to apply to the built image")
      .flag("file", 'f', &o->files, "`pathname or URL` of a Dockerfile")
      .flag("build-arg", 0, &o->build_args, "`argument=value` to supply to the builder")
      .flag("target", 0, &o->target, "set the target build stage to build")
      .flag("layers", 0, &o->layers, "Use intermediate layers during build. Use BUILDAH_LAYERS environment variable to override.")
      .flag("no-cache", 0, &o->no_cache, "do not use existing cached images for the container build")
      .flag("quiet", 'q', &o->quiet, "refrain from announcing build instructions and image read/write progress")
      .flag("format", 0, &o->format, "`format` of the built image's manifest and metadata")
      .flag("iidfile", 0, &o->iidfile, "`file` to write the image ID to")
      .flag("logfile", 0, &o->logfile, "log to `file` instead of stdout/stderr")
      .flag("label", 0, &o->labels, "set metadata for an image (default [])")
      .flag("annotation", 0, &o->annotations, "set metadata for an image (default [])")
      .flag("ignorefile", 0, &o->ignorefile, "path to an alternate .dockerignore file")
      .flag("pull", 0, &o->pull, "pull policy: always, missing, never or newer (default \"missing\")")
      .flag("pull-always", 0, &o->pull_always, "pull the image even if the named image is present in store")
      .flag("pull-never", 0, &o->pull_never, "do not pull the image, use the image present in store if available")
      .flag("platform", 0, &o->platform, "set the OS/ARCH[/VARIANT] of the image to the provided value instead of the current operating system and architecture of the host")
      .flag("jobs", 0, &o->jobs, "how many stages to run in parallel")
      .flag("rm", 0, &o->rm, "remove intermediate containers after a successful build")
      .flag("force-rm", 0, &o->force_rm, "always remove intermediate containers after a build, even if the build is unsuccessful")
      .flag("squash", 0, &o->squash, "squash newly built layers into a single new layer")
      .flag("authfile", 0, &o->authfile, "path of the authentication file")
      .flag("creds", 0, &o->creds, "use `[username[:password]]` for accessing the registry")
      .flag("cert-dir", 0, &o->cert_dir, "use certificates at the specified path to access the registry")
      .flag("tls-verify", 0, &o->tls_verify, "require HTTPS and verify certificates when accessing the registry")
      .flag("isolation", 0, &o->isolation, "`type` of process isolation to use")
      .flag("disable-compression", 'D', &o->disable_compression, "don't compress layers by default")
      .flag("stdin", 0, &o->stdin_flag, "pass stdin into containers")
      // The RUN containers.
      .flag("runtime", 0, &o->run.runtime, "`path` to an alternate OCI runtime for RUN")
      .flag("network", 0, &o->run.network, "sets the configuration for network namespaces when handling RUN instructions")
      .hiddenFlag("net", &o->run.network)
      .flag("dns", 0, &o->run.dns, "set custom DNS servers")
      .flag("dns-search", 0, &o->run.dns_search, "set custom DNS search domains")
      .flag("dns-option", 0, &o->run.dns_option, "set custom DNS options")
      .flag("add-host", 0, &o->run.add_host, "add a custom host-to-IP mapping (`host:ip`)")
      .flag("no-hosts", 0, &o->run.no_hosts, "do not create new /etc/hosts files for RUN instructions")
      .flag("ulimit", 0, &o->run.ulimits, "ulimit options")
      .flag("security-opt", 0, &o->run.security_opt, "security options (default [])")
      .flag("cap-add", 0, &o->run.cap_add, "add the specified capability when running")
      .flag("cap-drop", 0, &o->run.cap_drop, "drop the specified capability when running")
      .flag("volume", 'v', &o->run.volumes, "bind mount a volume into the container")
      .flag("device", 0, &o->run.devices, "additional devices to provide")
      .flag("memory", 'm', &o->run.memory, "memory limit (format: <number>[<unit>], where unit = b, k, m or g)")
      .flag("shm-size", 0, &o->run.shm_size, "size of '/dev/shm'. The format is `<number><unit>`.")
      .flag("userns", 0, &o->run.userns, "'container', `path` of user namespace to join, or 'host'")
      .flag("arch", 0, &o->run.arch, "set the ARCH of the image to the provided value instead of the architecture of the host")
      .flag("os", 0, &o->run.os, "set the OS of the image to the provided value instead of the current operating system of the host")
      .flag("http-proxy", 0, &o->run.http_proxy, "pass through HTTP Proxy environment variables");
  if (buildx) c->flag("load", 0, &o->load, "buildx --load (accepted for compatibility)").flag("output", 'o', &o->output, "output destination (only the local image store)");
  Command* self = c.get();
  c->run(orFail([o, self](Context& ctx, const std::vector<std::string>& args) { return runBuild(ctx, *o, args, *self); }));
  return c;
}

}  // namespace

void addBuildCommands(Command& root) {
  root.add(buildCommand("build [options] [CONTEXT]", false));
  if (Command* img = root.find("image")) img->add(buildCommand("build [options] [CONTEXT]", false));
  auto bx = std::make_unique<Command>("buildx", "Build images with the buildx command set (podman's alias of build)");
  bx->add(buildCommand("build [options] [CONTEXT]", true));
  root.add(std::move(bx));
}

}  // namespace berth::cli
