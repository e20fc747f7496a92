// Container listing and inspection: ps (container list), container inspect.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <optional>

#include "base/log.h"
#include "base/timefmt.h"
#include "cli/container_cmds.h"
#include "cli/output.h"

namespace berth::cli {

std::string portsText(const std::vector<api::PortMapping>& ports);

namespace {

using api::ContainerStatus;
using api::ContainerSummary;

std::string statusText(const ContainerSummary& s) {
  int64_t now = nowNanos();
  switch (s.status) {
    case ContainerStatus::kRunning:
      // podman's ps: the health status, when the container has a healthcheck.
      return "Up " + humanDuration((now - s.started_at) / 1000000000) + (s.health.empty() ? "" : " (" + s.health + ")");
    case ContainerStatus::kPaused:
      return "Paused";
    case ContainerStatus::kStopping:
      return "stopping";  // podman prints the state itself
    case ContainerStatus::kStorage:
      return "Storage";
    case ContainerStatus::kExited:
    case ContainerStatus::kStopped:
      return fmt::format("Exited ({}) {} ago", s.exit_code, humanDuration((now - s.exited_at) / 1000000000));
    default:
      return "Created";
  }
}

// podman's ListContainerNamespaces JSON names (omitempty).
Json namespacesJson(const ContainerSummary& s) {
  Json ns(Json::value_t::object);
  for (auto [kernel, key] : {std::pair{"mnt", "Mnt"}, {"cgroup", "Cgroup"}, {"ipc", "Ipc"}, {"net", "Net"},
                             {"pid", "Pidns"}, {"uts", "Uts"}, {"user", "User"}})
    if (auto it = s.namespaces.find(kernel); it != s.namespaces.end())
      ns.get_ref<Json::object_t&>().emplace_back(key, it->second);
  return ns;
}

Json psJson(const ContainerSummary& s) {
  Json j;
  j["AutoRemove"] = s.auto_remove;
  j["Command"] = s.command;
  j["CreatedAt"] = humanDuration((nowNanos() - s.created) / 1000000000) + " ago";
  j["Exited"] = s.exited;
  j["ExitedAt"] = s.exited_at ? s.exited_at / 1000000000 : int64_t(-62135596800);
  j["ExitCode"] = s.exit_code;
  j["Id"] = s.id;
  j["Image"] = s.image;
  j["ImageID"] = s.image_id;
  j["IsInfra"] = s.is_infra;
  if (s.labels.empty()) j["Labels"] = nullptr;
  else
    for (auto& [k, v] : s.labels) j["Labels"][k] = v;
  j["Mounts"] = Json::array();
  j["Names"] = s.names;
  j["Namespaces"] = namespacesJson(s);
  j["Networks"] = s.networks;
  j["Pid"] = s.pid;
  j["Pod"] = s.pod;
  j["PodName"] = s.pod_name;
  if (s.ports.empty()) {
    j["Ports"] = nullptr;
  } else {
    j["Ports"] = Json::array();
    for (auto& p : s.ports)
      j["Ports"].push_back(Json{{"host_ip", p.host_ip}, {"container_port", p.container_port},
                                {"host_port", p.host_port}, {"range", p.range == 0 ? 1 : p.range},
                                {"protocol", p.protocol.empty() ? "tcp" : p.protocol}});
  }
  j["Restarts"] = s.restarts;
  j["Size"] = s.size_rw >= 0 ? Json{{"rwSize", s.size_rw}, {"rootFsSize", s.size_root_fs}} : Json(nullptr);
  j["StartedAt"] = s.started_at ? s.started_at / 1000000000 : int64_t(-62135596800);
  j["State"] = std::string(api::statusName(s.status));
  j["Status"] = statusText(s);
  j["Created"] = s.created / 1000000000;
  return j;
}

// The row the table and --format templates read: psJson's fields as text where the table shows
// text, and the --ns columns. Built by appending each key once (an ordered object's operator[]
// searches its keys: 40 keys a row made that a third of `ps -a` with 1000 containers).
// The fields a Go template names (`.ID`, `.Namespaces.NET`...), or none when it may use the
// whole row (`{{json .}}`, `{{.}}`): a thousand rows are built with only those.
std::optional<std::set<std::string, std::less<>>> templateFields(std::string_view t) {
  std::set<std::string, std::less<>> out;
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '.') continue;
    size_t j = i + 1;
    while (j < t.size() && ident(t[j])) ++j;
    if (j == i + 1) {
      if (i > 0 && ident(t[i - 1])) continue;  // a number's point
      return std::nullopt;                      // "." alone: the whole row
    }
    out.emplace(t.substr(i + 1, j - i - 1));
    i = j - 1;
  }
  return out;
}

