// Pod commands: pod create, ps, inspect, start, stop, restart, kill, pause, unpause, rm, prune,
// exists, top, logs, stats.
#include <unistd.h>

#include <algorithm>
#include <set>

#include "base/fs.h"
#include "base/timefmt.h"
#include "cli/commands.h"
#include "cli/container_cmds.h"
#include "cli/context.h"
#include "cli/create_flags.h"
#include "cli/format/tabwriter.h"
#include "cli/output.h"
#include "specgen/specgen.h"

namespace berth::cli {

namespace {

Result<api::PodService*> podService(Context& ctx) {
  auto* svc = TRY(ctx.engine());
  return &svc->pods();
}

std::map<std::string, std::string> keyValues(const std::vector<std::string>& items) {
  std::map<std::string, std::string> out;
  for (auto& i : items) {
    auto eq = i.find('=');
    out[i.substr(0, eq)] = eq == std::string::npos ? "" : i.substr(eq + 1);
  }
  return out;
}

// The pods named (or --latest, or the IDs in --pod-id-file files).
Result<std::vector<std::string>> podNames(Context& ctx, api::PodService& svc, const std::vector<std::string>& args,
                                          bool latest, const std::vector<std::string>& id_files, bool all = false) {
  std::vector<std::string> names = args;
  if (all && latest) return makeError(Code::kInvalidArgument, "--all and --latest cannot be used together");
  if (latest && !args.empty()) return makeError(Code::kInvalidArgument, "--latest and pods cannot be used together");
  if (latest) names.push_back(TRY(svc.latestId()));
  for (auto& f : id_files) {
    auto id = fs::readFile(f);
    if (!id.ok()) return std::move(id).error().context("reading pod ID file");
    std::string s = *id;
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    names.push_back(s);
  }
  return names;
}

Status checkSelection(const std::vector<std::string>& names, bool all) {
  if (all && !names.empty())
    return makeError(Code::kInvalidArgument, "--all, --latest and pods cannot be used together");
  if (!all && names.empty()) return makeError(Code::kInvalidArgument, "you must provide at least one name or id");
  return {};
}

// Prints each pod's ID, then the errors; a missing pod exits 1 (podman's pod rm), others 125.
int reportPods(Context& ctx, const std::vector<api::PodReport>& reports, bool missing_is_1 = false) {
  int rc = 0;
  std::vector<Error> errors;
  for (auto& r : reports) {
    if (!r.error) {
      ctx.out(r.id + "\n");
      continue;
    }
    int code = missing_is_1 && r.error->code() == Code::kNotFound ? 1 : kExitEngineError;
    if (rc == 0 || code == kExitEngineError) rc = code;
    errors.push_back(*r.error);
  }
  for (auto& e : errors) ctx.err("Error: " + e.what() + "\n");
  return rc;
}

// --- create -----------------------------------------------------------------------------

std::unique_ptr<Command> podCreateCommand() {
  struct O {
    CreateOpts net;  // the network flags, shared with create/run
    std::string name, hostname, exit_policy = "continue", infra_image, infra_command, infra_name, share;
    std::string pod_id_file, infra_conmon_pidfile, cgroup_parent;
    std::vector<std::string> labels, label_files;
    bool infra = true, replace = false, share_parent = true;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("create [options] [NAME]", "Create a new empty pod");
  Command* self = c.get();
  c->args(0, 1)
      .description("After creating the pod, the pod ID is printed to stdout.\n\n  You can then start it at any time with "
                   "the  podman pod start <pod_id> command. The pod will be created with the\n  initial state "
                   "'created'.")
      .example("podman pod create\n  podman pod create --label foo=bar mypod")
      .flag("name", 'n', &o->name, "Assign a name to the pod")
      .flag("hostname", 0, &o->hostname, "Set a hostname to the pod")
      .flag("exit-policy", 0, &o->exit_policy, "Behaviour when the last container exits")
      .flag("infra", 0, &o->infra, "Create an infra container associated with the pod to share namespaces with")
      .flag("infra-image", 0, &o->infra_image, "Image to use to override builtin infra container")
      .flag("infra-command", 0, &o->infra_command, "Overwrite the default ENTRYPOINT of the image")
      .flag("infra-name", 0, &o->infra_name, "Assign a name to the container")
      .flag("infra-conmon-pidfile", 0, &o->infra_conmon_pidfile, "Path to the file that will receive the PID of conmon")
      .flag("share", 0, &o->share, "A comma delimited list of kernel namespaces the pod will share")
      .flag("share-parent", 0, &o->share_parent, "Set the pod's cgroup as the cgroup parent for all containers joining the pod")
      .flag("cgroup-parent", 0, &o->cgroup_parent, "Optional parent cgroup for the container")
      .flag("pod-id-file", 0, &o->pod_id_file, "Write the pod ID to the file")
      .flag("replace", 0, &o->replace, "If a pod with the same name exists, replace it")
      .flag("label", 'l', &o->labels, "Set metadata on container")
      .flag("label-file", 0, &o->label_files, "Read in a line delimited file of labels")
      .flag("network", 0, &o->net.network, "Connect a container to a network")
      .flag("ip", 0, &o->net.ip, "Specify a static IPv4 address for the container")
      .flag("ip6", 0, &o->net.ip6, "Specify a static IPv6 address for the container")
      .flag("mac-address", 0, &o->net.mac_address, "Container MAC address (e.g. 92:d0:c6:0a:29:33)")
      .sliceFlag("network-alias", 0, &o->net.network_alias, "Add network-scoped alias for the container")
      .sliceFlag("publish", 'p', &o->net.publish, "Publish a container's port, or a range of ports, to the host (default [])")
      .sliceFlag("dns", 0, &o->net.dns, "Set custom DNS servers")
      .sliceFlag("dns-search", 0, &o->net.dns_search, "Set custom DNS search domains")
      .sliceFlag("dns-option", 0, &o->net.dns_option, "Set custom DNS options")
      .sliceFlag("add-host", 0, &o->net.add_host, "Add a custom host-to-IP mapping (host:ip) (default [])")
      .flag("no-hosts", 0, &o->net.no_hosts, "Do not create /etc/hosts within the pod's containers");
  c->run(orFail([o, self](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
    api::PodCreateRequest req;
    req.name = o->name;
    if (!args.empty()) {
      if (!o->name.empty() && o->name != args[0])
        return makeError(Code::kInvalidArgument, "cannot specify --name and NAME at the same time");
      req.name = args[0];
    }
    req.hostname = o->hostname;
    req.exit_policy = o->exit_policy;
    req.infra = o->infra;
    req.infra_image = o->infra_image;
    if (!o->infra_command.empty()) req.infra_command = {o->infra_command};
    req.infra_name = o->infra_name;
    if (self->changed("share")) req.share = o->share;
    req.share_parent = o->share_parent;
    req.replace = o->replace;
    req.create_command = rawArgv();
    for (auto& f : o->label_files) {
      auto text = fs::readFile(f);
      if (!text.ok()) return std::move(text).error().context("reading label file");
      size_t start = 0;
      while (start < text->size()) {
        size_t nl = text->find('\n', start);
        std::string line = text->substr(start, nl == std::string::npos ? std::string::npos : nl - start);
        start = nl == std::string::npos ? text->size() : nl + 1;
        if (!line.empty() && line[0] != '#') o->labels.insert(o->labels.begin(), line);
      }
    }
    req.labels = keyValues(o->labels);
    if (!o->infra && (self->changed("infra-image") || self->changed("infra-command") || self->changed("infra-name")))
      return makeError(Code::kInvalidArgument, "cannot set infra options (--infra-image, --infra-command, --infra-name) "
                                               "when not creating an infra container");
    req.network = TRY(networkConfig(o->net));
    if (!o->pod_id_file.empty() && fs::exists(o->pod_id_file))
      return makeError(Code::kAlreadyExists, "pod id file exists. Ensure another pod is not using it or delete {}",
                       o->pod_id_file);
    auto* svc = TRY(podService(ctx));
    std::string id = TRY(svc->create(req));
    if (!o->pod_id_file.empty()) TRY(fs::writeFileAtomic(o->pod_id_file, id));
    ctx.out(id + "\n");
    return 0;
  }));
  return c;
}

// --- ps -----------------------------------------------------------------------------------

std::unique_ptr<Command> podPsCommand() {
  struct O {
    std::string format, sort = "created";
    std::vector<std::string> filters;
    bool quiet = false, noheading = false, no_trunc = false, ctr_names = false, ctr_ids = false, ctr_status = false;
    bool ns = false, latest = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("ps [options]", "List pods");
  c->aliases({"ls", "list"})
      .args(0, 0)
      .description("List all pods on system including their names, ids and current state.")
      .flag("ctr-ids", 0, &o->ctr_ids, "Display the container UUIDs. If no-trunc is not set they will be truncated")
      .flag("ctr-names", 0, &o->ctr_names, "Display the container names")
      .flag("ctr-status", 0, &o->ctr_status, "Display the container status")
      .flag("filter", 'f', &o->filters, "Filter output based on conditions given")
      .flag("format", 0, &o->format, "Pretty-print pods to JSON or using a Go template")
      .flag("latest", 'l', &o->latest, "Act on the latest pod podman is aware of")
      .flag("noheading", 0, &o->noheading, "Do not print headers")
      .flag("no-trunc", 0, &o->no_trunc, "Do not truncate pod and container IDs")
      .flag("ns", 0, &o->ns, "Display namespace information of the pod")
      .flag("quiet", 'q', &o->quiet, "Print the numeric IDs of the pods only")
      .flag("sort", 0, &o->sort, "Sort output by created, id, name, or number");
  c->run(orFail([o](Context& ctx, const std::vector<std::string>&) -> Result<int> {
    static const std::set<std::string> kSorts = {"created", "id", "name", "number", "status"};
    if (!kSorts.count(o->sort))
      return makeError(Code::kInvalidArgument, "invalid option for --sort, options are: created, id, name, number, or status");
    auto* svc = TRY(podService(ctx));
    auto pods = TRY(svc->list(o->filters));
    std::stable_sort(pods.begin(), pods.end(), [&](const api::PodSummary& a, const api::PodSummary& b) {
      if (o->sort == "id") return a.id < b.id;
      if (o->sort == "name") return a.name < b.name;
      if (o->sort == "number") return a.containers.size() > b.containers.size();
      if (o->sort == "status") return a.status < b.status;
      return a.created > b.created;
    });
    if (o->latest && !pods.empty()) {
      auto newest = std::max_element(pods.begin(), pods.end(), [](auto& a, auto& b) { return a.created < b.created; });
      pods = {*newest};
    }
    auto idOf = [&](const std::string& id) { return o->no_trunc ? id : shortId(id); };
    if (o->quiet) {
      for (auto& p : pods) ctx.out(idOf(p.id) + "\n");
      return 0;
    }
    if (isJsonFormat(o->format)) {
      Json arr = Json::array();
      for (auto& p : pods) arr.push_back(api::podSummaryToJson(p));
      ctx.out(Context::jsonIndent(arr, 4) + "\n");
      return 0;
    }
    std::vector<Json> rows;
    for (auto& p : pods) {
      std::vector<std::string> ids, names, statuses;
      for (auto& c : p.containers) {
        ids.push_back(idOf(c.id));
        names.push_back(c.name);
        statuses.push_back(c.status);
      }
      rows.push_back(Json{{"ID", idOf(p.id)},
                          {"Id", idOf(p.id)},
                          {"Name", p.name},
                          {"Status", p.status},
                          {"Created", humanDuration((nowNanos() - p.created) / 1000000000) + " ago"},
                          {"CreatedAt", formatGoTime(p.created)},
                          {"InfraID", idOf(p.infra_id)},
                          {"InfraId", idOf(p.infra_id)},
                          {"NumberOfContainers", p.containers.size()},
                          {"ContainerIds", fmt::format("{}", fmt::join(ids, ","))},
                          {"ContainerNames", fmt::format("{}", fmt::join(names, ","))},
                          {"ContainerStatuses", fmt::format("{}", fmt::join(statuses, ","))},
                          {"Labels", p.labels.empty() ? Json::object() : Json(p.labels)},
                          {"Networks", fmt::format("{}", fmt::join(p.networks, ","))},
                          {"Cgroup", p.cgroup},
                          {"Namespace", ""}});
    }
    std::string def = "table {{.ID}}\t{{.Name}}\t{{.Status}}\t{{.Created}}\t{{.InfraID}}";
    if (o->ns) def += "\t{{.Cgroup}}";
    if (!o->ctr_ids && !o->ctr_names && !o->ctr_status) def += "\t{{.NumberOfContainers}}";
    if (o->ctr_ids) def += "\t{{.ContainerIds}}";
    if (o->ctr_names) def += "\t{{.ContainerNames}}";
    if (o->ctr_status) def += "\t{{.ContainerStatuses}}";
    return printRows(ctx, o->format, def, rows,
                     {{"ID", "POD ID"}, {"Id", "POD ID"}, {"InfraID", "INFRA ID"}, {"InfraId", "INFRA ID"},
                      {"NumberOfContainers", "# OF CONTAINERS"}, {"ContainerIds", "IDS"},
                      {"ContainerNames", "NAMES"}, {"ContainerStatuses", "STATUS"}, {"CreatedAt", "CREATED AT"}},
                     o->noheading);
  }));
  return c;
}

// --- inspect, exists ------------------------------------------------------------------------

std::unique_ptr<Command> podInspectCommand() {
  struct O {
    std::string format;
    bool latest = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("inspect [options] POD [POD...]", "Displays a pod configuration");
  c->args(0, -1)
      .description("Display the configuration for a pod by name or id\n\n  By default, this will render all results in "
                   "a JSON array.")
      .flag("format", 'f', &o->format, "Format the output to a Go template or json")
      .flag("latest", 'l', &o->latest, "Act on the latest pod podman is aware of");
  c->run(orFail([o](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
    auto* svc = TRY(podService(ctx));
    auto names = TRY(podNames(ctx, *svc, args, o->latest, {}));
    if (names.empty()) return makeError(Code::kInvalidArgument, "you must provide the name or id of a pod");
    std::vector<Json> found;
    for (auto& n : names) found.push_back(TRY(svc->inspect(n)));
    if (o->format.empty() || isJsonFormat(o->format)) {
      // podman 4.3.1 prints one object for one pod.
      ctx.out(Context::jsonIndent(found.size() == 1 ? found[0] : Json(found), 5) + "\n");
      return 0;
    }
    for (auto& j : found) {
      Json data = j;
      data["ID"] = j["Id"];
      // Fields podman's JSON omits when empty but its templates still know.
      for (const char* k : {"Namespace", "CgroupParent", "CgroupPath"})
        if (!data.contains(k)) data[k] = "";
      for (auto& ctr : data["Containers"]) ctr["ID"] = ctr["Id"];
      if (int r = printTemplate(ctx, inspectFormat(o->format, false), data); r != 0) return r;
    }
    return 0;
  }));
  return c;
}

std::unique_ptr<Command> podExistsCommand() {
  auto c = std::make_unique<Command>("exists POD", "Check if a pod exists in local storage");
  c->args(1, 1)
      .description("If the named pod exists in local storage, podman pod exists exits with 0, otherwise the exit "
                   "code will be 1.")
      .run(orFail([](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        auto* svc = TRY(podService(ctx));
        return TRY(svc->exists(args[0])) ? 0 : 1;
      }));
  return c;
}

// --- lifecycle ----------------------------------------------------------------------------

// start, restart, pause, unpause: POD... | --all | --latest.
std::unique_ptr<Command> podSimpleCommand(
    std::string use, std::string short_help, bool id_file,
    std::function<Result<std::vector<api::PodReport>>(api::PodService&, const std::vector<std::string>&, bool)> op) {
  struct O {
    bool all = false, latest = false;
    std::vector<std::string> id_files;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>(use + " [options] POD [POD...]", short_help);
  c->args(0, -1)
      .flag("all", 'a', &o->all, "Act on all pods")
      .flag("latest", 'l', &o->latest, "Act on the latest pod podman is aware of");
  if (id_file) c->flag("pod-id-file", 0, &o->id_files, "Read the pod ID from the file");
  c->run(orFail([o, op](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
    auto* svc = TRY(podService(ctx));
    auto names = TRY(podNames(ctx, *svc, args, o->latest, o->id_files, o->all));
    TRY(checkSelection(names, o->all));
    return reportPods(ctx, TRY(op(*svc, names, o->all)));
  }));
  return c;
}

std::unique_ptr<Command> podStopCommand() {
  struct O {
    bool all = false, latest = false, ignore = false;
    int time = 10;
    std::vector<std::string> id_files;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("stop [options] POD [POD...]", "Stop one or more pods");
  Command* self = c.get();
  c->args(0, -1)
      .description("The pod name or ID can be used.\n\n  This command will stop all running containers in each of the "
                   "specified pods.")
      .flag("all", 'a', &o->all, "Stop all running pods")
      .flag("ignore", 'i', &o->ignore, "Ignore errors when a specified pod is missing")
      .flag("latest", 'l', &o->latest, "Act on the latest pod podman is aware of")
      .flag("pod-id-file", 0, &o->id_files, "Read the pod ID from the file")
      .flag("time", 't', &o->time, "Seconds to wait for pod stop before killing the container");
  c->run(orFail([o, self](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
    auto* svc = TRY(podService(ctx));
    auto names = TRY(podNames(ctx, *svc, args, o->latest, o->id_files, o->all));
    TRY(checkSelection(names, o->all));
    api::PodStopRequest req;
    req.names = names;
    req.all = o->all;
    req.ignore = o->ignore;
    if (self->changed("time")) req.timeout = o->time;
    auto reps = TRY(svc->stop(req));
    if (o->ignore) reps.erase(std::remove_if(reps.begin(), reps.end(), [](auto& r) { return r.id.empty() && !r.error; }),
                              reps.end());
    return reportPods(ctx, reps);
  }));
  return c;
}

std::unique_ptr<Command> podKillCommand() {
  struct O {
    bool all = false, latest = false;
    std::string signal = "KILL";
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("kill [options] POD [POD...]", "Send the specified signal or SIGKILL to containers in pod");
  c->args(0, -1)
      .flag("all", 'a', &o->all, "Kill all containers in all pods")
      .flag("latest", 'l', &o->latest, "Act on the latest pod podman is aware of")
      .flag("signal", 's', &o->signal, "Signal to send to the containers in the pod");
  c->run(orFail([o](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
    // The signal is checked before any pod is looked up (podman: "invalid signal: X").
    TRY(specgen::parseSignal(o->signal));
    auto* svc = TRY(podService(ctx));
    auto names = TRY(podNames(ctx, *svc, args, o->latest, {}, o->all));
    TRY(checkSelection(names, o->all));
    return reportPods(ctx, TRY(svc->kill(names, o->all, o->signal)));
  }));
  return c;
}

std::unique_ptr<Command> podRmCommand() {
  struct O {
    bool all = false, force = false, ignore = false, latest = false;
    int time = 10;
    std::vector<std::string> id_files;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("rm [options] POD [POD...]", "Remove one or more pods");
  Command* self = c.get();
  c->aliases({"remove"})
      .args(0, -1)
      .description("podman rm will remove one or more stopped pods and their containers from the host.\n\n  The pod "
                   "name or ID can be used.  A pod with containers will not be removed without --force. If --force "
                   "is specified, all containers will be stopped, then removed.")
      .flag("all", 'a', &o->all, "Remove all running pods")
      .flag("force", 'f', &o->force, "Force removal of a running pod by first stopping all containers, then removing all containers in the pod.  The default is false")
      .flag("ignore", 'i', &o->ignore, "Ignore errors when a specified pod is missing")
      .flag("latest", 'l', &o->latest, "Act on the latest pod podman is aware of")
      .flag("pod-id-file", 0, &o->id_files, "Read the pod ID from the file")
      .flag("time", 't', &o->time, "Seconds to wait for pod stop before killing the container");
  c->run(orFail([o, self](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
    auto* svc = TRY(podService(ctx));
    auto names = TRY(podNames(ctx, *svc, args, o->latest, o->id_files, o->all));
    TRY(checkSelection(names, o->all));
    api::PodRemoveRequest req;
    req.names = names;
    req.all = o->all;
    req.force = o->force;
    req.ignore = o->ignore;
    if (self->changed("time")) req.timeout = o->time;
    auto reps = TRY(svc->remove(req));
    // A missing pod ignored (--force, --ignore) prints nothing.
    reps.erase(std::remove_if(reps.begin(), reps.end(), [](auto& r) { return r.id.empty() && !r.error; }), reps.end());
    return reportPods(ctx, reps, true);
  }));
  return c;
}

std::unique_ptr<Command> podPruneCommand() {
  auto force = std::make_shared<bool>(false);
  auto c = std::make_unique<Command>("prune [options]", "Remove all stopped pods and their containers");
  c->args(0, 0)
      .flag("force", 'f', force.get(), "Do not prompt for confirmation.  The default is false")
      .run(orFail([force](Context& ctx, const std::vector<std::string>&) -> Result<int> {
        auto* svc = TRY(podService(ctx));
        if (!*force) {
          ctx.out("WARNING! This will remove all stopped/exited pods..\nAre you sure you want to continue? [y/N] ");
          std::string answer;
          char ch;
          while (::read(0, &ch, 1) == 1 && ch != '\n') answer += ch;
          if (answer.empty() || (answer[0] != 'y' && answer[0] != 'Y')) return 0;
        }
        return reportPods(ctx, TRY(svc->prune()));
      }));
  return c;
}

// --- top, logs, stats ------------------------------------------------------------------------

std::unique_ptr<Command> podTopCommand() {
  auto latest = std::make_shared<bool>(false);
  auto c = std::make_unique<Command>("top [options] POD [FORMAT-DESCRIPTORS|ARGS...]",
                                     "Display the running processes of containers in a pod");
  c->args(0, -1)
      .flag("latest", 'l', latest.get(), "Act on the latest pod podman is aware of")
      .run(orFail([latest](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        auto* svc = TRY(podService(ctx));
        std::vector<std::string> rest = args;
        std::string pod;
        if (*latest) pod = TRY(svc->latestId());
        else {
          if (rest.empty()) return makeError(Code::kInvalidArgument, "you must provide the name or id of a running pod");
          pod = rest[0];
          rest.erase(rest.begin());
        }
        std::string text;
        for (auto& row : TRY(svc->top(pod, rest))) text += fmt::format("{}\n", fmt::join(row, "\t"));
        format::TabWriter w(12, 2, 2, ' ', 0);
        w.write(text);
        w.flush();
        ctx.out(w.output());
        return 0;
      }));
  return c;
}

std::unique_ptr<Command> podLogsCommand() {
  struct O {
    bool follow = false, latest = false, names = false, timestamps = false;
    std::string container, since, until;
    int tail = -1;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("logs [options] POD", "Fetch logs for pod with one or more containers");
  c->args(0, 1)
      .flag("container", 'c', &o->container, "Filter logs by container name or id which belongs to pod")
      .flag("follow", 'f', &o->follow, "Follow log output.  The default is false")
      .flag("latest", 'l', &o->latest, "Act on the latest pod podman is aware of")
      .flag("names", 'n', &o->names, "Output container names instead of container IDs in the log")
      .flag("since", 0, &o->since, "Show logs since TIMESTAMP")
      .flag("until", 0, &o->until, "Show logs until TIMESTAMP")
      .flag("tail", 0, &o->tail, "Output the specified number of LINES at the end of the logs.  Defaults to -1, which prints all lines")
      .flag("timestamps", 't', &o->timestamps, "Output the timestamps in the log");
  c->run(orFail([o](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
    auto* svc = TRY(podService(ctx));
    std::string pod;
    if (o->latest && !args.empty()) return makeError(Code::kInvalidArgument, "--latest and pods cannot be used together");
    if (o->latest) pod = TRY(svc->latestId());
    else if (!args.empty()) pod = args[0];
    else return makeError(Code::kInvalidArgument, "podman pod logs requires a pod name or ID");
    auto pods = TRY(svc->list({"id=" + TRY(svc->resolveId(pod))}));
    if (pods.empty()) return makeError(Code::kNotFound, "no pod with name or ID {} found: no such pod", pod);
    api::LogsRequest req;
    for (auto& m : pods[0].containers) {
      if (m.id == pods[0].infra_id) continue;
      if (!o->container.empty() && m.name != o->container && m.id.rfind(o->container, 0) != 0) continue;
      req.names.push_back(m.id);
    }
    if (!o->container.empty() && req.names.empty())
      return makeError(Code::kNotFound, "container {} is not in pod {}: no such container", o->container, pod);
    if (req.names.empty()) return 0;
    req.follow = o->follow;
    req.timestamps = o->timestamps;
    req.tail = o->tail;
    req.names_prefix = true;
    req.use_names = o->names;
    if (!o->since.empty()) req.since = TRY(parseTimestampArg(o->since));
    if (!o->until.empty()) req.until = TRY(parseTimestampArg(o->until));
    auto* csvc = TRY(containerService(ctx));
    TRY(csvc->logs(req, [&](int stream, std::string_view line) {
      if (stream == 2) ctx.err(line);
      else ctx.out(line);
    }));
    return 0;
  }));
  return c;
}

std::unique_ptr<Command> podStatsCommand() {
  struct O {
    bool all = false, latest = false, no_stream = false, no_reset = false;
    std::string format;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("stats [options] [POD...]",
                                     "Display a live stream of resource usage statistics for the containers in one or more pods");
  c->args(0, -1)
      .flag("all", 'a', &o->all, "Provide stats for all pods")
      .flag("format", 0, &o->format, "Pretty-print container statistics to JSON or using a Go template")
      .flag("latest", 'l', &o->latest, "Act on the latest pod podman is aware of")
      .flag("no-reset", 0, &o->no_reset, "Disable resetting the screen when streaming")
      .flag("no-stream", 0, &o->no_stream, "Disable streaming stats and only pull the first result");
  c->run(orFail([o](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
    auto* svc = TRY(podService(ctx));
    auto names = TRY(podNames(ctx, *svc, args, o->latest, {}, o->all));
    if (o->all && !names.empty())
      return makeError(Code::kInvalidArgument, "--all, --latest and arguments cannot be used together");
    api::PodStatsRequest req;
    req.names = names;
    req.all = o->all;
    std::map<std::string, api::ContainerStats> previous;
    for (;;) {
      std::vector<Json> rows;
      Json arr = Json::array();
      for (auto& r : TRY(svc->stats(req, previous))) {
        arr.push_back(api::podStatsToJson(r));
        rows.push_back(arr.back());
      }
      if (isJsonFormat(o->format)) ctx.out(Context::jsonIndent(arr, 4) + "\n");
      else {
        if (!o->no_stream && !o->no_reset) ctx.out("\033[2J\033[0;0H");
        int r = printRows(ctx, o->format,
                          "table {{.Pod}}\t{{.CID}}\t{{.Name}}\t{{.CPU}}\t{{.MemUsage}}\t{{.Mem}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDS}}",
                          rows,
                          {{"Pod", "POD"}, {"CID", "CID"}, {"Name", "NAME"}, {"CPU", "CPU %"},
                           {"MemUsage", "MEM USAGE/ LIMIT"}, {"MemUsageBytes", "MEM USAGE/ LIMIT"}, {"Mem", "MEM %"},
                           {"NetIO", "NET IO"}, {"BlockIO", "BLOCK IO"}, {"PIDS", "PIDS"}},
                          false);
        if (r != 0) return r;
      }
      if (o->no_stream) return 0;
      ::sleep(1);
    }
  }));
  return c;
}

}  // namespace

void addPodCommands(Command& root) {
  auto p = std::make_unique<Command>("pod", "Manage pods");
  p->description("Pods are a group of one or more containers sharing the same network, pid and ipc namespaces.");
  p->add(podCreateCommand());
  p->add(podPsCommand());
  p->add(podInspectCommand());
  p->add(podExistsCommand());
  p->add(podSimpleCommand("start", "Start one or more pods", true,
                       [](api::PodService& s, const std::vector<std::string>& n, bool all) { return s.start(n, all); }));
  p->add(podStopCommand());
  p->add(podSimpleCommand("restart", "Restart one or more pods", false,
                       [](api::PodService& s, const std::vector<std::string>& n, bool all) { return s.restart(n, all); }));
  p->add(podKillCommand());
  p->add(podSimpleCommand("pause", "Pause one or more pods", false,
                       [](api::PodService& s, const std::vector<std::string>& n, bool all) { return s.pause(n, all); }));
  p->add(podSimpleCommand("unpause", "Unpause one or more pods", false,
                       [](api::PodService& s, const std::vector<std::string>& n, bool all) { return s.unpause(n, all); }));
  p->add(podRmCommand());
  p->add(podPruneCommand());
  p->add(podTopCommand());
  p->add(podLogsCommand());
  p->add(podStatsCommand());
  root.add(std::move(p));
}

}  // namespace berth::cli
