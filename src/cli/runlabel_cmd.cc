// `container runlabel`: runs the command an image label describes
// (podman 4.3.1's runlabel).
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <map>

#include "base/json_access.h"
#include "cli/commands.h"
#include "cli/container_cmds.h"
#include "cli/progress.h"
#include "cli/registry_flags.h"
#include "cli/runlabel.h"
#include "runtime/child_process.h"

namespace berth::cli {

namespace {

struct RunlabelOpts {
  AccessFlags access;
  std::string name, opt1, opt2, opt3, signature_policy;
  bool display = false, quiet = false, replace = false, pull = true;
};

// The image the label is read from, stored or pulled (podman: pull policy
// "missing", or "never" with --pull=false).
struct LabelledImage {
  std::string id, name;  // name: the newest of its names, or its ID
  std::map<std::string, std::string> labels;
};

Result<LabelledImage> findImage(Context& ctx, const RunlabelOpts& o, const Command& self,
                                const std::string& ref) {
  auto& images = TRY(ctx.engine())->images();
  std::string target = ref;
  if (!TRY(images.exists(ref))) {
    if (!o.pull) return makeError(Code::kNotFound, "{}: image not known", ref);
    ProgressRenderer progress(o.quiet);
    api::ImagePullRequest pr;
    pr.reference = ref;
    pr.access = access(o.access, self);
    pr.progress = progress.fn();
    auto rep = TRY(images.pull(pr));
    if (rep.ids.size() != 1)
      return makeError(Code::kInternal,
                       "internal error: expected an image to be pulled (or an error)");
    target = rep.ids[0];
  }
  Json info = TRY(images.inspect(target));
  LabelledImage img;
  auto where = fmt::format("image {}", ref);
  img.id = TRY_CTX(json::getString(info, "Id", ""), "{}", where);
  auto names =
      TRY_CTX(json::asStrings(info.contains("NamesHistory") ? info["NamesHistory"] : Json(),
                              "NamesHistory"),
              "{}", where);
  img.name = names.empty() ? img.id : names[0];
  img.labels = TRY_CTX(
      json::asStringMap(info.contains("Labels") ? info["Labels"] : Json(), "Labels"), "{}", where);
  return img;
}

// The label's value: an exact match first, else the first whose key equals it
// ignoring case (podman takes any of those; its map order is random).
std::string findLabel(const std::map<std::string, std::string>& labels, const std::string& key) {
  if (auto it = labels.find(key); it != labels.end()) return it->second;
  for (auto& [k, v] : labels)
    if (strcasecmp(k.c_str(), key.c_str()) == 0) return v;
  return "";
}

// Go's os.Getwd: $PWD when it names the current directory, else getcwd.
std::string workingDir() {
  struct stat dot, pwd;
  const char* env = std::getenv("PWD");
  if (env && env[0] == '/' && ::stat(".", &dot) == 0 && ::stat(env, &pwd) == 0 &&
      dot.st_dev == pwd.st_dev && dot.st_ino == pwd.st_ino)
    return env;
  char buf[PATH_MAX];
  return ::getcwd(buf, sizeof buf) ? buf : "";
}

// --replace: removes (forced) the container the command names with "--name NAME".
Status replaceNamed(Context& ctx, const std::vector<std::string>& cmd) {
  for (size_t i = 0; i + 1 < cmd.size(); ++i) {
    if (cmd[i] != "--name") continue;
    auto* svc = TRY(containerService(ctx));
    api::ContainerRemoveRequest req;
    req.names = {cmd[i + 1]};
    req.force = true;
    req.ignore = true;  // no such container: nothing to replace
    for (auto& r : TRY(svc->remove(req)))
      if (r.error) return *r.error;
    return {};
  }
  return {};
}

// Runs the command with the streams passed through (none with --quiet) and the
// environment podman gives it. An exit other than 0 is an error, as in podman.
Status execute(const RunlabelOpts& o, const std::vector<std::string>& cmd) {
  auto failed = [&](const std::string& why) {
    std::vector<std::string> rest(cmd.begin() + 1, cmd.end());
    std::string args;
    for (auto& a : rest) args += (args.empty() ? "" : " ") + a;
    return Error(Code::kUnknown, fmt::format("`{} {}` failed: {}", cmd[0], args, why));
  };
  // The variables go into this process's own environment: a value given twice
  // would otherwise reach the child twice (Go's exec keeps the last; getenv
  // finds the first).
  if (!o.opt1.empty()) ::setenv("OPT1", o.opt1.c_str(), 1);
  if (!o.opt2.empty()) ::setenv("OPT2", o.opt2.c_str(), 1);
  if (!o.opt3.empty()) ::setenv("OPT3", o.opt3.c_str(), 1);
  ::setenv("PODMAN_RUNLABEL_NESTED", "1", 1);
  const char* path = std::getenv("PATH");
  auto prog = runlabel::lookPath(cmd[0], path ? path : "");
  if (!prog.ok()) return failed(prog.error().message());
  runtime::SpawnSpec spec;
  spec.argv = cmd;
  spec.argv[0] = *prog;
  if (!o.quiet) {
    spec.stdin_fd = 0;
    spec.stdout_fd = 1;
    spec.stderr_fd = 2;
  }
  auto child = runtime::ChildProcess::spawn(spec);
  if (!child.ok()) {
    int e = child.error().sysErrno();
    std::string why = e ? std::strerror(e) : child.error().what();
    if (e) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
    return failed(fmt::format("fork/exec {}: {}", *prog, why));
  }
  int status = TRY(child->wait());
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  return failed(runlabel::exitStatusText(status));
}

Result<int> runLabel(Context& ctx, const RunlabelOpts& o, const Command& self,
                     const std::vector<std::string>& args) {
  const std::string prog = ctx.command_path.substr(0, ctx.command_path.find(' '));
  if (ctx.remote())
    return makeError(Code::kUnimplemented, "cannot use command {:?} with the remote {} client",
                     ctx.command_path, prog);
  if (self.changed("pull"))
    ctx.err(fmt::format("Flag --pull has been deprecated, {} will pull if not found in local storage\n",
                        prog));
  std::string authfile = access(o.access, self).authfile;
  if (struct stat st; !authfile.empty() && ::stat(authfile.c_str(), &st) != 0) {
    int e = errno;
    std::string why = std::strerror(e);
    why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
    return Error(e == ENOENT ? Code::kNotFound : Code::kInvalidArgument,
                 fmt::format("stat {}: {}", authfile, why));
  }
  const std::string& label = args[0];
  const std::string& ref = args[1];
  auto img = TRY(findImage(ctx, o, self, ref));
  runlabel::Plan plan;
  plan.label = findLabel(img.labels, label);
  if (plan.label.empty())
    return makeError(Code::kNotFound, "cannot find the value of label: {} in image: {}", label,
                     ref);
  plan.args.assign(args.begin() + 2, args.end());
  plan.image_name = img.name;
  plan.name = o.name.empty() ? runlabel::defaultName(img.name, img.id, ref) : o.name;
  // podman reads $OPT1..3 from its environment overlaid with the flags.
  auto opt = [](const std::string& flag, const char* var) {
    const char* env = std::getenv(var);
    return !flag.empty() ? flag : env ? std::string(env) : std::string();
  };
  plan.opt1 = opt(o.opt1, "OPT1");
  plan.opt2 = opt(o.opt2, "OPT2");
  plan.opt3 = opt(o.opt3, "OPT3");
  plan.cwd = workingDir();
  auto cmd = TRY_CTX(runlabel::generateCommand(plan), "label {:?} of image {}", label, ref);
  if (o.display) {
    // podman shows the program as it was itself invoked (os.Args[0]).
    std::string line = "command: " + (rawArgv().empty() ? prog : rawArgv()[0]);
    for (size_t i = 1; i < cmd.size(); ++i) line += " " + cmd[i];
    ctx.out(line + "\n");
    return 0;
  }
  if (o.replace) TRY(replaceNamed(ctx, cmd));
  // The command is often this program again: it opens the database itself.
  ctx.finish();
  TRY(execute(o, cmd));
  return 0;
}

}  // namespace

std::unique_ptr<Command> runlabelCommand() {
  auto o = std::make_shared<RunlabelOpts>();
  auto c = std::make_unique<Command>("runlabel [options] LABEL IMAGE [ARG...]",
                                     "Execute the command described by an image label");
  Command* self = c.get();
  c->args(2, -1)
      .description("Executes a command as described by a container image label.")
      .example(
          "podman container runlabel run imageID\n"
          "  podman container runlabel install imageID arg1 arg2\n"
          "  podman container runlabel --display run myImage");
  c->flag("authfile", 0, &o->access.authfile,
          "Path of the authentication file. Use REGISTRY_AUTH_FILE environment "
          "variable to override")
      .flag("cert-dir", 0, &o->access.cert_dir,
            "`Pathname` of a directory containing TLS certificates and keys")
      .flag("creds", 0, &o->access.creds,
            "`Credentials` (USERNAME:PASSWORD) to use for authenticating to a "
            "registry")
      .flag("display", 0, &o->display, "Preview the command that the label would run")
      .flag("name", 'n', &o->name, "Assign a name to the container")
      .hiddenFlag("opt1", &o->opt1)
      .hiddenFlag("opt2", &o->opt2)
      .hiddenFlag("opt3", &o->opt3)
      .flag("pull", 'p', &o->pull,
            "Pull the image if it does not exist locally prior to executing "
            "the label contents")
      .hideFlag("pull")
      .flag("quiet", 'q', &o->quiet, "Suppress output information when installing images")
      .flag("replace", 0, &o->replace, "Replace existing container with a new one from the image")
      .flag("tls-verify", 0, &o->access.tls_verify,
            "Require HTTPS and verify certificates when contacting registries")
      .hiddenFlag("signature-policy", &o->signature_policy);
  c->run(orFail([o, self](Context& ctx, const std::vector<std::string>& args) {
    return runLabel(ctx, *o, *self, args);
  }));
  return c;
}

}  // namespace berth::cli
