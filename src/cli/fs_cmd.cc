// Container file system commands: diff, export, commit, mount, unmount; image mount/unmount.
#include <fcntl.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/tempfile.h"
#include "cli/commands.h"
#include "cli/container_cmds.h"
#include "cli/format/tabwriter.h"
#include "cli/output.h"

namespace berth::cli {

namespace {

// podman diff's output: "C /etc" lines, or {"changed": [...], "added": [...], "deleted": [...]}.
int printChanges(Context& ctx, const std::vector<api::FileChange>& changes, const std::string& format) {
  if (isJsonFormat(format)) {
    Json body = Json::object();
    std::vector<std::string> c, a, d;
    for (auto& ch : changes) (ch.kind == 'A' ? a : ch.kind == 'D' ? d : c).push_back(ch.path);
    if (!c.empty()) body["changed"] = c;
    if (!a.empty()) body["added"] = a;
    if (!d.empty()) body["deleted"] = d;
    ctx.out(Context::jsonIndent(body, 5) + "\n");
    return 0;
  }
  if (!format.empty()) return ctx.fail(makeError(Code::kInvalidArgument, "only supported value for '--format' is 'json'"));
  std::string out;
  for (auto& ch : changes) out += fmt::format("{} {}\n", ch.kind, ch.path);
  ctx.out(out);
  return 0;
}

enum class DiffKind { kAny, kContainer, kImage };

std::unique_ptr<Command> diffCommand(DiffKind kind) {
  struct O {
    std::string format;
    bool latest = false;
  };
  auto o = std::make_shared<O>();
  std::string use = kind == DiffKind::kContainer ? "diff [options] CONTAINER [CONTAINER]"
                    : kind == DiffKind::kImage   ? "diff [options] IMAGE [IMAGE]"
                                                 : "diff [options] {CONTAINER|IMAGE} [{CONTAINER|IMAGE}]";
  std::string short_help = kind == DiffKind::kContainer ? "Inspect changes to the container's file systems"
                           : kind == DiffKind::kImage   ? "Inspect changes to the image's file systems"
                                                        : "Display the changes to the object's file system";
  auto c = std::make_unique<Command>(use, short_help);
  c->args(0, 2).flag("format", 0, &o->format, "Change the output format (json)");
  if (kind != DiffKind::kImage) c->flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of");
  c->run([o, kind](Context& ctx, const std::vector<std::string>& args) -> int {
    if (o->latest && !args.empty())
      return ctx.fail(makeError(Code::kInvalidArgument, "--latest and containers cannot be used together"));
    if (!o->latest && args.empty())
      return ctx.fail(makeError(Code::kInvalidArgument, "{} must be specified",
                                kind == DiffKind::kImage ? "image" : "container"));
    if (args.size() == 2)
      return ctx.fail(makeError(Code::kUnimplemented, "comparing two objects is not supported by berth yet"));
    auto eng = ctx.engine();
    if (!eng.ok()) return ctx.fail(eng.error());
    auto& ctrs = (*eng)->containers();
    std::string name = o->latest ? ctrs.latestId().valueOr("") : args[0];
    if (o->latest && name.empty()) return ctx.fail(makeError(Code::kNotFound, "no containers to operate on"));
    Result<std::vector<api::FileChange>> changes = makeError(Code::kNotFound, "{} not found", name);
    if (kind != DiffKind::kImage) {
      changes = ctrs.diff(name);
      if (!changes.ok() && changes.error().code() != Code::kNotFound) return ctx.fail(changes.error());
    }
    if (!changes.ok() && kind != DiffKind::kContainer) {
      auto ic = (*eng)->images().diff(name);
      if (ic.ok() || ic.error().code() != Code::kNotFound || kind == DiffKind::kImage) changes = std::move(ic);
    }
    if (!changes.ok()) {
      if (changes.error().code() == Code::kNotFound && kind == DiffKind::kAny)
        return ctx.fail(makeError(Code::kNotFound, "{} not found: layer not known", name));
      return ctx.fail(changes.error());
    }
    return printChanges(ctx, *changes, o->format);
  });
  return c;
}

std::unique_ptr<Command> exportCommand() {
  auto output = std::make_shared<std::string>();
  auto c = std::make_unique<Command>("export [options] CONTAINER",
                                     "Export container's filesystem contents as a tar archive");
  c->args(1, 1)
      .description(
          "Exports container's filesystem contents as a tar archive and saves it on the local machine.")
      .flag("output", 'o', output.get(), "Write to a specified file (default: stdout, which must be redirected)")
      .run(orFail([output](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        if (output->empty() && ctx.stdoutIsTerminal())
          return makeError(Code::kInvalidArgument, "refusing to export to terminal. Use -o flag or redirect");
        auto svc = TRY(containerService(ctx));
        if (output->empty()) {
          TRY(svc->exportFs(args[0], 1));
          return 0;
        }
        // Write a fresh temp file beside the target (O_EXCL|O_NOFOLLOW: nothing planted
        // at its name is followed) and rename: a failed export leaves no half archive.
        auto tmp = TRY_CTX(fs::createTempBeside(*output, 0644), "export {}", *output);
        Status s = svc->exportFs(args[0], tmp.fd.get());
        tmp.fd.reset();
        if (s.ok() && ::rename(tmp.path.c_str(), output->c_str()) < 0) s = errnoError("rename {}", *output);
        if (!s.ok()) {
          ::unlink(tmp.path.c_str());
          return std::move(s).error();
        }
        return 0;
      }));
  return c;
}

std::unique_ptr<Command> commitCommand(const std::string& example) {
  auto req = std::make_shared<api::CommitRequest>();
  auto quiet = std::make_shared<bool>(false);
  auto iidfile = std::make_shared<std::string>();
  auto c = std::make_unique<Command>("commit [options] CONTAINER [IMAGE]",
                                     "Create new image based on the changed container");
  c->args(1, 2)
      .description("Create an image from a container's changes. Optionally tag the image created, set the author "
                   "with the --author flag, set the commit message with the --message flag, and make changes to "
                   "the instructions with the --change flag.")
      .example(example)
      .flag("change", 'c', &req->changes,
            "Apply the following possible instructions to the created image (default []): CMD | ENTRYPOINT | ENV "
            "| EXPOSE | LABEL | ONBUILD | STOPSIGNAL | USER | VOLUME | WORKDIR")
      .flag("format", 'f', &req->format, "`Format` of the image manifest and metadata")
      .flag("iidfile", 0, iidfile.get(), "`file` to write the image ID to")
      .flag("message", 'm', &req->message, "Set commit message for imported image")
      .flag("author", 'a', &req->author, "Set the author for the image committed")
      .flag("pause", 'p', &req->pause, "Pause container during commit")
      .flag("quiet", 'q', quiet.get(), "Suppress output")
      .flag("squash", 's', &req->squash, "squash newly built layers into a single new layer")
      .flag("include-volumes", 0, &req->include_volumes, "Include container volumes as image volumes")
      .run(orFail([req, quiet, iidfile](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        auto svc = TRY(containerService(ctx));
        api::CommitRequest r = *req;
        r.container = args[0];
        if (args.size() == 2) r.image_name = args[1];
        if (!*quiet) r.progress = [&ctx](const std::string& line) { ctx.err(line + "\n"); };
        std::string id = TRY(svc->commit(r));
        if (!iidfile->empty()) TRY_CTX(fs::writeFileAtomic(*iidfile, id), "failed to write image ID");
        ctx.out(id + "\n");
        return 0;
      }));
  return c;
}

std::unique_ptr<Command> mountCommand() {
  struct O {
    bool all = false, latest = false, no_trunc = false;
    std::string format;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("mount [options] [CONTAINER...]", "Mount a working container's root filesystem");
  c->description(
       "podman mount\n  Lists all mounted containers mount points if no container is specified\n\n  podman mount "
       "CONTAINER-NAME-OR-ID\n  Mounts the specified container and outputs the mountpoint\n")
      .flag("all", 'a', &o->all, "Mount all containers")
      .flag("format", 0, &o->format, "Print the mounted containers in specified format (json)")
      .flag("no-trunc", 0, &o->no_trunc, "Do not truncate output")
      .hiddenFlag("notruncate", &o->no_trunc)
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .run(orFail([o](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        if (!args.empty() && o->latest)
          return makeError(Code::kInvalidArgument, "--latest and containers cannot be used together");
        if (o->all && o->latest) return makeError(Code::kInvalidArgument, "--all and --latest cannot be used together");
        if (!args.empty() && o->all)
          return makeError(Code::kInvalidArgument, "--all and containers cannot be used together");
        auto svc = TRY(containerService(ctx));
        std::vector<std::string> names = args;
        if (o->latest) names = {TRY(svc->latestId())};
        if (o->all) {
          api::ContainerListRequest lr;
          lr.all = true;
          for (auto& s : TRY(svc->list(lr))) names.push_back(s.id);
        }
        if (!names.empty()) {
          int rc = 0;
          for (auto& n : names) {
            auto p = svc->mount(n);
            if (!p.ok()) {
              ctx.err("Error: " + p.error().what() + "\n");
              rc = 125;
              continue;
            }
            ctx.out(*p + "\n");
          }
          return rc;
        }
        auto list = TRY(svc->mounted());
        if (isJsonFormat(o->format)) {
          Json arr = Json::array();
          for (auto& m : list) arr.push_back(Json{{"id", m.id}, {"Names", m.names}, {"mountpoint", m.mountpoint}});
          ctx.out(Context::jsonIndent(arr, 1) + "\n");
          return 0;
        }
        if (!o->format.empty()) return makeError(Code::kInvalidArgument, "unknown --format argument: {:?}", o->format);
        format::TabWriter w(12, 2, 2, ' ', 0);
        std::string text;
        for (auto& m : list) text += fmt::format("{}\t{}\n", o->no_trunc ? m.id : m.id.substr(0, 12), m.mountpoint);
        w.write(text);
        w.flush();
        ctx.out(w.output());
        return 0;
      }));
  return c;
}

std::unique_ptr<Command> unmountCommand() {
  struct O {
    bool all = false, force = false, latest = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("unmount [options] CONTAINER [CONTAINER...]",
                                     "Unmount working container's root filesystem");
  c->aliases({"umount"})
      .description("Container storage increments a mount counter each time a container is mounted.\n\n  When a "
                   "container is unmounted, the mount counter is decremented. The container's root filesystem is "
                   "physically unmounted only when the mount counter reaches zero indicating no other processes "
                   "are using the mount.\n\n  An unmount can be forced with the --force flag.\n")
      .flag("all", 'a', &o->all, "Unmount all of the currently mounted containers")
      .flag("force", 'f', &o->force, "Force the complete unmount of the specified mounted containers")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .run(orFail([o](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        if (o->all && o->latest) return makeError(Code::kInvalidArgument, "--all and --latest cannot be used together");
        if (!args.empty() && o->latest)
          return makeError(Code::kInvalidArgument, "--latest and containers cannot be used together");
        if (args.empty() && !o->all && !o->latest)
          return makeError(Code::kInvalidArgument, "you must provide at least one name or id");
        auto svc = TRY(containerService(ctx));
        std::vector<std::string> names = args;
        if (o->latest) names = {TRY(svc->latestId())};
        if (o->all)
          for (auto& m : TRY(svc->mounted())) names.push_back(m.id);
        int rc = 0;
        for (auto& n : names) {
          auto s = svc->unmount(n, o->force || o->all);
          if (!s.ok()) {
            if (o->all && s.error().code() == Code::kFailedPrecondition) continue;  // running ones stay
            ctx.err("Error: " + s.error().what() + "\n");
            rc = 125;
            continue;
          }
          ctx.out(n + "\n");
        }
        return rc;
      }));
  return c;
}

std::unique_ptr<Command> imageMountCommand() {
  struct O {
    bool all = false;
    std::string format;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("mount [options] [IMAGE...]", "Mount an image's root filesystem");
  c->description("Mount the root filesystem of an image read-only. With no arguments, list the mounted images.")
      .flag("all", 'a', &o->all, "Mount all images")
      .flag("format", 0, &o->format, "Print the mounted images in specified format (json)")
      .run(orFail([o](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        if (!args.empty() && o->all)
          return makeError(Code::kInvalidArgument,
                           "when using the --all switch, you may not pass any image names or IDs");
        auto* eng = TRY(ctx.engine());
        auto& svc = eng->images();
        std::vector<std::string> names = args;
        if (o->all)
          for (auto& s : TRY(svc.list({}))) names.push_back(s.id);
        for (auto& n : names) {
          auto p = TRY(svc.mount(n));
          if (args.size() == 1 && o->format.empty()) {
            ctx.out(p + "\n");
            return 0;
          }
        }
        auto list = TRY(svc.mounted());
        if (isJsonFormat(o->format)) {
          Json arr = Json::array();
          for (auto& m : list)
            arr.push_back(Json{{"id", m.id},
                               {"Names", std::vector<std::string>{m.names.empty() ? "" : m.names[0]}},
                               {"Repositories", m.names},
                               {"mountpoint", m.mountpoint}});
          ctx.out(Context::jsonIndent(arr, 1) + "\n");
          return 0;
        }
        if (!o->format.empty()) return makeError(Code::kInvalidArgument, "unknown --format argument: {:?}", o->format);
        format::TabWriter w(12, 2, 2, ' ', 0);
        std::string text;
        for (auto& m : list) text += fmt::format("{}\t{}\n", m.names.empty() ? m.id : m.names[0], m.mountpoint);
        w.write(text);
        w.flush();
        ctx.out(w.output());
        return 0;
      }));
  return c;
}

std::unique_ptr<Command> imageUnmountCommand() {
  struct O {
    bool all = false, force = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("unmount [options] IMAGE [IMAGE...]", "Unmount an image's root filesystem");
  c->aliases({"umount"})
      .flag("all", 'a', &o->all, "Unmount all of the currently mounted images")
      .flag("force", 'f', &o->force, "Force the complete unmount of the specified mounted images")
      .run(orFail([o](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        if (args.empty() && !o->all) return makeError(Code::kInvalidArgument, "image name or ID must be specified");
        if (!args.empty() && o->all)
          return makeError(Code::kInvalidArgument,
                           "when using the --all switch, you may not pass any image names or IDs");
        auto* eng = TRY(ctx.engine());
        auto& svc = eng->images();
        std::vector<std::string> names = args;
        if (o->all)
          for (auto& m : TRY(svc.mounted())) names.push_back(m.id);
        int rc = 0;
        for (auto& n : names) {
          auto id = svc.unmount(n, o->force || o->all);
          if (!id.ok()) {
            ctx.err("Error: " + id.error().what() + "\n");
            rc = 125;
            continue;
          }
          if (!id->empty()) ctx.out(*id + "\n");
        }
        return rc;
      }));
  return c;
}

}  // namespace

void addFilesystemCommands(Command& root) {
  root.add(diffCommand(DiffKind::kAny));
  root.add(exportCommand());
  root.add(commitCommand(
      "podman commit -q --message \"committing container to image\" reverent_golick image-committed\n"
      "  podman commit -q --author \"firstName lastName\" reverent_golick image-committed\n"
      "  podman commit -q --pause=false containerID image-committed\n  podman commit containerID"));
  root.add(mountCommand());
  root.add(unmountCommand());
  if (Command* ctr = root.find("container")) {
    ctr->add(diffCommand(DiffKind::kContainer));
    ctr->add(exportCommand());
    ctr->add(commitCommand(
        "podman container commit -q --message \"committing container to image\" reverent_golick image-committed\n"
        "  podman container commit -q --author \"firstName lastName\" reverent_golick image-committed\n"
        "  podman container commit -q --pause=false containerID image-committed\n"
        "  podman container commit containerID"));
    ctr->add(mountCommand());
    ctr->add(unmountCommand());
  }
  if (Command* img = root.find("image")) {
    img->add(diffCommand(DiffKind::kImage));
    img->add(imageMountCommand());
    img->add(imageUnmountCommand());
  }
}

}  // namespace berth::cli
