// Network commands: network create, ls, inspect, rm, prune, exists, connect, disconnect.
#include <unistd.h>

#include <algorithm>

#include "base/timefmt.h"
#include "network/ip.h"
#include "cli/commands.h"
#include "cli/context.h"
#include "cli/output.h"
#include "network/types.h"

namespace berth::cli {

namespace {

using network::Network;

// parse.GetAllLabels: "key=value" or "key" (empty value).
std::map<std::string, std::string> keyValues(const std::vector<std::string>& items) {
  std::map<std::string, std::string> out;
  for (auto& i : items) {
    auto eq = i.find('=');
    out[i.substr(0, eq)] = eq == std::string::npos ? "" : i.substr(eq + 1);
  }
  return out;
}

// pflag's IPSlice: comma-separated addresses, repeatable.
Result<std::vector<network::IpAddr>> ipSlice(const std::vector<std::string>& values, std::string_view flag) {
  std::vector<network::IpAddr> out;
  for (auto& v : values) {
    size_t start = 0;
    while (start <= v.size()) {
      size_t end = v.find(',', start);
      if (end == std::string::npos) end = v.size();
      std::string item = v.substr(start, end - start);
      auto ip = network::IpAddr::parse(item);
      if (!ip.ok())
        return makeError(Code::kInvalidArgument,
                         "invalid argument {:?} for \"--{}\" flag: invalid string being converted to IP address: {}", v,
                         flag, item);
      out.push_back(*ip);
      start = end + 1;
    }
  }
  return out;
}

// --ip-range: a CIDR (podman 4.3.1: its first to last address) or START-END.
Result<network::LeaseRange> parseRange(const std::string& s) {
  if (auto dash = s.find('-'); dash != std::string::npos && s.find('/') == std::string::npos) {
    auto a = network::IpAddr::parse(s.substr(0, dash));
    auto b = network::IpAddr::parse(s.substr(dash + 1));
    if (!a.ok() || !b.ok() || a->isV6() != b->isV6() || *b < *a)
      return makeError(Code::kInvalidArgument, "invalid ip range {:?}: want START-END or a CIDR", s);
    return network::LeaseRange{*a, *b};
  }
  auto c = TRY(network::Cidr::parse(s));
  return network::LeaseRange{c.firstHost(), c.last()};
}

// A Go-like rendering of []types.Subnet for {{.Subnets}}, and fields for {{range .Subnets}}.
Json subnetsJson(const Network& n) {
  Json a = Json::array();
  for (auto& s : n.subnets) {
    Json j;
    j["Subnet"] = s.subnet.str();
    j["Gateway"] = s.gateway ? s.gateway->str() : "";
    Json lr = nullptr;
    if (s.lease_range) {
      lr = Json::object();
      lr["StartIP"] = s.lease_range->start_ip ? s.lease_range->start_ip->str() : "";
      lr["EndIP"] = s.lease_range->end_ip ? s.lease_range->end_ip->str() : "";
    }
    j["LeaseRange"] = lr;
    a.push_back(j);
  }
  return a;
}

Json stringMap(const std::map<std::string, std::string>& m) {
  Json o = Json::object();
  for (auto& [k, v] : m) o[k] = v;
  return o;
}

// The template data of types.Network (Go field names).
Json networkFields(const Network& n) {
  Json j;
  j["Name"] = n.name;
  j["ID"] = n.id;
  j["Driver"] = n.driver;
  j["NetworkInterface"] = n.network_interface;
  j["Created"] = formatGoTime(n.created);
  j["Subnets"] = subnetsJson(n);
  j["IPv6Enabled"] = n.ipv6_enabled;
  j["Internal"] = n.internal;
  j["DNSEnabled"] = n.dns_enabled;
  Json dns = Json::array();
  for (auto& d : n.network_dns_servers) dns.push_back(d.str());
  j["NetworkDNSServers"] = dns;
  j["Labels"] = stringMap(n.labels);
  j["Options"] = stringMap(n.options);
  j["IPAMOptions"] = stringMap(n.ipam_options);
  return j;
}

// --- create -----------------------------------------------------------------

std::unique_ptr<Command> createCommand() {
  struct O {
    std::string driver = "bridge", ipam_driver, interface_name, macvlan;
    std::vector<std::string> opts, gateways, ranges, labels, subnets, dns;
    bool internal = false, ipv6 = false, disable_dns = false, ignore = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("create [options] [NAME]", "network create");
  Command* self = c.get();
  c->args(0, 1)
      .description("create networks for containers and pods")
      .example("podman network create podman1")
      .flag("driver", 'd', &o->driver, "driver to manage the network")
      .flag("opt", 'o', &o->opts, "Set driver specific options (default [])")
      .flag("gateway", 0, &o->gateways, "IPv4 or IPv6 gateway for the subnet")
      .flag("internal", 0, &o->internal, "restrict external access from this network")
      .flag("ip-range", 0, &o->ranges, "allocate container IP from range")
      .flag("label", 0, &o->labels, "set metadata on a network")
      .flag("ipam-driver", 0, &o->ipam_driver, "IP Address Management Driver")
      .flag("ipv6", 0, &o->ipv6, "enable IPv6 networking")
      .flag("subnet", 0, &o->subnets, "subnets in CIDR format")
      .flag("disable-dns", 0, &o->disable_dns, "disable dns plugin")
      .flag("dns", 0, &o->dns, "DNS servers this network will use")
      .flag("interface-name", 0, &o->interface_name, "interface name which is used by the driver")
      .flag("ignore", 0, &o->ignore, "Don't fail if network already exists")
      .hiddenFlag("macvlan", &o->macvlan);
  c->run([o, self](Context& ctx, const std::vector<std::string>& args) {
    Network n;
    if (!args.empty()) n.name = args[0];
    n.driver = o->driver;
    n.options = keyValues(o->opts);
    n.labels = keyValues(o->labels);
    n.ipv6_enabled = o->ipv6;
    n.dns_enabled = !o->disable_dns;
    n.internal = o->internal;
    n.network_interface = o->interface_name;
    if (self->changed("ipam-driver")) n.ipam_options[std::string(network::kIpamDriverKey)] = o->ipam_driver;
    if (!o->macvlan.empty()) {
      ctx.err("time=\"" + formatRfc3339Nano(nowNanos()) +
              "\" level=warning msg=\"The --macvlan option is deprecated, use `--driver macvlan --opt "
              "parent=<device>` instead\"\n");
      n.driver = std::string(network::kDriverMacvlan);
      n.network_interface = o->macvlan;
    } else if (n.driver == network::kDriverMacvlan || n.driver == network::kDriverIpvlan) {
      if (auto p = n.options.find("parent"); p != n.options.end()) {
        n.network_interface = p->second;
        n.options.erase(p);
      }
    }
    auto gateways = ipSlice(o->gateways, "gateway");
    if (!gateways.ok()) return ctx.fail(gateways.error());
    auto dns = ipSlice(o->dns, "dns");
    if (!dns.ok()) return ctx.fail(dns.error());
    n.network_dns_servers = *dns;
    if (!o->subnets.empty()) {
      if (gateways->size() > o->subnets.size())
        return ctx.fail(makeError(Code::kInvalidArgument, "cannot set more gateways than subnets"));
      if (o->ranges.size() > o->subnets.size())
        return ctx.fail(makeError(Code::kInvalidArgument, "cannot set more ranges than subnets"));
      for (size_t i = 0; i < o->subnets.size(); ++i) {
        auto subnet = network::Cidr::parse(o->subnets[i]);
        if (!subnet.ok()) return ctx.fail(subnet.error());
        network::Subnet s{*subnet, std::nullopt, std::nullopt};
        if (i < o->ranges.size()) {
          auto r = parseRange(o->ranges[i]);
          if (!r.ok()) return ctx.fail(r.error());
          s.lease_range = *r;
        }
        if (i < gateways->size()) s.gateway = (*gateways)[i];
        n.subnets.push_back(s);
      }
    } else if (!o->ranges.empty() || !gateways->empty()) {
      return ctx.fail(makeError(Code::kInvalidArgument, "cannot set gateway or range without subnet"));
    }
    auto eng = ctx.engine();
    if (!eng.ok()) return ctx.fail(eng.error());
    auto created = (*eng)->networks().create({n, o->ignore});
    if (!created.ok()) return ctx.fail(created.error());
    ctx.out(created->name + "\n");
    return 0;
  });
  return c;
}

// --- ls ---------------------------------------------------------------------

std::unique_ptr<Command> lsCommand() {
  struct O {
    std::string format;
    std::vector<std::string> filters;
    bool quiet = false, no_trunc = false, noheading = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("ls [options]", "network list");
  c->aliases({"list"})
      .args(0, 0)
      .description("List networks")
      .example("podman network list")
      .flag("format", 0, &o->format, "Pretty-print networks to JSON or using a Go template")
      .flag("quiet", 'q', &o->quiet, "display only names")
      .flag("no-trunc", 0, &o->no_trunc, "Do not truncate the network ID")
      .flag("filter", 'f', &o->filters, "Provide filter values (e.g. 'name=podman')")
      .flag("noheading", 0, &o->noheading, "Do not print headers");
  c->run([o](Context& ctx, const std::vector<std::string>&) {
    auto eng = ctx.engine();
    if (!eng.ok()) return ctx.fail(eng.error());
    auto nets = (*eng)->networks().list({o->filters});
    if (!nets.ok()) return ctx.fail(nets.error());
    if (o->quiet) {
      for (auto& n : *nets) ctx.out(n.name + "\n");
      return 0;
    }
    if (isJsonFormat(o->format)) {
      Json arr = Json::array();
      for (auto& n : *nets) arr.push_back(network::toJson(n));
      ctx.out(Context::jsonIndent(arr, 2) + "\n");
      return 0;
    }
    std::vector<Json> rows;
    for (auto& n : *nets) {
      Json r = networkFields(n);
      r["ID"] = o->no_trunc ? n.id : n.id.substr(0, 12);
      std::string labels;
      for (auto& [k, v] : n.labels) labels += (labels.empty() ? "" : ",") + k + "=" + v;
      r["Labels"] = labels;  // ListPrintReports.Labels() is a string
      rows.push_back(std::move(r));
    }
    return printRows(ctx, o->format, "table {{.ID}}\t{{.Name}}\t{{.Driver}}", rows,
                     {{"ID", "NETWORK ID"}, {"Name", "NAME"}, {"Driver", "DRIVER"}, {"Labels", "LABELS"}},
                     o->noheading);
  });
  return c;
}

// --- inspect ----------------------------------------------------------------

std::unique_ptr<Command> inspectCommand() {
  auto format = std::make_shared<std::string>();
  auto c = std::make_unique<Command>("inspect [options] NETWORK [NETWORK...]", "Inspect network");
  c->args(1, -1)
      .description("Displays the network configuration for one or more networks.")
      .example("podman network inspect podman")
      .flag("format", 'f', format.get(), "Pretty-print network to JSON or using a Go template");
  c->run([format](Context& ctx, const std::vector<std::string>& args) {
    auto eng = ctx.engine();
    if (!eng.ok()) return ctx.fail(eng.error());
    std::vector<Network> found;
    std::vector<Error> errors;
    for (auto& a : args) {
      auto n = (*eng)->networks().inspect(a);
      if (!n.ok()) {
        if (n.error().code() != Code::kNotFound)
          return ctx.fail(std::move(n).error().context(fmt::format("inspecting network {}", a)));
        errors.push_back(std::move(n).error().context("network " + a));
        continue;
      }
      found.push_back(std::move(*n));
    }
    if (format->empty() || isJsonFormat(*format)) {
      Json arr = Json::array();
      for (auto& n : found) arr.push_back(network::toJson(n));
      ctx.out(Context::jsonIndent(arr, 5) + "\n");
    } else {
      for (auto& n : found)
        if (int r = printTemplate(ctx, *format, networkFields(n)); r != 0) return r;
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
    bool force = false;
    int time = 10;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("rm [options] NETWORK [NETWORK...]", "network rm");
  Command* self = c.get();
  c->aliases({"remove"})
      .args(1, -1)
      .description("Remove networks")
      .example("podman network rm podman")
      .flag("force", 'f', &o->force, "remove any containers using network")
      .flag("time", 't', &o->time, "Seconds to wait for running containers to stop before killing the container");
  c->run([o, self](Context& ctx, const std::vector<std::string>& args) {
    api::NetworkRemoveRequest req;
    req.names = args;
    req.force = o->force;
    if (self->changed("time")) {
      if (!o->force)
        return ctx.fail(makeError(Code::kInvalidArgument, "--force option must be specified to use the --time option"));
      req.timeout = o->time;
    }
    auto eng = ctx.engine();
    if (!eng.ok()) return ctx.fail(eng.error());
    // podman's exit codes: 1 for an unknown network, 2 for one in use, else 125.
    auto exitFor = [](const Error& e) { return e.code() == Code::kNotFound ? 1 : e.code() == Code::kConflict ? 2 : 0; };
    auto reports = (*eng)->networks().remove(req);
    if (!reports.ok()) {
      if (o->force && reports.error().code() == Code::kNotFound) return 0;
      ctx.err("Error: " + reports.error().what() + "\n");
      int rc = exitFor(reports.error());
      return rc ? rc : 125;
    }
    int rc = 0;
    std::vector<Error> errors;
    for (auto& r : *reports) {
      if (!r.error) {
        ctx.out(r.name + "\n");
        continue;
      }
      if (o->force && r.error->code() == Code::kNotFound) continue;
      if (int code = exitFor(*r.error)) rc = code;
      errors.push_back(*r.error);
    }
    for (auto& e : errors) ctx.err("Error: " + e.what() + "\n");
    if (!errors.empty() && rc == 0) rc = 125;
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
  auto c = std::make_unique<Command>("prune [options]", "network prune");
  c->args(0, 0)
      .description("Prune unused networks")
      .example("podman network prune")
      .flag("force", 'f', &o->force, "do not prompt for confirmation")
      .flag("filter", 0, &o->filters, "Provide filter values (e.g. 'label=<key>=<value>')");
  c->run([o](Context& ctx, const std::vector<std::string>&) {
    if (!o->force) {
      ctx.out("WARNING! This will remove all networks not used by at least one container.\n"
              "Are you sure you want to continue? [y/N] ");
      std::string answer;
      char ch;
      while (::read(0, &ch, 1) == 1 && ch != '\n') answer += ch;
      if (answer.empty() || (answer[0] != 'y' && answer[0] != 'Y')) return 0;
    }
    auto eng = ctx.engine();
    if (!eng.ok()) return ctx.fail(eng.error());
    auto reports = (*eng)->networks().prune(o->filters);
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
  auto c = std::make_unique<Command>("exists NETWORK", "network exists");
  c->args(1, 1)
      .description("If the named network exists, podman network exists exits with 0, otherwise the exit code will be 1.")
      .example("podman network exists net1")
      .run([](Context& ctx, const std::vector<std::string>& args) {
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        auto e = (*eng)->networks().exists(args[0]);
        if (!e.ok()) return ctx.fail(e.error());
        return *e ? 0 : 1;
      });
  return c;
}

// --- connect / disconnect ------------------------------------------------------

std::unique_ptr<Command> connectCommand() {
  struct O {
    std::vector<std::string> aliases;
    std::string ip, ip6, mac;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("connect [options] NETWORK CONTAINER", "Add container to a network");
  c->args(2, 2)
      .description("Add container to a network")
      .sliceFlag("alias", 0, &o->aliases, "network scoped alias for container")
      .flag("ip", 0, &o->ip, "set a static ipv4 address for this container network")
      .flag("ip6", 0, &o->ip6, "set a static ipv6 address for this container network")
      .flag("mac-address", 0, &o->mac, "set a static mac address for this container network")
      .run([o](Context& ctx, const std::vector<std::string>& args) {
        api::NetworkConnectRequest req;
        req.network = args[0];
        req.container = args[1];
        req.options.aliases = o->aliases;
        for (auto* ip : {&o->ip, &o->ip6}) {
          if (ip->empty()) continue;
          auto parsed = network::IpAddr::parse(*ip);
          if (!parsed.ok()) return ctx.fail(makeError(Code::kInvalidArgument, "{:?} is not an ip address", *ip));
          req.options.static_ips.push_back(parsed->str());
        }
        if (!o->mac.empty()) {
          auto mac = network::MacAddr::parse(o->mac);
          if (!mac.ok()) return ctx.fail(makeError(Code::kInvalidArgument, "address {}: invalid MAC address", o->mac));
          req.options.static_mac = mac->str();
        }
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        if (auto s = (*eng)->networks().connect(req); !s.ok()) return ctx.fail(s.error());
        return 0;
      });
  return c;
}

std::unique_ptr<Command> disconnectCommand() {
  auto force = std::make_shared<bool>(false);
  auto c = std::make_unique<Command>("disconnect [options] NETWORK CONTAINER", "Disconnect a container from a network");
  c->args(2, 2)
      .description("Remove container from a network")
      .flag("force", 'f', force.get(), "force removal of container from network")
      .run([force](Context& ctx, const std::vector<std::string>& args) {
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        if (auto s = (*eng)->networks().disconnect(args[0], args[1], *force); !s.ok()) return ctx.fail(s.error());
        return 0;
      });
  return c;
}

std::unique_ptr<Command> reloadCommand() {
  struct O {
    bool all = false, latest = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("reload [options] [CONTAINER...]", "Reload firewall rules for one or more containers");
  c->description("reload container networks, recreating firewall rules")
      .flag("all", 'a', &o->all, "Reload network configuration of all containers")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .run([o](Context& ctx, const std::vector<std::string>& args) {
        int given = (o->all ? 1 : 0) + (o->latest ? 1 : 0) + (args.empty() ? 0 : 1);
        if (given != 1)
          return ctx.fail(given == 0
                              ? makeError(Code::kInvalidArgument, "no arguments given: use --all, --latest or name containers")
                              : makeError(Code::kInvalidArgument, "--all, --latest and containers cannot be used together"));
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        std::vector<std::string> names = args;
        if (o->latest) {
          auto id = (*eng)->containers().latestId();
          if (!id.ok()) return ctx.fail(id.error());
          names = {*id};
        }
        auto rep = (*eng)->networks().reload(names, o->all);
        if (!rep.ok()) return ctx.fail(rep.error());
        int rc = 0;
        for (auto& [id, err] : *rep) {
          if (err) rc = ctx.fail(*err);
          else ctx.out(id + "\n");
        }
        return rc;
      });
  return c;
}

}  // namespace

void addNetworkCommands(Command& root) {
  auto n = std::make_unique<Command>("network", "Manage networks");
  n->description("Manage networks");
  n->add(createCommand());
  n->add(lsCommand());
  n->add(inspectCommand());
  n->add(rmCommand());
  n->add(pruneCommand());
  n->add(existsCommand());
  n->add(connectCommand());
  n->add(disconnectCommand());
  n->add(reloadCommand());
  root.add(std::move(n));
}

}  // namespace berth::cli
