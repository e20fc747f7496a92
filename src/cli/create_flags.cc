// The flags of create/run and their translation into a SpecGenerator document.
#include "cli/create_flags.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <cmath>
#include <set>
#include <tuple>

#include "base/timefmt.h"
#include "base/fs.h"
#include "base/lines.h"
#include "network/ip.h"
#include "network/ports.h"
#include "specgen/flags.h"
#include "specgen/specgen.h"

namespace berth::cli {

void addCreateFlags(Command& c, CreateOpts& o, bool run) {
  c.flag("interactive", 'i', &o.interactive, "Keep STDIN open even if not attached")
      .flag("tty", 't', &o.tty, "Allocate a pseudo-TTY for container")
      .flag("rm", 0, &o.rm, "Remove container (and pod if created) after exit")
      .flag("name", 0, &o.name, "Assign a name to the container")
      .flag("env", 'e', &o.env, "Set environment variables in container (default [])")
      .sliceFlag("env-file", 0, &o.env_file, "Read in a file of environment variables")
      .flag("workdir", 'w', &o.workdir, "Working directory inside the container")
      .flag("user", 'u', &o.user, "Username or UID (format: <name|uid>[:<group|gid>])")
      .flag("entrypoint", 0, &o.entrypoint, "Overwrite the default ENTRYPOINT of the image")
      .flag("volume", 'v', &o.volumes, "Bind mount a volume into the container")
      .flag("mount", 0, &o.mounts, "Attach a filesystem mount to the container")
      .flag("tmpfs", 0, &o.tmpfs, "Mount a temporary filesystem (tmpfs) into a container")
      .flag("volumes-from", 0, &o.volumes_from, "Mount volumes from the specified container(s)")
      .flag("rootfs", 0, &o.rootfs, "The first argument is not an image but the rootfs to the exploded container")
      .flag("image-volume", 0, &o.image_volume, "Tells podman how to handle the builtin image volumes (\"bind\"|\"tmpfs\"|\"ignore\")")
      .flag("label", 'l', &o.labels, "Set metadata on container")
      .sliceFlag("annotation", 0, &o.annotations, "Add annotations to container (key=value)")
      .flag("hostname", 'h', &o.hostname, "Set container hostname")
      .flag("restart", 0, &o.restart, "Restart policy to apply when a container exits (\"always\"|\"no\"|\"never\"|\"on-failure\"|\"unless-stopped\")")
      .flag("runtime", 0, &o.runtime, "Path to the OCI-compatible binary used to run containers")
      .flag("log-driver", 0, &o.log_driver, "Logging driver for the container")
      .sliceFlag("log-opt", 0, &o.log_opts, "Logging driver options")
      .flag("cidfile", 0, &o.cidfile, "Write the container ID to the file")
      .flag("pod", 0, &o.pod, "Run container in an existing pod")
      .flag("pod-id-file", 0, &o.pod_id_file, "Read the pod ID from the file")
      .flag("replace", 0, &o.replace, "If a container with the same name exists, replace it")
      .flag("pull", 0, &o.pull, "Pull image policy (\"always\"|\"missing\"|\"never\"|\"newer\")")
      .flag("network", 0, &o.network, "Connect a container to a network")
      .hiddenFlag("net", &o.network)  // podman's hidden alias of --network
      .flag("ip", 0, &o.ip, "Specify a static IPv4 address for the container")
      .flag("ip6", 0, &o.ip6, "Specify a static IPv6 address for the container")
      .flag("mac-address", 0, &o.mac_address, "Container MAC address (e.g. 92:d0:c6:0a:29:33)")
      .sliceFlag("network-alias", 0, &o.network_alias, "Add network-scoped alias for the container")
      .sliceFlag("publish", 'p', &o.publish, "Publish a container's port, or a range of ports, to the host (default [])")
      .flag("publish-all", 'P', &o.publish_all, "Publish all exposed ports to random ports on the host interface")
      .flag("expose", 0, &o.expose, "Expose a port or a range of ports")
      .sliceFlag("dns-search", 0, &o.dns_search, "Set custom DNS search domains")
      .sliceFlag("dns-option", 0, &o.dns_option, "Set custom DNS options")
      .flag("no-hosts", 0, &o.no_hosts, "Do not create /etc/hosts within the container, instead use the version from the image")
      .flag("privileged", 0, &o.privileged, "Give extended privileges to container")
      .flag("read-only", 0, &o.read_only, "Make containers root filesystem read-only")
      .sliceFlag("cap-add", 0, &o.cap_add, "Add capabilities to the container")
      .sliceFlag("cap-drop", 0, &o.cap_drop, "Drop capabilities from the container")
      .sliceFlag("ulimit", 0, &o.ulimits, "Ulimit options")
      .flag("stop-signal", 0, &o.stop_signal, "Signal to stop a container. Default is SIGTERM")
      .flag("stop-timeout", 0, &o.stop_timeout, "Timeout (in seconds) that containers stopped by user command have to exit. If exceeded, the container will be forcibly stopped via SIGKILL.")
      .flag("shm-size", 0, &o.shm_size, "Size of /dev/shm (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))")
      .flag("init", 0, &o.init, "Run an init binary inside the container that forwards signals and reaps processes")
      .sliceFlag("attach", 'a', &o.attach, "Attach to STDIN, STDOUT or STDERR")
      .sliceFlag("add-host", 0, &o.add_host, "Add a custom host-to-IP mapping (host:ip)")
      .sliceFlag("dns", 0, &o.dns, "Set custom DNS servers")
      .sliceFlag("group-add", 0, &o.group_add, "Add additional groups to the primary container process.")
      .sliceFlag("device", 0, &o.devices, "Add a host device to the container")
      .flag("security-opt", 0, &o.security_opt, "Security Options")
      .flag("memory", 'm', &o.memory, "Memory limit (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))")
      .flag("pids-limit", 0, &o.pids_limit, "Tune container pids limit (set -1 for unlimited)")
      .flag("umask", 0, &o.umask, "Set umask in container")
      .flag("pid", 0, &o.pid, "PID namespace to use")
      .flag("ipc", 0, &o.ipc, "IPC namespace to use")
      .flag("uts", 0, &o.uts, "UTS namespace to use")
      .flag("quiet", 'q', &o.quiet, "Suppress output information when pulling images")
      .flag("tls-verify", 0, &o.tls_verify, "Require HTTPS and verify certificates when contacting registries for pulling images")
      .flag("authfile", 0, &o.authfile, "Path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override")
      .flag("creds", 0, &o.creds, "`Credentials` (USERNAME:PASSWORD) to use for authenticating to a registry")
      .flag("cert-dir", 0, &o.cert_dir, "`Pathname` of a directory containing TLS certificates and keys")
      .flag("arch", 0, &o.arch, "use `ARCH` instead of the architecture of the machine for choosing images")
      .flag("os", 0, &o.os, "use `OS` instead of the running OS for choosing images")
      .flag("variant", 0, &o.variant, "Use `VARIANT` instead of the running architecture variant for choosing images")
      .flag("no-healthcheck", 0, &o.no_healthcheck, "Disable healthchecks on container")
      .flag("health-cmd", 0, &o.health_cmd, "set a healthcheck command for the container ('none' disables the existing healthcheck)")
      .flag("health-interval", 0, &o.health_interval, "set an interval for the healthchecks (a value of disable results in no automatic timer setup)")
      .flag("health-retries", 0, &o.health_retries, "the number of retries allowed before a healthcheck is considered to be unhealthy")
      .flag("health-start-period", 0, &o.health_start_period, "the initialization time needed for a container to bootstrap")
      .flag("health-timeout", 0, &o.health_timeout, "the maximum time allowed to complete the healthcheck before an interval is considered failed")
      .flag("health-on-failure", 0, &o.health_on_failure, "action to take once the container turns unhealthy")
      .flag("secret", 0, &o.secrets, "Add secret to container")
      .flag("conmon-pidfile", 0, &o.conmon_pidfile, "Path to the file that will receive the PID of conmon")
      .sliceFlag("device-cgroup-rule", 0, &o.device_cgroup_rule, "Add a rule to the cgroup allowed devices list")
      .flag("tz", 0, &o.tz, "Set timezone in container")
      .flag("unsetenv", 0, &o.unsetenv, "Unset environment default variables in container")
      .flag("unsetenv-all", 0, &o.unsetenv_all, "Unset all default environment variables in container")
      .flag("systemd", 0, &o.systemd, "Run container in systemd mode (\"true\"|\"false\"|\"always\")")
      .flag("timeout", 0, &o.timeout, "Maximum length of time a container is allowed to run. The container will be killed automatically after the time expires.")
      .flag("userns", 0, &o.userns, "User namespace to use")
      .hiddenFlag("kernel-memory", &o.kernel_memory)  // podman: a deprecated no-op
      .sliceFlag("sysctl", 0, &o.sysctl, "Sysctl options")
      .flag("cgroupns", 0, &o.cgroupns, "cgroup namespace to use")
      .sliceFlag("uidmap", 0, &o.uidmap, "UID map to use for the user namespace")
      .sliceFlag("gidmap", 0, &o.gidmap, "GID map to use for the user namespace")
      .flag("subuidname", 0, &o.subuidname, "Name of range listed in /etc/subuid for use in user namespace")
      .flag("subgidname", 0, &o.subgidname, "Name of range listed in /etc/subgid for use in user namespace")
      .flag("cgroup-parent", 0, &o.cgroup_parent, "Optional parent cgroup for the container")
      .flag("cgroups", 0, &o.cgroups, "control container cgroup configuration (\"enabled\"|\"disabled\"|\"no-conmon\"|\"split\")")
      .sliceFlag("cgroup-conf", 0, &o.cgroup_conf, "Configure cgroup v2 (key=value)")
      .flag("personality", 0, &o.personality, "Configure execution domain using personality (e.g., LINUX/LINUX32)")
      .flag("oom-score-adj", 0, &o.oom_score_adj, "Tune the host's OOM preferences (-1000 to 1000)")
      .flag("env-host", 0, &o.env_host, "Use all current host environment variables in container")
      .flag("env-merge", 0, &o.env_merge, "Preprocess environment variables from image before injecting them into the container")
      .flag("read-only-tmpfs", 0, &o.read_only_tmpfs, "When running containers in read-only mode mount a read-write tmpfs on /run, /tmp and /var/tmp")
      .flag("init-path", 0, &o.init_path, "Path to the container-init binary")
      .flag("label-file", 0, &o.label_file, "Read in a line delimited file of labels")
      .flag("passwd-entry", 0, &o.passwd_entry, "Entry to write to /etc/passwd")
      .flag("hostuser", 0, &o.hostuser, "Host user account to add to /etc/passwd within container")
      .sliceFlag("chrootdirs", 0, &o.chrootdirs, "Chroot directories inside the container")
      .flag("pidfile", 0, &o.pidfile, "Write the container process ID to the file")
      .sliceFlag("requires", 0, &o.requires_ctrs, "Add one or more requirement containers that must be started before this container will start")
      .flag("sdnotify", 0, &o.sdnotify, "control sd-notify behavior (\"container\"|\"conmon\"|\"ignore\")")
      .flag("seccomp-policy", 0, &o.seccomp_policy, "Policy for selecting a seccomp profile (experimental)")
      .flag("platform", 0, &o.platform, "Specify the platform for selecting the image.  (Conflicts with --arch and --os)")
      .flag("disable-content-trust", 0, &o.disable_content_trust, "This is a Docker specific option and is a NOOP");
  addResourceFlags(c, o.resources, false);
  c.flag("http-proxy", 0, &o.http_proxy, "Set proxy environment variables in the container based on the host proxy vars")
      .hiddenFlag("dns-opt", &o.dns_option);  // podman's alias of --dns-option
  if (const char* e = std::getenv("PODMAN_USERNS")) o.userns = e;
  if (run) {
    c.flag("detach", 'd', &o.detach, "Run container in background and print container ID")
        .flag("detach-keys", 0, &o.detach_keys, "Override the key sequence for detaching a container. Format is a single character [a-Z] or a comma separated sequence of `ctrl-<value>`, where `<value>` is one of: `a-cf`, `@`, `^`, `[`, `\\`, `]`, `^` or `_`")
        .flag("sig-proxy", 0, &o.sig_proxy, "Proxy received signals to the process")
        .flag("preserve-fds", 0, &o.preserve_fds, "Pass a number of additional file descriptors into the container")
        .flag("rmi", 0, &o.rmi, "Remove container image unless used by other containers")
        .flag("passwd", 0, &o.passwd, "add entries to /etc/passwd and /etc/group");
  } else {
    c.flag("init-ctr", 0, &o.init_ctr, "Make this a pod init container.");
  }
  c.noInterspersed();
}

Result<int64_t> parseSize(const std::string& s) {
  if (s.empty()) return makeError(Code::kInvalidArgument, "invalid size: empty");
  size_t i = 0;
  while (i < s.size() && (isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) i++;
  if (i == 0) return makeError(Code::kInvalidArgument, "invalid size: {:?}", s);
  double v = std::atof(s.substr(0, i).c_str());
  std::string unit = s.substr(i);
  std::transform(unit.begin(), unit.end(), unit.begin(), ::tolower);
  double mult = 1;
  if (unit == "" || unit == "b") mult = 1;
  else if (unit == "k" || unit == "kb" || unit == "kib") mult = 1024;
  else if (unit == "m" || unit == "mb" || unit == "mib") mult = 1024 * 1024;
  else if (unit == "g" || unit == "gb" || unit == "gib") mult = 1024.0 * 1024 * 1024;
  else return makeError(Code::kInvalidArgument, "invalid size: {:?}", s);
  return int64_t(v * mult);
}

Result<int64_t> parseDecimalSize(const std::string& s) {
  // go-units FromHumanSize: a decimal number, an optional space, then k, m, g, t or p (powers
  // of 1000), optionally followed by i and b, in any case.
  size_t i = 0;
  while (i < s.size() && (isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) i++;
  if (i == 0 || !isdigit(static_cast<unsigned char>(s[0])))
    return makeError(Code::kInvalidArgument, "invalid size: {:?}", s);
  double v = std::atof(s.substr(0, i).c_str());
  std::string unit = s.substr(i);
  if (!unit.empty() && unit[0] == ' ') unit.erase(0, 1);
  std::transform(unit.begin(), unit.end(), unit.begin(), ::tolower);
  double mult = 1;
  if (!unit.empty() && std::string_view("kmgtp").find(unit[0]) != std::string_view::npos) {
    mult = std::pow(1000.0, double(std::string_view("kmgtp").find(unit[0]) + 1));
    unit.erase(0, 1);
  }
  if (unit != "" && unit != "b" && unit != "ib" && unit != "i")
    return makeError(Code::kInvalidArgument, "invalid size: {:?}", s);
  return int64_t(v * mult);
}

namespace {

// podman's parseBridgeNetworkOptions: ip=, ip6=, mac=, alias=, interface_name=.
Result<api::PerNetworkOptions> parseNetworkOptions(const std::string& opts) {
  api::PerNetworkOptions o;
  if (opts.empty()) return o;
  size_t start = 0;
  while (start <= opts.size()) {
    size_t comma = opts.find(',', start);
    std::string opt = opts.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? opts.size() + 1 : comma + 1;
    auto eq = opt.find('=');
    std::string key = opt.substr(0, eq), value = eq == std::string::npos ? "" : opt.substr(eq + 1);
    if (key == "ip" || key == "ip6") {
      auto ip = network::IpAddr::parse(value);
      if (!ip.ok()) return makeError(Code::kInvalidArgument, "invalid ip address {:?}", value);
      o.static_ips.push_back(ip->str());
    } else if (key == "mac") {
      auto mac = network::MacAddr::parse(value);
      if (!mac.ok()) return makeError(Code::kInvalidArgument, "address {}: invalid MAC address", value);
      o.static_mac = mac->str();
    } else if (key == "alias") {
      if (value.empty()) return makeError(Code::kInvalidArgument, "alias cannot be empty");
      o.aliases.push_back(value);
    } else if (key == "interface_name") {
      if (value.empty()) return makeError(Code::kInvalidArgument, "interface_name cannot be empty");
      o.interface_name = value;
    } else {
      return makeError(Code::kInvalidArgument, "unknown bridge network option: {}", key);
    }
  }
  return o;
}

bool isNetworkModeName(const std::string& n) {
  for (auto* m : {"bridge", "slirp4netns", "pod", "none", "default", "private", "path", "container", "host"})
    if (n == m) return true;
  return false;
}

// podman's specgen.ParseNetworkFlag and NetFlagsToNetOptions: --network, --ip, --mac-address,
// --network-alias, --dns*, --add-host, --no-hosts, -p, -P, --expose. No --network leaves the
// mode unset, so the engine picks the default (bridge on the default network for root).
Status applyNetworkFlags(const CreateOpts& o, api::SpecGenerator& s) {
  using api::NamespaceMode;
  if (!o.network.empty()) {
    const std::string& ns = o.network[0];
    if (ns == "pasta" || ns.rfind("pasta:", 0) == 0) {
      return makeError(Code::kUnimplemented, "network mode {:?} is not supported by berth: use bridge, slirp4netns, none or host", ns);
    } else if (ns == "slirp4netns" || ns.rfind("slirp4netns:", 0) == 0) {
      // podman's slirp4netns:OPT=VAL,...: kept as network_options["slirp4netns"], checked by the engine.
      s.netns.nsmode = NamespaceMode::kSlirp4netns;
      if (ns.size() > 12) {
        std::vector<std::string> opts;
        for (size_t start = 12; start <= ns.size();) {
          size_t comma = std::min(ns.find(',', start), ns.size());
          opts.push_back(ns.substr(start, comma - start));
          start = comma + 1;
        }
        s.network_options["slirp4netns"] = opts;
      }
    } else if (ns == "pod") {
      s.netns.nsmode = NamespaceMode::kPod;
    } else if (ns == "default" || ns == "private") {
      s.netns.nsmode = NamespaceMode::kPrivate;
    } else if (ns == "bridge" || ns.rfind("bridge:", 0) == 0) {
      s.netns.nsmode = NamespaceMode::kBridge;
      api::PerNetworkOptions opts;
      if (ns.size() > 7) opts = TRY(parseNetworkOptions(ns.substr(7)));
      s.networks["default"] = opts;  // the engine renames it to the default network
    } else if (ns == "none") {
      s.netns.nsmode = NamespaceMode::kNone;
    } else if (ns == "host") {
      s.netns.nsmode = NamespaceMode::kHost;
    } else if (ns.rfind("ns:", 0) == 0) {
      s.netns.nsmode = NamespaceMode::kPath;
      s.netns.value = ns.substr(3);
    } else if (ns.rfind("container:", 0) == 0) {
      s.netns.nsmode = NamespaceMode::kContainer;
      s.netns.value = ns.substr(10);
    } else {
      auto colon = ns.find(':');
      if (colon == std::string::npos) {
        size_t start = 0;
        while (start <= ns.size()) {
          size_t comma = ns.find(',', start);
          s.networks[ns.substr(start, comma == std::string::npos ? std::string::npos : comma - start)] = {};
          start = comma == std::string::npos ? ns.size() + 1 : comma + 1;
        }
      } else {
        if (colon == 0) return makeError(Code::kInvalidArgument, "network name cannot be empty");
        auto opts = parseNetworkOptions(ns.substr(colon + 1));
        if (!opts.ok()) return std::move(opts).error().context(fmt::format("invalid option for network {}", ns.substr(0, colon)));
        s.networks[ns.substr(0, colon)] = *opts;
      }
      s.netns.nsmode = NamespaceMode::kBridge;
    }
    if (o.network.size() > 1) {
      if (!s.netns.is(NamespaceMode::kBridge))
        return makeError(Code::kInvalidArgument,
                         "cannot set multiple networks without bridge network mode, selected mode {}: invalid argument",
                         api::namespaceModeName(s.netns.nsmode));
      for (size_t i = 1; i < o.network.size(); ++i) {
        const std::string& n = o.network[i];
        auto colon = n.find(':');
        std::string name = n.substr(0, colon);
        if (name.empty()) return makeError(Code::kInvalidArgument, "network name cannot be empty: invalid argument");
        if (isNetworkModeName(name))
          return makeError(Code::kInvalidArgument,
                           "can only set extra network names, selected mode {} conflicts with bridge: invalid argument",
                           name);
        api::PerNetworkOptions opts;
        if (colon != std::string::npos) {
          auto r = parseNetworkOptions(n.substr(colon + 1));
          if (!r.ok()) return std::move(r).error().context(fmt::format("invalid option for network {}", name));
          opts = *r;
        }
        s.networks[name] = opts;
      }
    }
  }
  bool bridge_or_default = s.netns.isDefault() || s.netns.is(NamespaceMode::kBridge) || s.netns.is(NamespaceMode::kPrivate);
  if (!o.ip.empty() || !o.ip6.empty() || !o.mac_address.empty() || !o.network_alias.empty()) {
    if (s.networks.empty()) s.networks["default"] = {};
    for (auto [flag, value] : {std::pair{"ip", &o.ip}, {"ip6", &o.ip6}}) {
      if (value->empty()) continue;
      auto ip = network::IpAddr::parse(*value);
      if (!ip.ok()) return makeError(Code::kInvalidArgument, "{:?} is not an ip address", *value);
      if (!bridge_or_default)
        return makeError(Code::kInvalidArgument, "--{} can only be set when the network mode is bridge: invalid argument", flag);
      if (s.networks.size() != 1)
        return makeError(Code::kInvalidArgument, "--{} can only be set for a single network: invalid argument", flag);
      s.networks.begin()->second.static_ips.push_back(ip->str());
    }
    if (!o.mac_address.empty()) {
      auto mac = network::MacAddr::parse(o.mac_address);
      if (!mac.ok()) return makeError(Code::kInvalidArgument, "address {}: invalid MAC address", o.mac_address);
      if (!bridge_or_default)
        return makeError(Code::kInvalidArgument, "--mac-address can only be set when the network mode is bridge: invalid argument");
      if (s.networks.size() != 1)
        return makeError(Code::kInvalidArgument, "--mac-address can only be set for a single network: invalid argument");
      s.networks.begin()->second.static_mac = mac->str();
    }
    if (!o.network_alias.empty()) {
      if (!bridge_or_default)
        return makeError(Code::kInvalidArgument, "--network-alias can only be set when the network mode is bridge: invalid argument");
      for (auto& [name, opts] : s.networks) opts.aliases = o.network_alias;
    }
  }
  for (auto& d : o.dns) {
    if (d == "none") {
      if (o.dns.size() > 1) return makeError(Code::kInvalidArgument, "{} is not allowed to be specified with other DNS ip addresses", d);
      s.use_image_resolve_conf = true;
      break;
    }
    auto ip = network::IpAddr::parse(d);
    if (!ip.ok()) return makeError(Code::kInvalidArgument, "{} is not an ip address", d);
    s.dns_server.push_back(ip->str());
  }
  for (auto& d : o.dns_search)
    if (d == "." && o.dns_search.size() > 1)
      return makeError(Code::kInvalidArgument, "cannot pass additional search domains when also specifying '.'");
  s.dns_search = o.dns_search;
  s.dns_option = o.dns_option;
  for (auto& h : o.add_host) {
    auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0)
      return makeError(Code::kInvalidArgument, "bad format for add-host: {:?}", h);
    std::string ip = h.substr(colon + 1);
    if (ip != "host-gateway" && !network::IpAddr::parse(ip).ok())
      return makeError(Code::kInvalidArgument, "invalid IP address in add-host: {:?}", ip);
  }
  s.hostadd = o.add_host;
  if (o.no_hosts) s.use_image_hosts = true;
  for (auto& p : o.publish) {
    auto m = TRY(network::parsePublish(p));
    s.portmappings.push_back(api::PortMapping{m.host_ip, m.container_port, m.host_port, m.range, m.protocol});
  }
  if (o.publish_all) s.publish_image_ports = true;
  for (auto& e : o.expose) {
    // PORT[-END][/PROTO]
    auto slash = e.find('/');
    std::string ports = e.substr(0, slash), proto = slash == std::string::npos ? "tcp" : e.substr(slash + 1);
    auto dash = ports.find('-');
    auto num = [&](const std::string& v) -> Result<uint16_t> {
      unsigned n = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (v.empty() || ec != std::errc() || end != v.data() + v.size() || n > 65535)
        return makeError(Code::kInvalidArgument, "unable to parse {:?} as a port number", v);
      return uint16_t(n);
    };
    uint16_t first = TRY(num(ports.substr(0, dash)));
    uint16_t last = dash == std::string::npos ? first : TRY(num(ports.substr(dash + 1)));
    if (last < first) return makeError(Code::kInvalidArgument, "invalid port range {:?}", ports);
    for (unsigned p = first; p <= last; ++p) {
      std::string& cur = s.expose[uint16_t(p)];
      cur = cur.empty() ? proto : cur + "," + proto;
    }
  }
  return {};
}

// podman's specgen.ParseNamespace: host, private, ns:PATH, container:ID, pod.
Result<api::Namespace> parseNamespaceFlag(const std::string& ns) {
  using api::NamespaceMode;
  if (ns == "pod") return api::Namespace{NamespaceMode::kPod, ""};
  if (ns == "host") return api::Namespace{NamespaceMode::kHost, ""};
  if (ns == "private" || ns.empty()) return api::Namespace{NamespaceMode::kPrivate, ""};
  if (ns.rfind("ns:", 0) == 0) return api::Namespace{NamespaceMode::kPath, ns.substr(3)};
  if (ns.rfind("container:", 0) == 0) return api::Namespace{NamespaceMode::kContainer, ns.substr(10)};
  return makeError(Code::kInvalidArgument, "unrecognized namespace mode {} passed", ns);
}

// podman's parseLinuxResourcesDeviceAccess: "TYPE MAJOR:MINOR ACCESS" ('*' for any number).
Result<api::LinuxDeviceCgroup> parseDeviceCgroupRule(const std::string& rule) {
  std::vector<std::string> parts;
  for (size_t start = 0; start <= rule.size();) {
    size_t end = std::min(rule.find(' ', start), rule.size());
    parts.push_back(rule.substr(start, end - start));
    start = end + 1;
  }
  if (parts.size() != 3)
    return makeError(Code::kInvalidArgument,
                     "invalid device cgroup rule requires type, major:Minor, and access rules: {:?}", rule);
  if (parts[0] != "a" && parts[0] != "b" && parts[0] != "c")
    return makeError(Code::kInvalidArgument, "invalid device type in device-access-add: {}", parts[0]);
  api::LinuxDeviceCgroup d;
  d.allow = true;
  d.type = parts[0];
  auto number = [](const std::string& v) -> Result<int64_t> {
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size())
      return makeError(Code::kInvalidArgument, "strconv.ParseUint: parsing {:?}: invalid syntax", v);
    return int64_t(n);
  };
  auto colon = parts[1].find(':');
  std::string major = parts[1].substr(0, colon);
  if (major != "*") d.major = TRY(number(major));
  if (colon != std::string::npos && parts[1].substr(colon + 1) != "*") d.minor = TRY(number(parts[1].substr(colon + 1)));
  for (char c : parts[2])
    if (c != 'r' && c != 'w' && c != 'm')
      return makeError(Code::kInvalidArgument, "invalid device access in device-access-add: {}", std::string(1, c));
  d.access = parts[2];
  return d;
}

}  // namespace

// podman's makeHealthCheckFromCli: a JSON array or a command line; CMD, CMD-SHELL and none
// as Docker writes them; a plain command runs through the shell.
Result<api::Schema2HealthConfig> parseHealthFlags(const CreateOpts& o) {
  const std::string& in = o.health_cmd;
  std::vector<std::string> cmd;
  bool is_array = false;
  Json arr = Json::parse(in, nullptr, false);
  if (arr.is_array() && std::all_of(arr.begin(), arr.end(), [](const Json& v) { return v.is_string(); })) {
    for (auto& v : arr) cmd.push_back(v.get<std::string>());
    is_array = true;
  } else {
    auto sp = in.find(' ');
    cmd.push_back(in.substr(0, sp));
    if (sp != std::string::npos) cmd.push_back(in.substr(sp + 1));
  }
  if (cmd.empty()) return makeError(Code::kInvalidArgument, "must define a healthcheck command for all healthchecks");
  auto fields = [&] {
    std::vector<std::string> f;
    std::string cur;
    for (char ch : in) {
      if (std::isspace(static_cast<unsigned char>(ch))) {
        if (!cur.empty()) f.push_back(std::move(cur));
        cur.clear();
      } else {
        cur += ch;
      }
    }
    if (!cur.empty()) f.push_back(cur);
    return f;
  };
  if (is_array && (cmd[0] == "CMD" || cmd[0] == "CMD-SHELL" || cmd[0] == "NONE")) {
    // Docker's JSON form, kept as written (podman 4.3 splits the JSON text on spaces here
    // and stores a test no runtime can run).
  } else if (cmd[0] == "CMD" || cmd[0] == "none") {
    cmd = fields();
  } else if (cmd[0] != "CMD-SHELL") {
    if (is_array && cmd.size() > 1) {
      cmd.insert(cmd.begin(), "CMD");
    } else {
      std::string concat;
      for (size_t i = 0; i < cmd.size(); ++i) concat += (i ? " " : "") + cmd[i];
      cmd = {"CMD-SHELL", concat};
    }
  }
  if (!cmd.empty() && cmd[0] == "none") cmd = {"NONE"};
  api::Schema2HealthConfig hc;
  hc.test = cmd;
  std::string interval = o.health_interval == "disable" ? "0" : o.health_interval;
  auto dur = [](const std::string& v, const char* what) -> Result<int64_t> {
    if (v == "0") return int64_t(0);
    auto d = parseGoDuration(v);
    if (!d.ok()) return makeError(Code::kInvalidArgument, "invalid {}: time: invalid duration {:?}", what, v);
    return *d;
  };
  hc.interval = std::chrono::nanoseconds(TRY(dur(interval, "healthcheck-interval")));
  if (o.health_retries < 1) return makeError(Code::kInvalidArgument, "healthcheck-retries must be greater than 0");
  hc.retries = o.health_retries;
  hc.timeout = std::chrono::nanoseconds(TRY(dur(o.health_timeout, "healthcheck-timeout")));
  if (hc.timeout.count() < 1) return makeError(Code::kInvalidArgument, "healthcheck-timeout must be at least 1 second");
  hc.start_period = std::chrono::nanoseconds(TRY(dur(o.health_start_period, "healthcheck-start-period")));
  if (hc.start_period.count() < 0)
    return makeError(Code::kInvalidArgument, "healthcheck-start-period must be 0 seconds or greater");
  return hc;
}

// podman's parseSecrets: NAME alone, or NAME,opt=val... with source, type (mount|env),
// target, mode (octal), uid, gid; env secrets take no uid, gid or mode.
Status parseSecretFlags(const std::vector<std::string>& flags, api::SpecGenerator& s) {
  auto bad = [](const std::string& what) { return makeError(Code::kInvalidArgument, "{}: parsing secret", what); };
  for (auto& val : flags) {
    std::vector<std::string> split;
    for (size_t start = 0; start <= val.size();) {
      size_t end = std::min(val.find(',', start), val.size());
      split.push_back(val.substr(start, end - start));
      start = end + 1;
    }
    api::Secret m;
    m.mode = 0444;
    if (split.size() == 1) {
      m.source = val;
      s.secrets.push_back(m);
      continue;
    }
    std::string type, target;
    bool mount_only = false;
    size_t first = 0;
    if (split[0].find('=') == std::string::npos) {
      m.source = split[0];
      first = 1;
    }
    for (size_t i = first; i < split.size(); ++i) {
      const std::string& opt = split[i];
      auto eq = opt.find('=');
      if (eq == std::string::npos) return bad(fmt::format("option {} must be in form option=value", opt));
      std::string k = opt.substr(0, eq), v = opt.substr(eq + 1);
      auto num = [&](int base, const char* what) -> Result<uint32_t> {
        uint64_t n = 0;
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n, base);
        if (v.empty() || ec != std::errc() || end != v.data() + v.size() || n > 0xffffffffULL)
          return bad(fmt::format("{} {} invalid", what, v));
        return uint32_t(n);
      };
      if (k == "source") m.source = v;
      else if (k == "type") {
        if (!type.empty()) return bad("cannot set more than one secret type");
        if (v != "mount" && v != "env") return bad(fmt::format("type {} is invalid", v));
        type = v;
      } else if (k == "target") target = v;
      else if (k == "mode") {
        mount_only = true;
        m.mode = TRY(num(8, "mode"));
      } else if (k == "uid" || k == "UID") {
        mount_only = true;
        m.uid = TRY(num(10, "UID"));
      } else if (k == "gid" || k == "GID") {
        mount_only = true;
        m.gid = TRY(num(10, "GID"));
      } else {
        return bad(fmt::format("option {} invalid", opt));
      }
    }
    if (type.empty()) type = "mount";
    if (m.source.empty()) return bad(fmt::format("no source found {}", val));
    if (type == "mount") {
      m.target = target;
      s.secrets.push_back(m);
    } else {
      if (mount_only) return bad("UID, GID, Mode options cannot be set with secret type env");
      s.secret_env[target.empty() ? m.source : target] = m.source;
    }
  }
  return {};
}

