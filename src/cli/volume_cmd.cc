// Volume commands: volume create, ls, inspect, rm, prune, exists, export, import, mount, unmount.
#include <fcntl.h>
#include <unistd.h>

#include "base/fd.h"
#include "base/fs.h"
#include "base/timefmt.h"
#include "cli/commands.h"
#include "cli/context.h"
#include "cli/output.h"

namespace berth::cli {

namespace {

// parse.GetAllLabels / the -o list: "key=value" or "key" (empty value).
std::map<std::string, std::string> keyValues(const std::vector<std::string>& items) {
  std::map<std::string, std::string> out;
  for (auto& i : items) {
    auto eq = i.find('=');
    out[i.substr(0, eq)] = eq == std::string::npos ? "" : i.substr(eq + 1);
  }
  return out;
}

// The template data of a volume (InspectVolumeData with Go's renderings).
Json volumeFields(const api::Volume& v) {
  Json j = api::volumeToJson(v);
  j["CreatedAt"] = formatGoTime(v.created);
  j["UID"] = v.uid.value_or(0);
  j["GID"] = v.gid.value_or(0);
  j["Anonymous"] = v.anonymous;
  j["NeedsCopyUp"] = v.needs_copy_up;
  j["NeedsChown"] = v.needs_chown;
  j["Timeout"] = 0;
  if (!j.contains("Status")) j["Status"] = Json::object();  // omitted from JSON when empty, as podman
  return j;
}

bool confirm(Context& ctx, const std::string& prompt) {
  ctx.out(prompt);
  std::string answer;
  char ch;
  while (::read(0, &ch, 1) == 1 && ch != '\n') answer += ch;
  return !answer.empty() && (answer[0] == 'y' || answer[0] == 'Y');
}

// --- create -----------------------------------------------------------------

std::unique_ptr<Command> createCommand() {
  struct O {
    std::string driver = "local";
    std::vector<std::string> labels, opts;
    bool ignore = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("create [options] [NAME]", "Create a new volume");
  c->args(0, 1)
      .description("If using the default driver, \"local\", the volume will be created on the host in the volumes "
                   "directory under container storage.")
      .example("podman volume create myvol")
      .flag("driver", 'd', &o->driver, "Specify volume driver name")
      .flag("label", 'l', &o->labels, "Set metadata for a volume (default [])")
      .flag("opt", 'o', &o->opts, "Set driver specific options (default [])")
      .flag("ignore", 0, &o->ignore, "Don't fail if volume already exists");
  c->run([o](Context& ctx, const std::vector<std::string>& args) {
    api::VolumeCreateRequest req;
    if (!args.empty()) req.name = args[0];
    req.driver = o->driver;
    req.labels = keyValues(o->labels);
    req.options = keyValues(o->opts);
    req.ignore_if_exists = o->ignore;
    auto eng = ctx.engine();
    if (!eng.ok()) return ctx.fail(eng.error());
    auto v = (*eng)->volumes().create(req);
    if (!v.ok()) return ctx.fail(v.error());
    ctx.out(v->name + "\n");
    return 0;
  });
  return c;
}

// --- ls ---------------------------------------------------------------------

std::unique_ptr<Command> lsCommand() {
  struct O {
    std::string format;
    std::vector<std::string> filters;
    bool quiet = false, noheading = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("ls [options]", "List volumes");
  c->aliases({"list"})
      .args(0, 0)
      .description("List all available volumes. The output of the volumes can be filtered and the output format can "
                   "be changed to JSON or a user specified Go template.")
      .example("podman volume ls")
      .flag("filter", 'f', &o->filters, "Filter volume output")
      .flag("format", 0, &o->format, "Format volume output using JSON or a Go template")
      .flag("noheading", 0, &o->noheading, "Do not print headers")
      .flag("quiet", 'q', &o->quiet, "Print volume output in quiet mode");
  c->run([o](Context& ctx, const std::vector<std::string>&) {
    auto eng = ctx.engine();
    if (!eng.ok()) return ctx.fail(eng.error());
    auto vols = (*eng)->volumes().list(o->filters);
    if (!vols.ok()) return ctx.fail(vols.error());
    if (o->quiet) {
      for (auto& v : *vols) ctx.out(v.name + "\n");
      return 0;
    }
    if (isJsonFormat(o->format)) {
      Json arr = Json::array();
      for (auto& v : *vols) arr.push_back(api::volumeToJson(v));
      ctx.out(Context::jsonIndent(arr, 2) + "\n");
      return 0;
    }
    std::vector<Json> rows;
    for (auto& v : *vols) rows.push_back(volumeFields(v));
    return printRows(ctx, o->format, "table {{.Driver}}\t{{.Name}}", rows,
                     {{"Driver", "DRIVER"}, {"Name", "VOLUME NAME"}, {"Mountpoint", "MOUNTPOINT"},
                      {"CreatedAt", "CREATED AT"}, {"Scope", "SCOPE"}, {"Labels", "LABELS"}, {"Options", "OPTIONS"},
                      {"MountCount", "MOUNT COUNT"}},
                     o->noheading);
  });
  return c;
}

// --- inspect ----------------------------------------------------------------

std::unique_ptr<Command> inspectCommand() {
  struct O {
    std::string format;
    bool all = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("inspect [options] VOLUME [VOLUME...]", "Display detailed information on one or more volumes");
  c->args(0, -1)
      .description("Display detailed information on one or more volumes.\n\n  Use a Go template to change the format "
                   "from JSON.")
      .example("podman volume inspect myvol")
      .flag("all", 'a', &o->all, "Inspect all volumes")
      .flag("format", 'f', &o->format, "Format volume output using Go template");
  c->run([o](Context& ctx, const std::vector<std::string>& args) {
    if (o->all && !args.empty())
      return ctx.fail(makeError(Code::kInvalidArgument, "when using the --all switch, you may not pass any volume names or IDs"));
    if (!o->all && args.empty())
      return ctx.fail(makeError(Code::kInvalidArgument, "provide one or more volume names or use --all"));
    auto eng = ctx.engine();
    if (!eng.ok()) return ctx.fail(eng.error());
    std::vector<api::Volume> found;
    std::vector<Error> errors;
    if (o->all) {
      auto vols = (*eng)->volumes().list({});
      if (!vols.ok()) return ctx.fail(vols.error());
      found = std::move(*vols);
    }
    for (auto& a : args) {
      auto v = (*eng)->volumes().inspect(a);
      if (!v.ok()) {
        if (v.error().code() != Code::kNotFound)
          return ctx.fail(std::move(v).error().context(fmt::format("inspecting volume {}", a)));
        errors.push_back(std::move(v).error());
        continue;
      }
      found.push_back(std::move(*v));
    }
    if (o->format.empty() || isJsonFormat(o->format)) {
      Json arr = Json::array();
      for (auto& v : found) arr.push_back(api::volumeToJson(v));
      ctx.out(Context::jsonIndent(arr, 5) + "\n");
    } else {
      for (auto& v : found)
        if (int r = printTemplate(ctx, o->format, volumeFields(v)); r != 0) return r;
    }
    if (errors.empty()) return 0;
    for (size_t i = 1; i < errors.size(); ++i) ctx.err("error inspecting object: " + errors[i].what() + "\n");
    return ctx.fail(errors.front().context("inspecting object"));
  });
  return c;
}

// --- rm ---------------------------------------------------------------------

std::unique_ptr<Command> rmCommand() {
  struct O {
    bool all = false, force = false;
    int time = 10;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("rm [options] VOLUME [VOLUME...]", "Remove one or more volumes");
  Command* self = c.get();
  c->aliases({"remove"})
      .args(0, -1)
      .description("Remove one or more existing volumes.\n\n  By default only volumes that are not being used by any "
                   "containers will be removed. To remove the volumes anyways, use the --force flag.")
      .example("podman volume rm myvol1 myvol2")
      .flag("all", 'a', &o->all, "Remove all volumes")
      .flag("force", 'f', &o->force, "Remove a volume by force, even if it is being used by a container")
      .flag("time", 't', &o->time, "Seconds to wait for running containers to stop before killing the container");
  c->run([o, self](Context& ctx, const std::vector<std::string>& args) {
    if ((!args.empty() && o->all) || (args.empty() && !o->all))
      return ctx.fail(makeError(Code::kInvalidArgument, "choose either one or more volumes or all"));
    api::VolumeRemoveRequest req;
    req.names = args;
    req.all = o->all;
    req.force = o->force;
    if (self->changed("time")) req.timeout = o->time;
    auto eng = ctx.engine();
    if (!eng.ok()) return ctx.fail(eng.error());
    auto reports = (*eng)->volumes().remove(req);
    if (!reports.ok()) return ctx.fail(reports.error());
    // podman's setExitCode: 1 for a missing volume, 2 for one in use, else 125.
    int rc = 0;
    std::vector<Error> errors;
    for (auto& r : *reports) {
      if (!r.error) {
        ctx.out(r.name + "\n");
        continue;
      }
      if (o->force && r.error->code() == Code::kNotFound) continue;
      int code = r.error->code() == Code::kNotFound ? 1 : r.error->code() == Code::kConflict ? 2 : kExitEngineError;
      if (rc == 0 || code != kExitEngineError) rc = code;
      errors.push_back(*r.error);
    }
    for (auto& e : errors) ctx.err("Error: " + e.what() + "\n");
    return rc;
  });
  return c;
}

// --- prune ------------------------------------------------------------------

std::unique_ptr<Command> pruneCommand() {
  struct O {
    bool force = false;
    std::vector<std::string> filters;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("prune [options]", "Remove all unused volumes");
  c->args(0, 0)
      .description("Volumes that are not currently owned by a container will be removed.\n\n  The command prompts "
                   "for confirmation which can be overridden with the --force flag.\n  Note all data will be "
                   "destroyed.")
      .example("podman volume prune")
      .flag("filter", 0, &o->filters, "Provide filter values (e.g. 'label=<key>=<value>')")
      .flag("force", 'f', &o->force, "Do not prompt for confirmation");
  c->run([o](Context& ctx, const std::vector<std::string>&) {
    auto eng = ctx.engine();
    if (!eng.ok()) return ctx.fail(eng.error());
    if (!o->force) {
      auto listed = (*eng)->volumes().prune(o->filters, true);
      if (!listed.ok()) return ctx.fail(listed.error());
      if (listed->empty()) return 0;
      std::string names;
      for (auto& r : *listed) names += r.name + "\n";
      if (!confirm(ctx, "WARNING! This will remove all volumes not used by at least one container. The following "
                        "volumes will be removed:\n" +
                            names + "Are you sure you want to continue? [y/N] "))
        return 0;
    }
    auto reports = (*eng)->volumes().prune(o->filters, false);
    if (!reports.ok()) return ctx.fail(reports.error());
    std::vector<Error> errors;
    for (auto& r : *reports) {
      if (r.error)
        errors.push_back(*r.error);
      else
        ctx.out(r.name + "\n");
    }
    if (errors.empty()) return 0;
    for (size_t i = 0; i + 1 < errors.size(); ++i) ctx.err("Error: " + errors[i].what() + "\n");
    return ctx.fail(errors.back());
  });
  return c;
}

// --- exists -----------------------------------------------------------------

std::unique_ptr<Command> existsCommand() {
  auto c = std::make_unique<Command>("exists VOLUME", "Check if volume exists");
  c->args(1, 1)
      .description("If the named volume exists in local storage, podman volume exists exits with 0, otherwise the "
                   "exit code will be 1.")
      .example("podman volume exists myvol")
      .run([](Context& ctx, const std::vector<std::string>& args) {
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        auto e = (*eng)->volumes().exists(args[0]);
        if (!e.ok()) return ctx.fail(e.error());
        return *e ? 0 : 1;
      });
  return c;
}

// --- export / import ----------------------------------------------------------

std::unique_ptr<Command> exportCommand() {
  auto output = std::make_shared<std::string>();
  auto c = std::make_unique<Command>("export [options] VOLUME", "Export volumes");
  c->args(1, 1)
      .description("Exports contents of a volume as a tarball.")
      .example("podman volume export myvol --output myvol.tar")
      .flag("output", 'o', output.get(), "Write to a specified file (default: stdout, which must be redirected)")
      .run([output](Context& ctx, const std::vector<std::string>& args) {
        if (output->empty() && ::isatty(1))
          return ctx.fail(makeError(Code::kInvalidArgument, "expected at least one argument or --output: refusing "
                                                            "to write a tar archive to a terminal"));
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        if (auto v = (*eng)->volumes().inspect(args[0]); !v.ok()) return ctx.fail(v.error());
        UniqueFd file;
        int fd = 1;
        if (!output->empty() && *output != "-") {
          auto f = fs::openFd(*output, O_WRONLY | O_CREAT | O_TRUNC, 0644);
          if (!f.ok()) return ctx.fail(std::move(f).error().context(fmt::format("create {}", *output)));
          file = std::move(*f);
          fd = file.get();
        }
        if (auto s = (*eng)->volumes().exportTar(args[0], fd); !s.ok()) return ctx.fail(s.error());
        return 0;
      });
  return c;
}

std::unique_ptr<Command> importCommand() {
  auto c = std::make_unique<Command>("import VOLUME [SOURCE]", "Import a tarball contents into a podman volume");
  c->args(2, 2)
      .description("Imports contents into a podman volume from specified tarball (.tar, .tar.gz, .tgz, .bzip, "
                   ".tar.xz, .txz).")
      .example("podman volume import my_vol /home/user/import.tar")
      .run([](Context& ctx, const std::vector<std::string>& args) {
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        if (auto v = (*eng)->volumes().inspect(args[0]); !v.ok()) return ctx.fail(v.error());
        UniqueFd file;
        int fd = 0;
        if (args[1] != "-") {
          auto f = fs::openFd(args[1], O_RDONLY);
          if (!f.ok()) return ctx.fail(std::move(f).error().context(fmt::format("open {}", args[1])));
          file = std::move(*f);
          fd = file.get();
        }
        if (auto s = (*eng)->volumes().importTar(args[0], fd); !s.ok()) return ctx.fail(s.error());
        return 0;
      });
  return c;
}

// --- mount / unmount ------------------------------------------------------------

std::unique_ptr<Command> mountCommand() {
  auto c = std::make_unique<Command>("mount NAME", "Mount volume");
  c->args(1, 1)
      .description("Mount a volume and return the mountpoint")
      .example("podman volume mount myvol")
      .run([](Context& ctx, const std::vector<std::string>& args) {
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        for (auto& a : args) {
          auto mp = (*eng)->volumes().mount(a);
          if (!mp.ok()) return ctx.fail(mp.error());
          ctx.out(*mp + "\n");
        }
        return 0;
      });
  return c;
}

std::unique_ptr<Command> unmountCommand() {
  auto c = std::make_unique<Command>("unmount NAME", "Unmount volume");
  c->aliases({"umount"})
      .args(1, 1)
      .description("Unmount a volume")
      .example("podman volume unmount myvol")
      .run([](Context& ctx, const std::vector<std::string>& args) {
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        for (auto& a : args) {
          if (auto s = (*eng)->volumes().unmount(a); !s.ok()) return ctx.fail(s.error());
          ctx.out(a + "\n");
        }
        return 0;
      });
  return c;
}

}  // namespace

void addVolumeCommands(Command& root) {
  auto v = std::make_unique<Command>("volume", "Manage volumes");
  v->description("Volumes are created in and can be shared between containers");
  v->add(createCommand());
  v->add(lsCommand());
  v->add(inspectCommand());
  v->add(rmCommand());
  v->add(pruneCommand());
  v->add(existsCommand());
  v->add(exportCommand());
  v->add(importCommand());
  v->add(mountCommand());
  v->add(unmountCommand());
  root.add(std::move(v));
}

}  // namespace berth::cli