// `only`: the fields to fill (templateFields), all when null.
Json psRow(const ContainerSummary& s, bool no_trunc, int64_t now, const std::set<std::string, std::less<>>* only) {
  Json r(Json::value_t::object);
  auto& m = r.get_ref<Json::object_t&>();
  m.reserve(40);
  auto want = [only](std::string_view k) { return !only || only->count(k); };
  // The value is computed only for a wanted field.
  auto put = [&](const char* k, auto&& value) {
    if (want(k)) m.emplace_back(k, Json(value()));
  };
  auto command = [&] {
    std::string cmd = fmt::format("{}", fmt::join(s.command, " "));
    if (!no_trunc && cmd.size() > 17) cmd = cmd.substr(0, 17) + "...";
    return cmd;
  };
  auto age = [&] { return humanDuration((now - s.created) / 1000000000) + " ago"; };
  auto labels = [&] {
    Json l(Json::value_t::object);
    for (auto& [k, v] : s.labels) l.get_ref<Json::object_t&>().emplace_back(k, v);
    return l;
  };
  auto nsv = [&](const char* k) {
    return [&s, k] {
      auto it = s.namespaces.find(k);
      return it == s.namespaces.end() ? std::string() : it->second;
    };
  };
  put("AutoRemove", [&] { return s.auto_remove; });
  put("Command", command);
  put("CreatedAt", [&] { return formatGoTime(s.created); });
  put("Exited", [&] { return s.exited; });
  put("ExitedAt", [&] { return s.exited_at ? s.exited_at / 1000000000 : int64_t(-62135596800); });
  put("ExitCode", [&] { return s.exit_code; });
  put("Id", [&] { return s.id; });
  put("Image", [&] { return s.image; });
  put("ImageID", [&] { return s.image_id; });
  put("IsInfra", [&] { return s.is_infra; });
  put("Labels", labels);
  put("Mounts", [&] { return ""; });
  put("Names", [&] { return s.names[0]; });
  put("Namespaces", [&] { return namespacesJson(s); });
  put("Networks", [&] { return fmt::format("{}", fmt::join(s.networks, ",")); });
  put("Pid", [&] { return s.pid; });
  put("Pod", [&] { return no_trunc ? s.pod : s.pod.substr(0, 12); });
  put("PodName", [&] { return s.pod_name; });
  put("Ports", [&] { return portsText(s.ports); });
  put("Restarts", [&] { return s.restarts; });
  put("Size", [&] { return s.size_rw >= 0 ? fmt::format("{} (virtual {})", humanSize(double(s.size_rw)),
                                           humanSize(double(s.size_root_fs)))
                             : std::string(); });
  put("StartedAt", [&] { return s.started_at ? s.started_at / 1000000000 : int64_t(-62135596800); });
  put("State", [&] { return std::string(api::statusName(s.status)); });
  put("Status", [&] { return statusText(s); });
  put("Created", [&] { return s.created / 1000000000; });
  put("ID", [&] { return no_trunc ? s.id : shortId(s.id); });
  put("CreatedHuman", age);
  put("RunningFor", age);
  // podman's template names for --ns: .Namespaces.X is rewritten to .X.
  put("Cgroup", nsv("cgroup"));
  put("IPC", nsv("ipc"));
  put("MNT", nsv("mnt"));
  put("NET", nsv("net"));
  put("PIDNS", nsv("pid"));
  put("User", nsv("user"));
  put("UTS", nsv("uts"));
  return r;
}

}  // namespace

