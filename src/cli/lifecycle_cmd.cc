// Container lifecycle commands: start, stop, kill, restart, pause, unpause, wait, rm, prune,
// init, cleanup, rename, exists.
#include <unistd.h>

#include <algorithm>
#include <set>

#include "base/fs.h"
#include "base/timefmt.h"
#include "cli/container_cmds.h"
#include "cli/resource_flags.h"

namespace berth::cli {

std::unique_ptr<Command> startCommand() {
  struct O {
    bool attach = false, interactive = false, all = false, latest = false, sig_proxy = false;
    std::string detach_keys = "ctrl-p,ctrl-q";
    std::vector<std::string> filters;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("start [options] CONTAINER [CONTAINER...]", "Start one or more containers");
  Command* self = c.get();
  c->description("Starts one or more containers.  The container name or ID can be used.")
      .flag("attach", 'a', &o->attach, "Attach container's STDOUT and STDERR")
      .flag("interactive", 'i', &o->interactive, "Make STDIN available to the contained process")
      .flag("all", 0, &o->all, "Start all containers regardless of their state or configuration")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .flag("detach-keys", 0, &o->detach_keys, "Select the key sequence for detaching a container.")
      .flag("sig-proxy", 0, &o->sig_proxy, "Proxy received signals to the process (default true if attaching, false otherwise)")
      .sliceFlag("filter", 'f', &o->filters, "Filter output based on conditions given")
      .run(orFail([o, self](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        // podman's validateStart.
        auto invalid = [](const char* msg) { return Error(Code::kInvalidArgument, msg); };
        if (args.empty() && !o->latest && !o->all && o->filters.empty())
          return invalid("start requires at least one argument");
        if (o->all && o->latest) return invalid("--all and --latest cannot be used together");
        if (!args.empty() && o->latest) return invalid("--latest and containers cannot be used together");
        if (args.size() > 1 && o->attach) return invalid("you cannot start and attach multiple containers at once");
        if ((!args.empty() || o->latest) && o->all)
          return invalid("either start all containers or the container(s) provided in the arguments");
        if (o->attach && o->all) return invalid("you cannot start and attach all containers at once");
        // Signals are proxied when attached, unless --sig-proxy=false says otherwise.
        bool sig_proxy = self->changed("sig-proxy") ? o->sig_proxy : o->attach;
        if (sig_proxy && !o->attach)
          return invalid("you cannot use sig-proxy without --attach: invalid argument");
        auto [svc, names] = TRY(openTargets(ctx, args, o->latest));
        // --all and --filter select by ID, and the IDs are what start prints.
        if (o->all || !o->filters.empty()) names = TRY(selectIds(*svc, o->filters, names));
        if (o->attach) {
          if (names.empty()) return 0;
          auto insp = TRY(svc->inspect(names[0], false));
          api::AttachStreams st;
          st.in = o->interactive ? 0 : -1;
          st.tty = insp["Config"].value("Tty", false);
          st.detach_keys = o->detach_keys;
          st.proxy_signals = sig_proxy;
          auto code = svc->start(names[0], &st);
          if (!code.ok()) return ctx.fail(code.error(), Phase::kStart);
          return *code < 0 ? 0 : *code;
        }
        // podman reports nothing for a container that is already running. Only the named
        // containers are looked at (a list of all of them syncs every running one).
        std::set<std::string> running;
        api::ContainerListRequest named;
        named.all = true;
        for (auto& n : names)
          if (auto id = svc->resolveId(n); id.ok()) named.filters.push_back("id=" + *id);
        if (!named.filters.empty())
          for (auto& s : TRY(svc->list(named)))
            if (s.status == api::ContainerStatus::kRunning || s.status == api::ContainerStatus::kStopping)
              running.insert(s.id);
        int rc = 0;
        for (auto& n : names) {
          if (auto id = svc->resolveId(n); id.ok() && running.count(*id)) continue;
          auto r = svc->start(n, nullptr);
          if (!r.ok()) {
            rc = ctx.fail(r.error(), Phase::kStart);
            continue;
          }
          ctx.out(n + "\n");
        }
        return rc;
      }));
  return c;
}

std::unique_ptr<Command> stopCommand() {
  struct O {
    Selection sel;
    bool ignore = false;
    int timeout = 10;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("stop [options] CONTAINER [CONTAINER...]", "Stop one or more containers");
  Command* self = c.get();
  c->description("Stops one or more running containers.  The container name or ID can be used.");
  o->sel.addFlags(*c, "Stop all running containers", true, true);
  c->flag("ignore", 'i', &o->ignore, "Ignore errors when a specified container is missing")
      .flag("time", 't', &o->timeout, "Seconds to wait for stop before killing the container")
      .hiddenFlag("timeout", &o->timeout)  // podman's deprecated spelling of --time
      .run(orFail([o, self](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        auto [svc, names] = TRY(o->sel.resolve(ctx, *self, args));
        api::ContainerStopRequest req;
        req.names = std::move(names);
        req.all = o->sel.all;
        req.ignore = o->ignore;
        if (self->changed("time") || self->changed("timeout")) req.timeout = o->timeout;
        return reportNames(ctx, TRY(svc->stop(req)), o->sel.printIds());
      }));
  return c;
}

std::unique_ptr<Command> killCommand() {
  struct O {
    Selection sel;
    std::string signal = "KILL";
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("kill [options] CONTAINER [CONTAINER...]", "Kill one or more running containers with a specific signal");
  Command* self = c.get();
  c->description("The main process inside each container specified will be sent SIGKILL, or any signal specified with option --signal.");
  o->sel.addFlags(*c, "Signal all running containers", true, false);
  c->flag("signal", 's', &o->signal, "Signal to send to the container")
      .run(orFail([o, self](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        auto [svc, names] = TRY(o->sel.resolve(ctx, *self, args));
        return reportNames(ctx, TRY(svc->kill(names, o->sel.all, o->signal)), o->sel.printIds());
      }));
  return c;
}

std::unique_ptr<Command> restartCommand() {
  struct O {
    Selection sel;
    bool running = false;
    int timeout = 10;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("restart [options] CONTAINER [CONTAINER...]", "Restart one or more containers");
  Command* self = c.get();
  c->description("Restarts one or more running containers. The container ID or name can be used.");
  o->sel.addFlags(*c, "Restart all non-running containers", true, true);
  c->flag("running", 0, &o->running, "Restart only running containers")
      .flag("time", 't', &o->timeout, "Seconds to wait for stop before killing the container")
      .run(orFail([o, self](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        auto [svc, names] = TRY(o->sel.resolve(ctx, *self, args));
        std::optional<int> t;
        if (self->changed("time")) t = o->timeout;
        if (o->running) {
          // Only the running containers among the selection (podman restarts every
          // running one, whatever was named: docs/compat.md).
          std::vector<std::string> running;
          for (auto& s : TRY(svc->list(api::ContainerListRequest{}))) {
            bool selected = o->sel.all;
            for (auto& n : names) selected = selected || TRY(svc->resolveId(n)) == s.id;
            if (selected) running.push_back(s.id);
          }
          return reportNames(ctx, TRY(svc->restart(running, false, t)), true);
        }
        return reportNames(ctx, TRY(svc->restart(names, o->sel.all, t)), o->sel.printIds());
      }));
  return c;
}

std::unique_ptr<Command> pauseCommand(bool pause) {
  auto sel = std::make_shared<Selection>();
  auto c = std::make_unique<Command>(pause ? "pause [options] CONTAINER [CONTAINER...]" : "unpause [options] CONTAINER [CONTAINER...]",
                                     pause ? "Pause all the processes in one or more containers"
                                           : "Unpause the processes in one or more containers");
  Command* self = c.get();
  sel->addFlags(*c, pause ? "Pause all running containers" : "Unpause all paused containers", true, true);
  c->run(orFail([sel, pause, self](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
    auto [svc, names] = TRY(sel->resolve(ctx, *self, args));
    auto res = TRY(pause ? svc->pause(names, sel->all) : svc->unpause(names, sel->all));
    return reportNames(ctx, res, sel->printIds());
  }));
  return c;
}

std::unique_ptr<Command> waitCommand() {
  struct O {
    std::vector<std::string> conditions;
    std::string interval = "250ms";
    bool latest = false, ignore = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("wait [options] CONTAINER [CONTAINER...]", "Block on one or more containers");
  c->description("Block until one or more containers stop and then print their exit codes.")
      .sliceFlag("condition", 0, &o->conditions, "Condition to wait on")
      .flag("interval", 'i', &o->interval, "Time Interval to wait before polling for completion")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .flag("ignore", 0, &o->ignore, "Ignore if a container does not exist")
      .run(orFail([o](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        auto [svc, names] = TRY(openTargets(ctx, args, o->latest));
        if (names.empty()) return makeError(Code::kInvalidArgument, "you must provide at least one container name or ID");
        auto interval = parseGoDuration(o->interval);
        int64_t ms = 250;
        if (interval.ok()) ms = *interval / 1000000;
        else {
          try {
            ms = std::stoll(o->interval);
          } catch (...) {
            return interval.error();
          }
        }
        int rc = 0;
        for (auto& n : names) {
          auto code = svc->wait(n, o->conditions, ms);
          if (!code.ok()) {
            if (o->ignore && code.error().code() == Code::kNotFound) {
              ctx.out("-1\n");
              continue;
            }
            rc = ctx.fail(code.error());
            continue;
          }
          ctx.out(std::to_string(*code) + "\n");
        }
        return rc;
      }));
  return c;
}

std::unique_ptr<Command> rmCommand(std::string use) {
  struct O {
    Selection sel;
    bool force = false, ignore = false, volumes = false, depend = false;
    int timeout = 10;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>(std::move(use), "Remove one or more containers");
  Command* self = c.get();
  c->description("Removes one or more containers from the host. The container name or ID can be used.");
  o->sel.addFlags(*c, "Remove all containers", true, true, 0);
  c->flag("force", 'f', &o->force, "Force removal of a running or unusable container")
      .flag("ignore", 'i', &o->ignore, "Ignore errors when a specified container is missing")
      .flag("volumes", 'v', &o->volumes, "Remove anonymous volumes associated with the container")
      .flag("time", 't', &o->timeout, "Seconds to wait for stop before killing the container")
      .flag("depend", 0, &o->depend, "Remove container and all containers that depend on the selected container")
      .run(orFail([o, self](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        if (self->changed("time") && !o->force)
          return makeError(Code::kInvalidArgument, "--force option must be specified to use the --time option");
        auto [svc, names] = TRY(o->sel.resolve(ctx, *self, args, o->ignore));
        api::ContainerRemoveRequest req;
        req.names = std::move(names);
        req.all = o->sel.all;
        req.force = o->force;
        req.ignore = o->ignore;
        req.volumes = o->volumes;
        req.depend = o->depend;
        if (self->changed("time")) req.timeout = o->timeout;
        RemoveExitCode rc(RemoveExitCode::Kind::kContainer);
        for (auto& r : TRY(svc->remove(req))) {
          if (r.error) {
            // podman: with --force a container that does not exist is no error.
            if (o->force && r.error->code() == Code::kNotFound) continue;
            ctx.err("Error: " + r.error->what() + "\n");
            rc.add(*r.error);
            continue;
          }
          if (!r.id.empty()) ctx.out((o->sel.printIds() ? r.id : r.name) + "\n");
        }
        return rc.code();
      }));
  return c;
}

std::unique_ptr<Command> containerPruneCommand() {
  struct O {
    bool force = false;
    std::vector<std::string> filters;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("prune [options]", "Remove all non running containers");
  c->args(0, 0)
      .flag("force", 'f', &o->force, "Do not prompt for confirmation.  The default is false")
      .flag("filter", 0, &o->filters, "Provide filter values (e.g. 'label=<key>=<value>')")
      .run(orFail([o](Context& ctx, const std::vector<std::string>&) -> Result<int> {
        if (!o->force) {
          ctx.out("WARNING! This will remove all non running containers.\nAre you sure you want to continue? [y/N] ");
          char buf[16] = {};
          ssize_t n = ::read(0, buf, sizeof buf - 1);
          if (n <= 0 || (buf[0] != 'y' && buf[0] != 'Y')) return 0;
        }
        auto* svc = TRY(containerService(ctx));
        for (auto& [id, size] : TRY(svc->prune(o->filters))) ctx.out(id + "\n");
        return 0;
      }));
  return c;
}

std::unique_ptr<Command> renameCommand() {
  auto c = std::make_unique<Command>("rename CONTAINER NAME", "Rename an existing container");
  c->args(2, 2).run(orFail([](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
    auto* svc = TRY(containerService(ctx));
    TRY(svc->rename(args[0], args[1]));
    return 0;
  }));
  return c;
}

std::unique_ptr<Command> updateCommand() {
  auto o = std::make_shared<ResourceOpts>();
  auto c = std::make_unique<Command>("update [options] CONTAINER", "Update an existing container");
  c->args(1, 1).description("Updates the cgroup configuration of a given container");
  addResourceFlags(*c, *o, true);
  c->run(orFail([o](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
    api::SpecGenerator patch;
    TRY(applyResourceOpts(*o, patch, true));
    if (!patch.resource_limits && patch.weight_device.empty() && patch.throttle_read_bps_device.empty() &&
        patch.throttle_write_bps_device.empty() && patch.throttle_read_iops_device.empty() &&
        patch.throttle_write_iops_device.empty())
      return makeError(Code::kInvalidArgument, "update of container {}: no resource flag given", args[0]);
    auto* svc = TRY(containerService(ctx));
    ctx.out(TRY(svc->update(args[0], patch)) + "\n");
    return 0;
  }));
  return c;
}

std::unique_ptr<Command> containerExistsCommand() {
  auto c = std::make_unique<Command>("exists [options] CONTAINER", "Check if a container exists in local storage");
  // --external also counts containers/storage's containers of other tools (buildah's).
  auto external = std::make_shared<bool>(false);
  c->args(1, 1)
      .flag("external", 0, external.get(), "Check external storage containers as well as Podman containers")
      .run(orFail([external](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
    auto* svc = TRY(containerService(ctx));
    return TRY(svc->exists(args[0], *external)) ? 0 : 1;
  }));
  return c;
}

std::unique_ptr<Command> initCommand() {
  auto sel = std::make_shared<Selection>();
  auto c = std::make_unique<Command>("init [options] CONTAINER [CONTAINER...]", "Initialize one or more containers");
  Command* self = c.get();
  sel->addFlags(*c, "Initialize all containers", false, false);
  c->run(orFail([sel, self](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
    auto [svc, names] = TRY(sel->resolve(ctx, *self, args));
    if (sel->all) names = TRY(selectIds(*svc, {}));
    int rc = 0;
    for (auto& n : names) {
      auto s = svc->init(n);
      if (!s.ok()) {
        // podman: initializing all skips the containers in a state that cannot be initialized.
        if (sel->all && s.error().code() == Code::kFailedPrecondition) continue;
        rc = ctx.fail(s.error());
        continue;
      }
      ctx.out(n + "\n");
    }
    return rc;
  }));
  return c;
}

std::unique_ptr<Command> cleanupCommand() {
  struct O {
    Selection sel;
    bool rm = false, rmi = false;
    std::string exec;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("cleanup [options] CONTAINER [CONTAINER...]", "Clean up network and mountpoints of one or more containers");
  Command* self = c.get();
  o->sel.addFlags(*c, "Cleans up all containers", false, false);
  c->flag("rm", 0, &o->rm, "After cleanup, remove the container entirely")
      .flag("rmi", 0, &o->rmi, "After cleanup, remove the image entirely")
      .flag("exec", 0, &o->exec, "Clean up the given exec session instead of the container")
      .run(orFail([o, self](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        if (!o->exec.empty()) {
          if (o->sel.all) return makeError(Code::kInvalidArgument, "exec and all options conflict");
          if (args.size() > 1)
            return makeError(Code::kInvalidArgument, "cannot use exec option when more than one container is given");
          if (o->rmi) return makeError(Code::kInvalidArgument, "exec and rmi options conflict");
          // berth keeps no exec session records: an exec session ends with its process.
          return makeError(Code::kUnimplemented,
                           "--exec: berth keeps no exec sessions to clean up (a session ends with its process)");
        }
        auto [svc, names] = TRY(o->sel.resolve(ctx, *self, args));
        if (o->sel.all) names = TRY(selectIds(*svc, {}));
        auto& images = TRY(ctx.engine())->images();
        int rc = 0;
        for (auto& n : names) {
          std::string image;
          if (o->rmi) {
            auto insp = svc->inspect(n, false);
            if (insp.ok()) image = insp->value("Image", "");
          }
          if (auto s = svc->cleanup(n, o->rm); !s.ok()) {
            rc = ctx.fail(s.error());
            continue;
          }
          if (!image.empty()) {
            auto rep = images.remove(api::ImageRemoveRequest{{image}, false, false, false});
            if (!rep.ok()) {
              rc = ctx.fail(rep.error());
              continue;
            }
            if (!rep->errors.empty()) {
              for (auto& e : rep->errors) rc = ctx.fail(e);
              continue;
            }
          }
          ctx.out(n + "\n");
        }
        return rc;
      }));
  return c;
}

}  // namespace berth::cli
