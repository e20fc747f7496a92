// system df, prune, reset, migrate, renumber and check.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "base/timefmt.h"
#include "cli/commands.h"
#include "cli/container_cmds.h"
#include "cli/format/report.h"
#include "cli/output.h"
#include "runtime/select.h"

namespace berth::cli {

namespace {

// go-units HumanSize: "%.4g" with decimal units and no space ("1.5MB").
std::string humanSize4(double size) {
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  int i = 0;
  while (size >= 1000 && i < 8) {
    size /= 1000;
    ++i;
  }
  return fmt::format("{:.4g}{}", size, kUnits[i]);
}

// Reads one answer line; true for an answer starting with y or Y.
bool confirmed(Context& ctx, const std::string& question) {
  ctx.out(question);
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return !answer.empty() && (answer[0] == 'y' || answer[0] == 'Y');
}

std::unique_ptr<Command> dfCommand() {
  struct O {
    bool verbose = false;
    std::string format;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("df [options]", "Show podman disk usage");
  Command* cp = c.get();
  c->args(0, 0)
      .description("\n\tpodman system df\n\n\tShow podman disk usage\n\t")
      .flag("verbose", 'v', &o->verbose, "Show detailed information on disk usage")
      .flag("format", 0, &o->format, "Pretty-print images using a Go template")
      .run(orFail([o, cp](Context& ctx, const std::vector<std::string>&) -> Result<int> {
        auto* eng = TRY(ctx.engine());
        auto rep = TRY(eng->system().df());
        int64_t now = nowNanos() / 1000000000;
        if (o->verbose) {
          std::string out = "Images space usage:\n\n";
          std::vector<Json> rows;
          for (auto& i : rep.images)
            rows.push_back(Json{{"Repository", i.repository},
                                {"Tag", i.tag},
                                {"ImageID", i.image_id.substr(0, 12)},
                                {"Created", humanDuration(now - i.created) + " ago"},
                                {"Size", humanSize4(double(i.size))},
                                {"SharedSize", humanSize4(double(i.shared_size))},
                                {"UniqueSize", humanSize4(double(i.unique_size))},
                                {"Containers", i.containers}});
          auto text = format::renderRows(
              "table {{.Repository}}\t{{.Tag}}\t{{.ImageID}}\t{{.Created}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}"
              "\t{{.Containers}}",
              "", rows, {{"ImageID", "IMAGE ID"}, {"SharedSize", "SHARED SIZE"}, {"UniqueSize", "UNIQUE SIZE"}}, false);
          out += TRY(std::move(text));
          out += "\nContainers space usage:\n\n";
          rows.clear();
          for (auto& ct : rep.containers) {
            std::string cmd;
            for (auto& a : ct.command) cmd += (cmd.empty() ? "" : " ") + a;
            rows.push_back(Json{{"ContainerID", ct.container_id.substr(0, 12)},
                                {"Image", ct.image.substr(0, 12)},
                                {"Command", cmd},
                                {"LocalVolumes", ct.local_volumes},
                                {"RWSize", humanSize4(double(ct.rw_size))},
                                {"Created", humanDuration(now - ct.created) + " ago"},
                                {"Status", ct.status},
                                {"Names", ct.names}});
          }
          text = format::renderRows(
              "table {{.ContainerID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.RWSize}}\t{{.Created}}\t"
              "{{.Status}}\t{{.Names}}",
              "", rows, {{"ContainerID", "CONTAINER ID"}, {"LocalVolumes", "LOCAL VOLUMES"}, {"RWSize", "SIZE"}},
              false);
          out += TRY(std::move(text));
          out += "\nLocal Volumes space usage:\n\n";
          rows.clear();
          for (auto& v : rep.volumes)
            rows.push_back(Json{{"VolumeName", v.volume_name}, {"Links", v.links}, {"Size", humanSize4(double(v.size))}});
          text = format::renderRows("table {{.VolumeName}}\t{{.Links}}\t{{.Size}}", "", rows,
                                    {{"VolumeName", "VOLUME NAME"}}, false);
          out += TRY(std::move(text));
          ctx.out(out);
          return 0;
        }
        struct Sum {
          std::string type;
          int total = 0, active = 0;
          int64_t size = 0, reclaimable = 0;
        };
        Sum imgs{"Images"}, ctrs{"Containers"}, vols{"Local Volumes"};
        for (auto& i : rep.images) {
          imgs.total++;
          if (i.containers > 0) imgs.active++;
          else imgs.reclaimable += i.size;
          imgs.size += i.size;
        }
        for (auto& ct : rep.containers) {
          ctrs.total++;
          if (ct.status == "running") ctrs.active++;
          else ctrs.reclaimable += ct.rw_size;
          ctrs.size += ct.rw_size;
        }
        for (auto& v : rep.volumes) {
          vols.total++;
          vols.active += v.links;
          vols.size += v.size;
          vols.reclaimable += v.reclaimable_size;
        }
        std::vector<Json> rows;
        for (auto* s : {&imgs, &ctrs, &vols}) {
          int pct = s->size > 0 ? int(std::round(double(s->reclaimable) / double(s->size) * 100)) : 0;
          rows.push_back(Json{{"Type", s->type},
                              {"Total", s->total},
                              {"Active", s->active},
                              {"RawSize", s->size},
                              {"RawReclaimable", s->reclaimable},
                              {"Size", humanSize4(double(s->size))},
                              {"Reclaimable", fmt::format("{} ({}%)", humanSize4(double(s->reclaimable)), pct)}});
        }
        if (isJsonFormat(o->format)) {
          Json arr = Json::array();
          for (auto& r : rows)
            arr.push_back(Json{{"Type", r["Type"]}, {"Total", r["Total"]}, {"Active", r["Active"]},
                               {"Size", r["RawSize"]}, {"Reclaimable", r["RawReclaimable"]}});
          ctx.out(arr.dump() + "\n");
          return 0;
        }
        std::string table = "table {{.Type}}\t{{.Total}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}";
        return printRows(ctx, cp->changed("format") ? o->format : table, table, rows,
                         {{"Size", "SIZE"}, {"Reclaimable", "RECLAIMABLE"}}, false);
      }));
  return c;
}

std::unique_ptr<Command> pruneCommand() {
  struct O {
    bool force = false;
    api::SystemPruneRequest req;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("prune [options]", "Remove unused data");
  c->args(0, 0)
      .description("\n\tpodman system prune\n\n        Remove unused data\n")
      .example("podman system prune")
      .flag("force", 'f', &o->force, "Do not prompt for confirmation.  The default is false")
      .flag("all", 'a', &o->req.all, "Remove all unused data")
      .flag("volumes", 0, &o->req.volumes, "Prune volumes")
      .flag("filter", 0, &o->req.filters, "Provide filter values (e.g. 'label=<key>=<value>')")
      .run(orFail([o](Context& ctx, const std::vector<std::string>&) -> Result<int> {
        if (!o->force) {
          std::string vol = o->req.volumes ? "\n\t- all volumes not used by at least one container" : "";
          std::string q = o->req.all ? fmt::format("WARNING! This command removes:\n\t- all stopped containers\n\t- "
                                                   "all networks not used by at least one container{}\n\t- all images "
                                                   "without at least one container associated with them\n\t- all "
                                                   "build cache\n\nAre you sure you want to continue? [y/N] ",
                                                   vol)
                                     : fmt::format("WARNING! This command removes:\n\t- all stopped containers\n\t- "
                                                   "all networks not used by at least one container{}\n\t- all "
                                                   "dangling images\n\t- all dangling build cache\n\nAre you sure you "
                                                   "want to continue? [y/N] ",
                                                   vol);
          if (!confirmed(ctx, q)) return 0;
        }
        auto* eng = TRY(ctx.engine());
        auto rep = TRY(eng->system().prune(o->req));
        std::string out;
        auto section = [&](const char* title, const std::vector<api::PruneItem>& items) {
          if (items.empty()) return;
          out += std::string(title) + "\n";
          for (auto& i : items) out += i.id + "\n";
        };
        section("Deleted Containers", rep.containers);
        section("Deleted Pods", rep.pods);
        if (o->req.volumes) section("Deleted Volumes", rep.volumes);
        section("Deleted Images", rep.images);
        if (!rep.networks.empty()) {
          out += "Deleted Networks\n";
          for (auto& n : rep.networks) out += n + "\n";
        }
        out += "Total reclaimed space: " + humanSize4(double(rep.reclaimed)) + "\n";
        ctx.out(out);
        return 0;
      }));
  return c;
}

std::unique_ptr<Command> resetCommand() {
  auto force = std::make_shared<bool>(false);
  auto c = std::make_unique<Command>("reset [options]", "Reset podman storage");
  c->args(0, 0)
      .description("\n\tpodman system reset\n\n        Reset podman storage back to default state\n\n        All "
                   "containers will be stopped and removed, and all images, volumes, networks and container content "
                   "will be removed.\n")
      .flag("force", 'f', force.get(), "Do not prompt for confirmation")
      .run(orFail([force](Context& ctx, const std::vector<std::string>&) -> Result<int> {
        if (!*force &&
            !confirmed(ctx, "WARNING! This will remove:\n        - all containers\n        - all pods\n        - all "
                            "images\n        - all networks\n        - all build cache\n        - all machines\n     "
                            "   - all volumes\nAre you sure you want to continue? [y/N] "))
          return 0;
        auto* eng = TRY(ctx.engine());
        TRY(eng->system().reset());
        return 0;
      }));
  return c;
}

std::unique_ptr<Command> migrateCommand() {
  auto runtime = std::make_shared<std::string>();
  auto c = std::make_unique<Command>("migrate [options]", "Migrate containers");
  c->args(0, 0)
      .description("\n\tpodman system migrate\n\n        Migrate existing containers to a new version of Podman.\n")
      .flag("new-runtime", 0, runtime.get(), "Specify a new runtime for all containers")
      .run(orFail([runtime](Context& ctx, const std::vector<std::string>&) -> Result<int> {
        auto* eng = TRY(ctx.engine());
        TRY(eng->system().migrate(*runtime));
        return 0;
      }));
  return c;
}

std::unique_ptr<Command> renumberCommand() {
  auto c = std::make_unique<Command>("renumber", "Migrate lock numbers");
  c->args(0, 0)
      .description("\n\tpodman system renumber\n\n        Migrate lock numbers to handle a change in maximum number "
                   "of locks.\n        Mandatory after the number of locks in containers.conf is changed.\n")
      .run(orFail([](Context& ctx, const std::vector<std::string>&) -> Result<int> {
        auto* eng = TRY(ctx.engine());
        TRY(eng->system().renumber());
        return 0;
      }));
  return c;
}

std::string printCheck(const api::SystemCheckReport& r) {
  std::string out;
  if (!r.errors) return out;
  for (auto& [id, errs] : r.layers) out += fmt::format("Damaged layer {}:\n{}", id, multiError(errs));
  for (auto& id : r.removed_layers) out += fmt::format("Deleted damaged layer: {}\n", id);
  for (auto& [id, errs] : r.images) out += fmt::format("Damaged image {}:\n{}", id, multiError(errs));
  for (auto& id : r.removed_images) out += fmt::format("Deleted damaged image: {}\n", id);
  for (auto& [id, errs] : r.containers) out += fmt::format("Damaged container {}:\n{}", id, multiError(errs));
  for (auto& id : r.removed_containers) out += fmt::format("Deleted damaged container: {}\n", id);
  return out;
}

std::unique_ptr<Command> checkCommand() {
  struct O {
    api::SystemCheckRequest req;
    std::string max;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("check [options]", "Check storage consistency");
  Command* cp = c.get();
  c->args(0, 0)
      .description("\n\tpodman system check\n\n        Check storage for consistency and remove anything that looks "
                   "damaged\n")
      .example("podman system check")
      .flag("quick", 'q', &o->req.quick, "Skip time-consuming checks. The default is to include time-consuming checks")
      .flag("repair", 'r', &o->req.repair, "Remove inconsistent images")
      .flag("force", 'f', &o->req.force, "Remove inconsistent images and containers")
      .flag("max", 'm', &o->max, "Maximum allowed age of unreferenced layers")
      .run(orFail([o, cp](Context& ctx, const std::vector<std::string>&) -> Result<int> {
        api::SystemCheckRequest req = o->req;
        if (cp->changed("max")) req.max_age_ns = TRY(parseGoDuration(o->max));
        auto* eng = TRY(ctx.engine());
        auto rep = TRY(eng->system().check(req));
        ctx.out(printCheck(rep));
        if (!req.repair && !req.force) {
          if (rep.errors) return makeError(Code::kDataLoss, "damage detected in local storage");
          return 0;
        }
        api::SystemCheckRequest again = req;
        again.repair = again.force = false;
        auto after = TRY(eng->system().check(again));
        if (after.errors) return makeError(Code::kDataLoss, "damage in local storage still present after repair attempt");
        return 0;
      }));
  return c;
}

// berth's own: the explicit host change that lets crun run on a hybrid cgroup host.
std::unique_ptr<Command> moveControllersCommand() {
  auto c = std::make_unique<Command>("move-cgroup-controllers",
                                     "Move cgroup controllers off the unified hierarchy so crun can run");
  c->args(0, 0)
      .description("\n\tberth system move-cgroup-controllers\n\n        On a hybrid cgroup host, mounts each "
                   "controller of /sys/fs/cgroup/unified on a v1 hierarchy of its own\n        "
                   "(/sys/fs/cgroup/<name>). crun refuses hybrid hosts while the unified hierarchy\n        "
                   "holds a controller; afterwards berth chooses crun. A host change, undone by a reboot.\n")
      .run(orFail([](Context& ctx, const std::vector<std::string>&) -> Result<int> {
        auto before = runtime::detectCgroupLayout();
        if (before.mode == runtime::CgroupMode::kHybrid && before.unified_controllers.empty()) {
          ctx.out("no controller on the unified hierarchy: crun can run\n");
          return 0;
        }
        auto moved = TRY(runtime::moveUnifiedControllersToV1());
        for (auto& m : moved) ctx.out(fmt::format("moved {} to /sys/fs/cgroup/{}\n", m, m));
        auto choice = TRY(runtime::chooseDefaultRuntime(runtime::detectCgroupLayout()));
        ctx.out(fmt::format("default OCI runtime: {} ({})\n", choice.name, choice.reason));
        return 0;
      }));
  return c;
}

}  // namespace

void addSystemAdminCommands(Command& root) {
  Command* sys = root.find("system");
  if (!sys) return;
  sys->add(dfCommand());
  sys->add(pruneCommand());
  sys->add(resetCommand());
  sys->add(migrateCommand());
  sys->add(renumberCommand());
  sys->add(checkCommand());
  sys->add(moveControllersCommand());
}

}  // namespace berth::cli
