// system connection add/default/list/remove/rename and their `context` aliases: the named
// remote service destinations of podman 4.3.1, kept in the user's containers.conf.
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

#include "base/log.h"
#include "cli/commands.h"
#include "cli/context.h"
#include "cli/output.h"
#include "config/connections.h"

namespace berth::cli {

namespace {

Status notDefined(const std::string& name) {
  return makeError(Code::kNotFound,
                   "{:?} destination is not defined. See \"podman system connection add ...\" to create a connection",
                   name);
}

// podman's URL check: a scheme ("^[A-Za-z][A-Za-z0-9+.-]*://") or ssh by default.
bool hasScheme(const std::string& dest) {
  auto p = dest.find("://");
  if (p == std::string::npos || p == 0 || !std::isalpha(static_cast<unsigned char>(dest[0]))) return false;
  return std::all_of(dest.begin(), dest.begin() + long(p), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '.' || c == '-';
  });
}

struct AddOptions {
  std::string identity, socket_path, docker, ignored;
  int port = 22;
  bool make_default = false;
};

// Validates `dest` as podman's add does and returns the URI to record.
Result<std::string> destinationUri(const Command& cmd, std::string dest, const AddOptions& o) {
  if (!hasScheme(dest)) dest = "ssh://" + dest;
  std::string scheme = dest.substr(0, dest.find("://"));
  std::string rest = dest.substr(scheme.size() + 3);
  for (auto& ch : scheme) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  if (scheme == "ssh")
    return makeError(Code::kUnimplemented,
                     "ssh destinations ({}) are not supported by berth yet: use unix:///path or tcp://host:port", dest);
  if (scheme == "unix") {
    if (cmd.changed("identity")) return makeError(Code::kInvalidArgument, "--identity option not supported for unix scheme");
    std::string path = cmd.changed("socket-path") ? o.socket_path : rest;
    if (path.empty() || path[0] != '/') path = "/" + path;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) LOG_WARN("{:?} does not exists", path);
      else if (errno == EACCES) LOG_WARN("You do not have permission to read {:?}", path);
      else return sysError(errno, fmt::format("stat {}", path));
    } else if (!S_ISSOCK(st.st_mode)) {
      return makeError(Code::kInvalidArgument, "{:?} exists and is not a unix domain socket", path);
    }
    return "unix://" + path;
  }
  if (scheme == "tcp") {
    if (cmd.changed("socket-path"))
      return makeError(Code::kInvalidArgument, "--socket-path option not supported for tcp scheme");
    if (cmd.changed("identity")) return makeError(Code::kInvalidArgument, "--identity option not supported for tcp scheme");
    std::string hostport = rest.substr(0, rest.find('/'));
    auto colon = hostport.rfind(':');
    bool has_port = colon != std::string::npos && colon + 1 < hostport.size() &&
                    hostport.find(']', colon) == std::string::npos;
    if (!has_port)
      return makeError(Code::kInvalidArgument, "tcp scheme requires a port either via --port or in destination URL");
    return scheme + "://" + rest;
  }
  LOG_WARN("{:?} unknown scheme, no validation provided", scheme);
  return dest;
}

Status addDestination(const std::string& name, const std::string& uri, const std::string& identity,
                      std::optional<bool> make_default) {
  auto conns = TRY(config::readConnections());
  if (make_default && *make_default) conns.active = name;
  config::Destination d;
  d.uri = uri;
  d.identity = identity;
  // The first destination becomes the default (podman: when the table did not exist).
  if (conns.destinations.empty()) conns.active = name;
  conns.destinations[name] = d;
  return config::writeConnections(conns);
}

std::unique_ptr<Command> addCommand() {
  auto o = std::make_shared<AddOptions>();
  auto c = std::make_unique<Command>("add [options] NAME DESTINATION", "Record destination for the Podman service");
  Command* self = c.get();
  c->args(2, 2)
      .description("Add destination to podman configuration.\n  \"destination\" is one of the form:\n"
                   "    [user@]hostname (will default to ssh)\n"
                   "    ssh://[user@]hostname[:port][/path] (will obtain socket path from service, if not given.)\n"
                   "    tcp://hostname:port (not secured)\n    unix://path (absolute path required)")
      .flag("port", 'p', &o->port, "SSH port number for destination")
      .flag("identity", 0, &o->identity, "path to SSH identity file")
      .flag("socket-path", 0, &o->socket_path,
            "path to podman socket on remote host. (default '/run/podman/podman.sock' or "
            "'/run/user/{uid}/podman/podman.sock)")
      .flag("default", 'd', &o->make_default, "Set connection to be default")
      .run([o, self](Context& ctx, const std::vector<std::string>& args) {
        auto uri = destinationUri(*self, args[1], *o);
        if (!uri.ok()) return ctx.fail(uri.error());
        std::optional<bool> dflt;
        if (self->changed("default")) dflt = o->make_default;
        if (auto s = addDestination(args[0], *uri, o->identity, dflt); !s.ok()) return ctx.fail(s.error());
        return 0;
      });
  return c;
}