Result<api::ContainerNetworkConfig> networkConfig(const CreateOpts& o) {
  api::SpecGenerator s;
  TRY(applyNetworkFlags(o, s));
  return static_cast<api::ContainerNetworkConfig&>(s);
}

namespace {

// podman's --label-file: KEY=VALUE lines; blank lines and # comments skipped, a bare KEY
// has an empty value.
Result<std::vector<std::pair<std::string, std::string>>> readLabelFile(const std::string& path) {
  auto text = TRY_CTX(fs::readFile(path), "--label-file {}", path);
  std::vector<std::pair<std::string, std::string>> out;
  for (std::string_view line : splitLines(text)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string_view::npos || line[b] == '#') continue;
    line.remove_prefix(b);
    auto eq = line.find('=');
    out.emplace_back(std::string(line.substr(0, eq)), eq == std::string_view::npos ? "" : std::string(line.substr(eq + 1)));
  }
  return out;
}

// containers/storage's ParseIDMap: each value holds one or more CONTAINER:HOST:SIZE triples.
Status parseIdMapFlag(const std::vector<std::string>& specs, const char* what, std::vector<api::IDMap>& out) {
  for (const auto& spec : specs) {
    auto f = splitFields(spec, ':');
    auto malformed = [&] {
      return makeError(Code::kInvalidArgument,
                       "initializing ID mappings: {} setting is malformed expected [\"uint32:uint32:uint32\"]: {:?}",
                       what, spec);
    };
    if (f.size() % 3 != 0) return malformed();
    for (size_t i = 0; i < f.size(); i += 3) {
      int64_t v[3];
      for (int k = 0; k < 3; ++k) {
        auto [end, ec] = std::from_chars(f[i + k].data(), f[i + k].data() + f[i + k].size(), v[k]);
        if (f[i + k].empty() || ec != std::errc() || end != f[i + k].data() + f[i + k].size() || v[k] < 0 ||
            v[k] > int64_t(UINT32_MAX))
          return malformed();
      }
      out.push_back(api::IDMap{.container_id = v[0], .host_id = v[1], .size = v[2]});
    }
  }
  return {};
}