namespace {

struct PsOpts {
  bool all = false, quiet = false, latest = false, size = false, no_trunc = false, noheading = false, ns = false;
  bool pod = false, external = false, sync = false;
  int last = -1, watch = 0;
  std::string format, sort;  // "": podman's list order, newest first
  std::vector<std::string> filters;
};

// podman's ps checkFlags.
Status checkPsFlags(const PsOpts& o) {
  auto invalid = [](const char* msg) -> Status { return Error(Code::kInvalidArgument, msg); };
  if (o.last >= 0 && o.latest) return invalid("last and latest are mutually exclusive");
  if (o.quiet && (o.size || o.ns)) return invalid("quiet conflicts with size and namespace");
  if (o.size && o.ns) return invalid("size and namespace options conflict");
  if (o.watch > 0 && o.latest) return invalid("the watch and latest flags cannot be used together");
  if (o.watch < 0) return invalid("invalid --watch: must not be negative");
  static const std::set<std::string> kSorts = {"command", "created", "id", "image", "names", "runningfor", "size", "status"};
  if (!o.sort.empty() && !kSorts.count(o.sort))
    return invalid("invalid option for --sort, options are: command, created, id, image, names, runningfor, size, or status");
  for (auto& f : o.filters)
    if (f.find('=') == std::string::npos) return makeError(Code::kInvalidArgument, "invalid filter {:?}", f);
  return {};
}

Result<std::vector<ContainerSummary>> listSorted(api::ContainerService& svc, const PsOpts& o) {
  api::ContainerListRequest req{o.all, o.last, o.latest, o.size, o.filters};
  req.namespaces = o.ns;
  // --external: containers/storage's containers of other tools (buildah's) too.
  req.external = o.external;
  auto cs = TRY(svc.list(req));
  // The key is chosen once, not in every comparison (a thousand containers make ten thousand).
  enum class Key { kNewest, kId, kImage, kNames, kStatus, kSize, kCommand, kRunningFor, kCreated };
  static const std::map<std::string, Key, std::less<>> kKeys = {
      {"id", Key::kId},         {"image", Key::kImage},     {"names", Key::kNames},
      {"status", Key::kStatus}, {"size", Key::kSize},       {"command", Key::kCommand},
      {"runningfor", Key::kRunningFor}, {"created", Key::kCreated}};
  auto k = kKeys.find(o.sort);
  const Key key = k == kKeys.end() ? Key::kNewest : k->second;
  std::vector<std::string> commands;  // --sort command: each joined once
  if (key == Key::kCommand)
    for (auto& c : cs) commands.push_back(fmt::format("{}", fmt::join(c.command, " ")));
  // Indices are sorted, then the summaries moved into place once.
  std::vector<size_t> order(cs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t i, size_t j) {
    const ContainerSummary &a = cs[i], &b = cs[j];
    switch (key) {
      case Key::kId: return a.id < b.id;
      case Key::kImage: return a.image < b.image;
      case Key::kNames: return a.names[0] < b.names[0];
      case Key::kStatus: return api::statusName(a.status) < api::statusName(b.status);
      case Key::kSize: return a.size_rw < b.size_rw;
      case Key::kCommand: return commands[i] < commands[j];
      // podman: --sort runningfor orders by start time and --sort created by creation time,
      // both oldest first; with no --sort the list is newest first.
      case Key::kRunningFor: return a.started_at < b.started_at;
      case Key::kCreated: return a.created < b.created;
      case Key::kNewest: break;
    }
    return a.created > b.created;
  });
  std::vector<ContainerSummary> sorted;
  sorted.reserve(cs.size());
  for (size_t i : order) sorted.push_back(std::move(cs[i]));
  cs = std::move(sorted);
  return cs;
}