// `context create --docker host=URI NAME` (docker's spelling of add).
std::unique_ptr<Command> contextCreateCommand() {
  auto o = std::make_shared<AddOptions>();
  auto c = std::make_unique<Command>("create [options] NAME DESTINATION", "Record destination for the Podman service");
  c->args(1, 1)
      .flag("docker", 0, &o->docker, "Description of the context")
      .flag("description", 0, &o->ignored, "Ignored.  Just for script compatibility")
      .flag("from", 0, &o->ignored, "Ignored.  Just for script compatibility")
      .flag("kubernetes", 0, &o->ignored, "Ignored.  Just for script compatibility")
      .flag("default-stack-orchestrator", 0, &o->ignored, "Ignored.  Just for script compatibility")
      .run([o](Context& ctx, const std::vector<std::string>& args) {
        std::string dest = o->docker;
        if (auto eq = dest.find('='); eq != std::string::npos) {
          if (dest.substr(0, eq) != "host")
            return ctx.fail(makeError(Code::kInvalidArgument, "\"host\" is requited for --docker option"));
          dest = dest.substr(eq + 1);
          if (auto comma = dest.find(','); comma != std::string::npos)
            return ctx.fail(makeError(Code::kInvalidArgument, "--docker additional options {:?} not supported",
                                      dest.substr(comma + 1)));
        }
        if (!dest.empty() && !hasScheme(dest)) dest = "ssh://" + dest;
        if (dest.rfind("ssh://", 0) == 0)
          return ctx.fail(makeError(Code::kUnimplemented,
                                    "ssh destinations ({}) are not supported by berth yet: use unix:///path or "
                                    "tcp://host:port",
                                    dest));
        if (auto s = addDestination(args[0], dest, "", std::nullopt); !s.ok()) return ctx.fail(s.error());
        return 0;
      });
  return c;
}

struct ListOptions {
  std::string format;
  bool quiet = false;
};

int listConnections(Context& ctx, const ListOptions& o, const std::vector<std::string>* only) {
  auto conns = config::readConnections();
  if (!conns.ok()) return ctx.fail(conns.error());
  std::string format = o.format;
  if (format.empty() && only) format = "json";
  std::vector<Json> rows;
  for (auto& [name, d] : conns->destinations) {  // std::map: sorted by name as podman sorts
    if (only && std::find(only->begin(), only->end(), name) == only->end()) continue;
    if (o.quiet) {
      ctx.out(name + "\n");
      continue;
    }
    rows.push_back(Json{{"Name", name},
                        {"URI", d.uri},
                        {"Identity", d.identity},
                        {"IsMachine", d.is_machine},
                        {"Default", name == conns->active}});
  }
  if (o.quiet) return 0;
  if (isJsonFormat(format)) {
    ctx.out(Context::jsonIndent(Json(rows), 4) + "\n");
    return 0;
  }
  // podman prints this table's headers as written, not upper-cased: they go in as a first row.
  bool table = format.empty() || format.rfind("table", 0) == 0;
  if (table)
    rows.insert(rows.begin(), Json{{"Name", "Name"}, {"URI", "URI"}, {"Identity", "Identity"}, {"Default", "Default"}});
  return printRows(ctx, format, "table {{.Name}}\t{{.URI}}\t{{.Identity}}\t{{.Default}}", rows, {}, true);
}

std::unique_ptr<Command> listCommand() {
  auto o = std::make_shared<ListOptions>();
  auto c = std::make_unique<Command>("list [options]", "List destination for the Podman service(s)");
  c->aliases({"ls"})
      .args(0, 0)
      .description("List destination information for the Podman service(s) in podman configuration")
      .flag("format", 'f', &o->format, "Custom Go template for printing connections")
      .flag("quiet", 'q', &o->quiet, "Custom Go template for printing connections")
      .run([o](Context& ctx, const std::vector<std::string>&) { return listConnections(ctx, *o, nullptr); });
  return c;
}