// The ranges /etc/subuid (or subgid) gives `name`, mapped from container ID 0 upwards.
Status subIdRanges(const std::string& file, const std::string& name, std::vector<api::IDMap>& out) {
  auto text = TRY_CTX(fs::readFile(file), "read {}", file);
  int64_t next = 0;
  for (std::string_view line : splitLines(text)) {
    auto f = splitFields(line, ':');
    if (f.size() != 3 || f[0] != name) continue;
    int64_t host = std::atoll(std::string(f[1]).c_str()), size = std::atoll(std::string(f[2]).c_str());
    if (size <= 0) continue;
    out.push_back(api::IDMap{.container_id = next, .host_id = host, .size = size});
    next += size;
  }
  if (out.empty()) return makeError(Code::kNotFound, "no subordinate ID ranges found for {:?} in {}", name, file);
  return {};
}

// podman's ParseIDMapping: --uidmap/--gidmap (each defaulting to the other) after the
// ranges of --subuidname/--subgidname; any mapping means a private user namespace.
Status applyIdMappingFlags(const CreateOpts& o, api::SpecGenerator& s) {
  if (o.uidmap.empty() && o.gidmap.empty() && o.subuidname.empty() && o.subgidname.empty()) return {};
  api::IDMappingOptions m;
  std::string subuid = o.subuidname.empty() ? o.subgidname : o.subuidname;
  std::string subgid = o.subgidname.empty() ? o.subuidname : o.subgidname;
  if (!subuid.empty()) {
    TRY(subIdRanges("/etc/subuid", subuid, m.uid_map));
    TRY(subIdRanges("/etc/subgid", subgid, m.gid_map));
  }
  TRY(parseIdMapFlag(o.uidmap.empty() ? o.gidmap : o.uidmap, "UID", m.uid_map));
  TRY(parseIdMapFlag(o.gidmap.empty() ? o.uidmap : o.gidmap, "GID", m.gid_map));
  m.host_uid_mapping = m.uid_map.empty();
  m.host_gid_mapping = m.gid_map.empty();
  s.idmappings = std::move(m);
  if (o.userns.empty()) s.userns.nsmode = api::NamespaceMode::kPrivate;
  return {};
}

}  // namespace