int printPs(Context& ctx, const PsOpts& o, bool format_changed, const std::vector<ContainerSummary>& cs) {
  if (isJsonFormat(o.format)) {
    Json arr = Json::array();
    for (auto& s : cs) arr.push_back(psJson(s));
    ctx.out(Context::jsonIndent(arr, 4) + "\n");
    return 0;
  }
  if (o.quiet && !format_changed) {
    for (auto& s : cs) ctx.out((o.no_trunc ? s.id : shortId(s.id)) + "\n");
    return 0;
  }
  std::vector<Json> rows;
  rows.reserve(cs.size());
  std::optional<log::PhaseTimer> phase_rows(std::in_place, "ps: rows");
  const int64_t now = nowNanos();
  std::string def;
  if (o.ns) {
    def = "table {{.ID}}\t{{.Names}}\t{{.Pid}}\t{{.Cgroup}}\t{{.IPC}}\t{{.MNT}}\t{{.NET}}\t{{.PIDNS}}\t{{.User}}\t{{.UTS}}";
  } else {
    def = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
    if (o.pod) def += "\t{{.Pod}}\t{{.PodName}}";
    if (o.size) def += "\t{{.Size}}";
  }
  std::string f = o.quiet ? "{{.ID}}" : o.format;
  static const std::string kNs = ".Namespaces.";
  for (size_t at; (at = f.find(kNs)) != std::string::npos;) f.replace(at, kNs.size(), ".");
  // Only what the template names is put in the rows (headers come from the names alone).
  auto only = templateFields(f.empty() ? def : f);
  for (auto& s : cs) rows.push_back(psRow(s, o.no_trunc, now, only ? &*only : nullptr));
  phase_rows.reset();
  LOG_PHASE("ps: print");
  return printRows(ctx, f, def, std::move(rows),
                   {{"ID", "CONTAINER ID"}, {"CreatedHuman", "CREATED"}, {"CreatedAt", "CREATED AT"},
                    {"RunningFor", "CREATED"}, {"Names", "NAMES"}, {"Pod", "POD ID"}, {"PodName", "PODNAME"},
                    {"Cgroup", "CGROUPNS"}, {"User", "USERNS"}},
                   o.noheading);
}

}  // namespace

// podman's portsToString: "0.0.0.0:8080->80/tcp, 127.0.0.1:9000-9001->9000-9001/udp".
std::string portsText(const std::vector<api::PortMapping>& ports) {
  std::vector<std::string> out;
  for (auto& p : ports) {
    std::string ip = p.host_ip.empty() ? "0.0.0.0" : p.host_ip;
    uint16_t r = p.range == 0 ? 1 : p.range;
    std::string protos = p.protocol.empty() ? "tcp" : p.protocol;
    size_t start = 0;
    while (start <= protos.size()) {
      size_t comma = protos.find(',', start);
      std::string proto = protos.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      start = comma == std::string::npos ? protos.size() + 1 : comma + 1;
      if (r == 1)
        out.push_back(fmt::format("{}:{}->{}/{}", ip, p.host_port, p.container_port, proto));
      else
        out.push_back(fmt::format("{}:{}-{}->{}-{}/{}", ip, p.host_port, p.host_port + r - 1, p.container_port,
                                  p.container_port + r - 1, proto));
    }
  }
  return fmt::format("{}", fmt::join(out, ", "));
}