std::unique_ptr<Command> inspectCommand() {
  auto o = std::make_shared<ListOptions>();
  auto c = std::make_unique<Command>("inspect [options] [CONTEXT] [CONTEXT...]",
                                     "Inspect destination for a Podman service(s)");
  c->flag("format", 'f', &o->format, "Custom Go template for printing connections")
      .flag("quiet", 'q', &o->quiet, "Custom Go template for printing connections")
      .run([o](Context& ctx, const std::vector<std::string>& args) { return listConnections(ctx, *o, &args); });
  return c;
}

std::unique_ptr<Command> removeCommand() {
  auto all = std::make_shared<bool>(false);
  auto force = std::make_shared<bool>(false);
  auto c = std::make_unique<Command>("remove [options] NAME", "Delete named destination");
  c->aliases({"rm"})
      .args(0, 1)
      .description("Delete named destination from podman configuration")
      .flag("all", 'a', all.get(), "Remove all connections")
      .hiddenFlag("force", force.get())
      .run([all](Context& ctx, const std::vector<std::string>& args) {
        if (!*all && args.size() != 1)
          return ctx.fail(makeError(Code::kInvalidArgument, "accepts 1 arg(s), received {}", args.size()));
        auto conns = config::readConnections();
        if (!conns.ok()) return ctx.fail(conns.error());
        if (*all) {
          conns->destinations.clear();
          conns->active.clear();
        } else {
          conns->destinations.erase(args[0]);
          if (conns->active == args[0]) conns->active.clear();
        }
        if (auto s = config::writeConnections(*conns); !s.ok()) return ctx.fail(s.error());
        return 0;
      });
  return c;
}

int setDefault(Context& ctx, const std::string& name) {
  auto conns = config::readConnections();
  if (!conns.ok()) return ctx.fail(conns.error());
  if (!conns->destinations.count(name)) return ctx.fail(notDefined(name).error());
  conns->active = name;
  if (auto s = config::writeConnections(*conns); !s.ok()) return ctx.fail(s.error());
  return 0;
}

std::unique_ptr<Command> defaultCommand(const char* use) {
  auto c = std::make_unique<Command>(use, "Set named destination as default");
  c->args(1, 1)
      .description("Set named destination as default for the Podman service")
      .run([](Context& ctx, const std::vector<std::string>& args) { return setDefault(ctx, args[0]); });
  return c;
}

std::unique_ptr<Command> renameCommand() {
  auto c = std::make_unique<Command>("rename OLD NEW", "Rename \"old\" to \"new\"");
  c->aliases({"mv"})
      .args(2, 2)
      .description("Rename destination for Podman service")
      .run([](Context& ctx, const std::vector<std::string>& args) {
        auto conns = config::readConnections();
        if (!conns.ok()) return ctx.fail(conns.error());
        auto it = conns->destinations.find(args[0]);
        if (it == conns->destinations.end()) return ctx.fail(notDefined(args[0]).error());
        config::Destination d = it->second;
        conns->destinations.erase(it);
        conns->destinations[args[1]] = d;
        if (conns->active == args[0]) conns->active = args[1];
        if (auto s = config::writeConnections(*conns); !s.ok()) return ctx.fail(s.error());
        return 0;
      });
  return c;
}

}  // namespace

std::unique_ptr<Command> connectionCommand() {
  auto c = std::make_unique<Command>("connection", "Manage remote API service destinations");
  c->description(
      "Manage remote API service destination information in podman configuration.\n\n"
      "  The keyword 'destination' refers to a remote service (unix:///path or tcp://host:port).");
  c->add(addCommand());
  c->add(defaultCommand("default NAME"));
  c->add(listCommand());
  c->add(removeCommand());
  c->add(renameCommand());
  return c;
}

std::unique_ptr<Command> contextCommand() {
  auto c = std::make_unique<Command>("context", "Manage remote API service destinations");
  c->hidden();
  c->add(contextCreateCommand());
  c->add(defaultCommand("use NAME"));
  c->add(listCommand());
  c->add(inspectCommand());
  c->add(removeCommand());
  return c;
}

}  // namespace berth::cli