Result<api::SpecGenerator> buildSpec(const CreateOpts& o, const std::vector<std::string>& args,
                                     const std::vector<std::string>& raw_argv) {
  api::SpecGenerator s;
  s.pod = o.pod;
  if (s.pod.empty() && !o.pod_id_file.empty()) {
    auto id = fs::readFile(o.pod_id_file);
    if (!id.ok()) return std::move(id).error().context("reading pod ID file");
    s.pod = *id;
    while (!s.pod.empty() && (s.pod.back() == '\n' || s.pod.back() == ' ')) s.pod.pop_back();
  }
  if (o.rootfs) {
    // podman's --rootfs PATH[:O]: a directory used as the root filesystem, ":O" with an
    // overlay on top that keeps PATH unchanged.
    std::string path = args[0];
    if (path.size() > 2 && path.ends_with(":O")) {
      path.resize(path.size() - 2);
      s.rootfs_overlay = true;
    }
    std::error_code ec;
    auto abs = std::filesystem::absolute(path, ec);
    if (ec || !fs::isDir(abs.string()))
      return makeError(Code::kNotFound, "--rootfs {:?}: not a directory", path);
    s.rootfs = abs.lexically_normal().string();
  } else {
    s.image = args[0];
    s.raw_image_name = args[0];
  }
  s.name = o.name;
  s.command.assign(args.begin() + 1, args.end());
  s.hostname = o.hostname;
  s.work_dir = o.workdir;
  if (!o.user.empty()) s.user = TRY(specgen::parseUserFlag(o.user));
  if (o.tty) s.terminal = true;
  if (o.interactive) s.stdin = true;
  // As podman: a container removed when it exits keeps nothing worth a sync (volatile storage).
  if (o.rm) {
    s.remove = true;
    s.volatile_storage = true;
  }
  if (o.privileged) s.privileged = true;
  if (o.read_only) s.read_only_filesystem = true;
  if (o.init) s.init = true;
  s.umask = o.umask;
  if (!o.entrypoint.empty() || o.entrypoint_set) {
    if (!o.entrypoint.empty() && o.entrypoint[0] == '[') {
      Json e = Json::parse(o.entrypoint, nullptr, false);
      bool ok = e.is_array() && std::all_of(e.begin(), e.end(), [](const Json& v) { return v.is_string(); });
      if (!ok) return makeError(Code::kInvalidArgument, "invalid --entrypoint {:?}: malformed JSON array", o.entrypoint);
      for (auto& v : e) s.entrypoint.push_back(v.get<std::string>());
    } else {
      s.entrypoint = {o.entrypoint};
    }
  }
  auto host_env = specgen::currentEnviron();
  for (auto& f : o.env_file)
    for (auto& [k, v] : TRY(specgen::parseEnvFile(f, host_env))) s.env[k] = v;
  for (auto& e : o.env)
    for (auto& [k, v] : TRY(specgen::parseEnvArg(e, host_env))) s.env[k] = v;
  for (auto& f : o.label_file)
    for (auto& [k, v] : TRY(readLabelFile(f))) s.labels[k] = v;
  for (auto& l : o.labels) {
    auto eq = l.find('=');
    s.labels[l.substr(0, eq)] = eq == std::string::npos ? "" : l.substr(eq + 1);
  }
  for (auto& a : o.annotations) {
    auto eq = a.find('=');
    if (eq == std::string::npos) return makeError(Code::kInvalidArgument, "invalid annotation {:?}: must be key=value", a);
    s.annotations[a.substr(0, eq)] = a.substr(eq + 1);
  }
  char cwd[4096];
  std::string wd = ::getcwd(cwd, sizeof cwd) ? cwd : "/";
  for (auto& v : o.volumes) TRY(specgen::addVolumeFlag(s, v, wd));
  for (auto& m : o.mounts) TRY(specgen::addMountFlag(s, m, wd));
  for (auto& t : o.tmpfs) TRY(specgen::addTmpfsFlag(s, t));
  s.volumes_from = o.volumes_from;
  if (!o.image_volume.empty()) {
    // The CLI's "bind" is the specgen's "anonymous": a volume per image VOLUME.
    if (o.image_volume != "bind" && o.image_volume != "tmpfs" && o.image_volume != "ignore")
      return makeError(Code::kInvalidArgument, "invalid image volume mode {:?}: want bind, tmpfs or ignore",
                       o.image_volume);
    s.image_volume_mode = o.image_volume == "bind" ? "anonymous" : o.image_volume;
  }
  s.cap_add = o.cap_add;
  s.cap_drop = o.cap_drop;
  for (auto& u : o.ulimits) s.r_limits.push_back(TRY(specgen::parseUlimit(u)));
  if (!o.restart.empty()) {
    // POLICY[:RETRIES]; the engine checks the policy and where retries are allowed.
    auto colon = o.restart.find(':');
    s.restart_policy = o.restart.substr(0, colon);
    if (colon != std::string::npos) {
      std::string n = o.restart.substr(colon + 1);
      if (n.find(':') != std::string::npos)
        return makeError(Code::kInvalidArgument, "invalid restart policy: may specify retries at most once");
      int64_t tries = 0;
      auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), tries);
      if (n.empty() || ec != std::errc() || end != n.data() + n.size())
        return makeError(Code::kInvalidArgument, "parsing restart policy retry count: invalid number {:?}", n);
      if (tries < 0)
        return makeError(Code::kInvalidArgument, "must specify restart policy retry count as a number greater than 0");
      s.restart_tries = uint64_t(tries);
    }
  }
  s.oci_runtime = o.runtime;
  api::LogConfig log;
  log.driver = o.log_driver;
  for (auto& lo : o.log_opts) {
    auto eq = lo.find('=');
    if (eq == std::string::npos) return makeError(Code::kInvalidArgument, "invalid log option {:?}", lo);
    std::string k = lo.substr(0, eq), v = lo.substr(eq + 1);
    std::string lk = k;
    std::transform(lk.begin(), lk.end(), lk.begin(), ::tolower);
    if (lk == "driver") log.driver = v;
    else if (lk == "path") log.path = v;
    else if (lk == "max-size") log.size = TRY_CTX(parseDecimalSize(v), "--log-opt {}", lo);
    else log.options[k] = v;
  }
  s.log_configuration = std::move(log);
  TRY(applyNetworkFlags(o, s));
  // podman's create checks: DNS settings need a network of the container's own.
  if ((!o.dns.empty() || !o.dns_option.empty() || !o.dns_search.empty()) &&
      (s.netns.is(api::NamespaceMode::kNone) || s.netns.is(api::NamespaceMode::kContainer)))
    return makeError(Code::kInvalidArgument, "conflicting options: dns and the network mode: {}",
                     api::namespaceModeName(s.netns.nsmode));
  if (!o.pod.empty() && !o.pod.starts_with("new:") && !o.userns.empty() && !std::getenv("PODMAN_USERNS"))
    return makeError(Code::kInvalidArgument, "--userns and --pod cannot be set together");
  if (!o.pid.empty()) s.pidns = TRY(parseNamespaceFlag(o.pid));
  if (!o.uts.empty()) s.utsns = TRY(parseNamespaceFlag(o.uts));
  if (!o.ipc.empty()) {  // podman's ParseIPCNamespace
    if (o.ipc == "shareable") s.ipcns.nsmode = api::NamespaceMode::kShareable;
    else if (o.ipc == "none") s.ipcns.nsmode = api::NamespaceMode::kNone;
    else s.ipcns = TRY(parseNamespaceFlag(o.ipc));
  }
  if (!o.userns.empty()) {  // podman's ParseUserNamespace
    const std::string& u = o.userns;
    auto colon = u.find(':');
    std::string mode = u.substr(0, colon), value = colon == std::string::npos ? "" : u.substr(colon + 1);
    if (mode == "auto") s.userns = {api::NamespaceMode::kAuto, value};
    else if (mode == "keep-id") s.userns = {api::NamespaceMode::kKeepId, value};
    else if (u == "nomap") s.userns.nsmode = api::NamespaceMode::kNoMap;
    else s.userns = TRY(parseNamespaceFlag(u));
  }
  TRY(applyIdMappingFlags(o, s));
  for (auto& kv : o.sysctl) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return makeError(Code::kInvalidArgument, "sysctl {:?}: values must be in the form of KEY=VALUE", kv);
    s.sysctl[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  if (!o.cgroupns.empty()) s.cgroupns = TRY(parseNamespaceFlag(o.cgroupns));
  s.cgroup_parent = o.cgroup_parent;
  s.cgroups_mode = o.cgroups;
  for (auto& kv : o.cgroup_conf) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return makeError(Code::kInvalidArgument, "--cgroup-conf {:?}: must be in the format KEY=VALUE", kv);
    s.unified[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  if (!o.personality.empty()) s.personality = api::LinuxPersonality{.domain = o.personality, .flags = {}};
  if (o.oom_score_adj_set) {
    if (o.oom_score_adj < -1000 || o.oom_score_adj > 1000)
      return makeError(Code::kInvalidArgument, "oom_score_adj {} is out of range: must be between -1000 and 1000",
                       o.oom_score_adj);
    s.oom_score_adj = o.oom_score_adj;
  }
  if (o.env_host) s.env_host = true;
  s.env_merge = o.env_merge;
  if (!o.read_only_tmpfs) s.read_write_tmpfs = false;
  s.init_path = o.init_path;
  if (!o.init_path.empty() && !o.init)
    return makeError(Code::kInvalidArgument, "--init-path needs --init");
  s.passwd_entry = o.passwd_entry;
  if (!o.passwd) s.manage_password = false;
  s.host_users = o.hostuser;
  s.chroot_directories = o.chrootdirs;
  s.pid_file = o.pidfile;
  s.dependency_containers = o.requires_ctrs;
  s.sdnotify_mode = o.sdnotify;
  s.seccomp_policy = o.seccomp_policy;
  if (!o.init_ctr.empty()) {
    if (o.init_ctr != "always" && o.init_ctr != "once")
      return makeError(Code::kInvalidArgument, "init-ctr value must be 'always' or 'once'");
    if (o.pod.empty()) return makeError(Code::kInvalidArgument, "must specify pod value with init-ctr");
    s.init_container_type = o.init_ctr;
  }
  if (!o.stop_signal.empty()) s.stop_signal = TRY(specgen::parseSignal(o.stop_signal));
  if (o.stop_timeout < 0) return makeError(Code::kInvalidArgument, "invalid --stop-timeout {}: must not be negative", o.stop_timeout);
  s.stop_timeout = uint64_t(o.stop_timeout);
  if (!o.shm_size.empty()) s.shm_size = TRY(parseSize(o.shm_size));
  api::LinuxResources limits;
  if (!o.memory.empty()) limits.memory = api::LinuxMemory{.limit = TRY(parseSize(o.memory))};
  if (o.pids_limit > 0) limits.pids = api::LinuxPids{o.pids_limit};
  if (limits != api::LinuxResources{}) s.resource_limits = std::move(limits);
  TRY(applyResourceOpts(o.resources, s, true));
  if (!o.http_proxy) s.http_proxy = false;
  s.groups = o.group_add;
  for (auto& d : o.devices) s.devices.push_back(api::LinuxDevice{.path = d});
  for (auto& so : o.security_opt) {
    // podman's FillOutSpecGen: KEY=VALUE, or Docker's deprecated KEY:VALUE.
    if (so == "no-new-privileges") {
      s.no_new_privileges = true;
      continue;
    }
    auto sep = so.find(so.find('=') != std::string::npos ? '=' : ':');
    if (sep == std::string::npos) return makeError(Code::kInvalidArgument, "invalid --security-opt 1: {:?}", so);
    std::string key = so.substr(0, sep), value = so.substr(sep + 1);
    if (key == "no-new-privileges") {
      static const std::set<std::string> kTrue = {"1", "t", "T", "TRUE", "true", "True"};
      static const std::set<std::string> kFalse = {"0", "f", "F", "FALSE", "false", "False"};
      if (!kTrue.count(value) && !kFalse.count(value))
        return makeError(Code::kInvalidArgument, "invalid --security-opt 2: {:?}", so);
      s.no_new_privileges = kTrue.count(value) > 0;
    } else if (key == "seccomp") {
      s.seccomp_profile_path = value;
    } else if (key == "apparmor") {
      s.apparmor_profile = value;
    } else if (key == "label") {
      s.selinux_opts.push_back(value);
    } else if (key == "mask") {
      for (size_t start = 0; start <= value.size();) {
        size_t end = std::min(value.find(':', start), value.size());
        s.mask.push_back(value.substr(start, end - start));
        start = end + 1;
      }
    } else if (key == "unmask") {
      s.unmask.push_back(value);
    } else if (key == "proc-opts") {
      s.procfs_opts = TRY(splitCsv(value));
    } else if (key == "systempaths") {
      if (value != "unconfined")
        return makeError(Code::kInvalidArgument, "invalid systempaths option {:?}, only `unconfined` is supported", value);
      s.unmask.push_back("ALL");
    } else {
      return makeError(Code::kInvalidArgument, "invalid --security-opt 2: {:?}", so);
    }
  }
  s.unset_env = o.unsetenv;
  if (o.unsetenv_all) s.unset_env_all = true;
  s.timezone = o.tz;
  s.conmon_pid_file = o.conmon_pidfile;
  if (o.timeout < 0) return makeError(Code::kInvalidArgument, "invalid argument \"{}\" for \"--timeout\" flag", o.timeout);
  s.timeout = uint64_t(o.timeout);
  if (!o.systemd.empty()) {
    s.systemd = o.systemd;
    std::transform(s.systemd.begin(), s.systemd.end(), s.systemd.begin(), ::tolower);
  }
  for (auto& r : o.device_cgroup_rule) s.device_cgroup_rule.push_back(TRY(parseDeviceCgroupRule(r)));
  if (o.preserve_fds < 0) return makeError(Code::kInvalidArgument, "invalid argument \"{}\" for \"--preserve-fds\" flag", o.preserve_fds);
  s.preserve_fds = uint64_t(o.preserve_fds);
  static const std::set<std::string> kPull = {"always", "missing", "never", "newer"};
  if (!kPull.count(o.pull))
    return makeError(Code::kInvalidArgument, "invalid pull policy {:?}: want always, missing, never or newer", o.pull);
  if (!o.health_cmd.empty()) {
    if (o.no_healthcheck) return makeError(Code::kInvalidArgument, "cannot specify both --no-healthcheck and --health-cmd");
    s.healthconfig = TRY(parseHealthFlags(o));
  } else if (o.no_healthcheck) {
    api::Schema2HealthConfig none;
    none.test = {"NONE"};
    s.healthconfig = none;
  }
  auto action = api::parseHealthOnFailure(o.health_on_failure);
  if (!action)
    return makeError(Code::kInvalidArgument, "invalid on-failure action {:?} for health check: valid options are: none, kill, restart, stop",
                     o.health_on_failure);
  s.health_check_on_failure_action = *action;
  TRY(parseSecretFlags(o.secrets, s));
  s.container_create_command = raw_argv;
  return s;
}

}  // namespace berth::cli