std::unique_ptr<Command> portCommand() {
  struct O {
    bool all = false, latest = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("port [options] CONTAINER [PORT]", "List port mappings or a specific mapping for the container");
  c->flag("all", 'a', &o->all, "Display port information for all containers")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .run(orFail([o](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        auto* svc = TRY(containerService(ctx));
        std::vector<std::string> names;
        std::string want;
        if (o->all) {
          if (args.size() > 1 || o->latest)
            return makeError(Code::kInvalidArgument, "the 'all' and 'latest' options cannot be used with each other");
          api::ContainerListRequest req;
          for (auto& s : TRY(svc->list(req))) names.push_back(s.id);
          if (!args.empty()) want = args[0];
        } else if (o->latest) {
          names.push_back(TRY(svc->latestId()));
          if (!args.empty()) want = args[0];
        } else {
          if (args.empty()) return makeError(Code::kInvalidArgument, "you must supply a running container name or id");
          names.push_back(args[0]);
          if (args.size() > 1) want = args[1];
          if (args.size() > 2) return makeError(Code::kInvalidArgument, "`port` accepts at most 2 arguments");
        }
        if (!want.empty() && want.find('/') == std::string::npos) want += "/tcp";
        if (!want.empty()) {
          auto slash = want.find('/');
          std::string num = want.substr(0, slash);
          if (num.empty() || num.find_first_not_of("0123456789") != std::string::npos || std::stoul(num) > 65535)
            return makeError(Code::kInvalidArgument, "invalid port {:?}", num);
        }
        bool found = false;
        for (auto& n : names) {
          auto j = TRY(svc->inspect(n, false));
          if (!j["State"].value("Running", false)) {
            if (o->all) continue;
            return makeError(Code::kFailedPrecondition, "cannot get port of a container that is not running: container state improper");
          }
          const Json& ports = j["NetworkSettings"]["Ports"];
          if (o->all && ports.is_object() && !ports.empty()) ctx.out(j["Id"].get<std::string>().substr(0, 12) + "\n");
          if (!ports.is_object()) continue;
          for (auto& [key, list] : ports.items()) {
            if (!list.is_array()) continue;
            for (auto& b : list) {
              std::string ip = b.value("HostIp", "");
              if (ip.empty()) ip = "0.0.0.0";
              if (want.empty()) {
                ctx.out(fmt::format("{} -> {}:{}\n", key, ip, b.value("HostPort", "")));
              } else if (key == want) {
                ctx.out(fmt::format("{}:{}\n", ip, b.value("HostPort", "")));
                found = true;
              }
            }
          }
        }
        if (!want.empty() && !found && !o->all)
          return makeError(Code::kInvalidArgument, "failed to find published port {:?}", want);
        return 0;
      }));
  return c;
}

std::unique_ptr<Command> psCommand(std::string use, std::vector<std::string> aliases) {
  auto o = std::make_shared<PsOpts>();
  auto c = std::make_unique<Command>(std::move(use), "List containers");
  Command* self = c.get();
  c->aliases(std::move(aliases)).args(0, 0)
      .description("Prints out information about the containers")
      .flag("all", 'a', &o->all, "Show all the containers, default is only running containers")
      .flag("external", 0, &o->external, "Show containers in storage not controlled by Podman")
      .sliceFlag("filter", 'f', &o->filters, "Filter output based on conditions given")
      .flag("format", 0, &o->format, "Pretty-print containers to JSON or using a Go template")
      .flag("last", 'n', &o->last, "Print the n last created containers (all states)")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .flag("ns", 0, &o->ns, "Display namespace information")
      .flag("noheading", 0, &o->noheading, "Do not print headers")
      .flag("no-trunc", 0, &o->no_trunc, "Display the extended information")
      .flag("pod", 'p', &o->pod, "Print the ID and name of the pod the containers are associated with")
      .flag("quiet", 'q', &o->quiet, "Print the numeric IDs of the containers only")
      .flag("size", 's', &o->size, "Display the total file sizes")
      .flag("sort", 0, &o->sort, "Sort output by: command, created, id, image, names, runningfor, size, status")
      .flag("sync", 0, &o->sync, "Sync container state with OCI runtime")
      .flag("watch", 'w', &o->watch, "Watch the ps output on an interval in seconds")
      .run(orFail([o, self](Context& ctx, const std::vector<std::string>&) -> Result<int> {
        TRY(checkPsFlags(*o));
        // --sync: berth syncs every container that may have changed on every listing.
        auto* svc = TRY(containerService(ctx));
        bool format_changed = self->changed("format");
        if (o->watch == 0) return printPs(ctx, *o, format_changed, TRY(listSorted(*svc, *o)));
        while (true) {
          auto cs = TRY(listSorted(*svc, *o));
          ctx.out("\033[2J\033[1;1H");  // clear the screen, cursor home (podman's tm.Clear/MoveCursor)
          if (int rc = printPs(ctx, *o, format_changed, cs); rc != 0) return rc;
          ::sleep(unsigned(o->watch));
        }
      }));
  return c;
}

std::unique_ptr<Command> containerInspectCommand() {
  struct O {
    std::string format;
    bool latest = false, size = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("inspect [options] CONTAINER [CONTAINER...]", "Display the configuration of a container");
  c->flag("format", 'f', &o->format, "Format the output to a Go template or json")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .flag("size", 's', &o->size, "Display total file size")
      .run(orFail([o](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        auto [svc, names] = TRY(openTargets(ctx, args, o->latest));
        if (names.empty()) return makeError(Code::kInvalidArgument, "no names or ids specified");
        Json arr = Json::array();
        std::vector<Error> errors;
        for (auto& n : names) {
          auto j = svc->inspect(n, o->size);
          if (!j.ok()) {
            errors.push_back(j.error().code() == Code::kNotFound ? makeError(Code::kNotFound, "no such container {}", n) : j.error());
            continue;
          }
          arr.push_back(*j);
        }
        if (o->format.empty() || isJsonFormat(o->format)) ctx.out(Context::jsonIndent(arr, 5) + "\n");
        else
          for (auto& j : arr)
            if (int r = printTemplate(ctx, inspectFormat(o->format, false), j); r) return r;
        for (auto& e : errors) ctx.err("Error: " + e.what() + "\n");
        return errors.empty() ? 0 : kExitEngineError;
      }));
  return c;
}

}  // namespace berth::cli
