// The flags of create/run and their translation into a SpecGenerator.
#pragma once

#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "berth/api/specgen.h"
#include "cli/command.h"
#include "cli/resource_flags.h"

namespace berth::cli {

struct CreateOpts {
  bool detach = false, interactive = false, tty = false, rm = false, replace = false, privileged = false;
  bool read_only = false, init = false, sig_proxy = true, quiet = false, no_healthcheck = false;
  bool rootfs = false;  // --rootfs: the first argument is a root directory, not an image
  std::string pod, pod_id_file;  // --pod NAME|new:NAME, --pod-id-file
  std::string name, workdir, user, entrypoint, hostname, restart, runtime, log_driver = "k8s-file";
  std::string detach_keys = "ctrl-p,ctrl-q", cidfile, pull = "missing", stop_signal, shm_size;
  std::vector<std::string> network;  // --network, repeatable (pflag StringArray)
  std::string ip, ip6, mac_address;
  std::vector<std::string> network_alias, publish, expose, dns_search, dns_option;
  bool publish_all = false, no_hosts = false;
  std::string pid, ipc, uts, memory, cpus, umask;
  int stop_timeout = 10, pids_limit = -1;
  std::string image_volume;  // --image-volume: bind (anonymous volumes), tmpfs, ignore
  std::vector<std::string> env, env_file, volumes, mounts, tmpfs, labels, log_opts, cap_add, cap_drop;
  std::vector<std::string> ulimits, annotations, attach, add_host, dns, group_add, devices, security_opt;
  bool stop_timeout_set = false;
  bool entrypoint_set = false;
  bool tls_verify = true;
  std::string authfile, creds, cert_dir, arch, os, variant, platform;
  std::string conmon_pidfile, tz, systemd, userns, kernel_memory;
  std::vector<std::string> unsetenv, device_cgroup_rule, volumes_from;
  bool unsetenv_all = false, rmi = false;
  // --health-*: podman's defaults; health_cmd empty means "none given" (the image's applies).
  std::string health_cmd, health_interval = "30s", health_timeout = "30s", health_start_period = "0s";
  std::string health_on_failure = "none";
  int health_retries = 3;
  std::vector<std::string> secrets;  // --secret
  int timeout = 0, preserve_fds = 0;
  bool http_proxy = true;  // --http-proxy: pass the host's proxy variables
  ResourceOpts resources;  // --cpus, --cpu-shares, --memory-swap, --blkio-weight, ...
  std::vector<std::string> sysctl, uidmap, gidmap, cgroup_conf, env_merge, label_file, hostuser, chrootdirs;
  std::vector<std::string> requires_ctrs;  // --requires
  std::string cgroupns, subuidname, subgidname, cgroup_parent, cgroups, personality, init_path, passwd_entry;
  std::string pidfile, sdnotify = "container", seccomp_policy = "default", init_ctr;
  int oom_score_adj = 0;
  bool oom_score_adj_set = false, env_host = false, read_only_tmpfs = true, passwd = true;
  bool disable_content_trust = false;  // Docker's; a no-op, as in podman
};

// Registers the create flags on `c` (plus detach, detach-keys and sig-proxy for run).
void addCreateFlags(Command& c, CreateOpts& o, bool run);

// Builds the SpecGenerator for `args` (IMAGE [COMMAND...]); `raw_argv` is recorded as the
// container's CreateCommand. Only the flags' syntax is checked here: the engine's create
// checks the document (specgen::validateSpec), whichever front end built it.
Result<api::SpecGenerator> buildSpec(const CreateOpts& o, const std::vector<std::string>& args,
                                     const std::vector<std::string>& raw_argv);

// The network flags (--network, -p, -P, --expose, --ip, --mac-address, --network-alias, --dns*,
// --add-host, --no-hosts) as a network configuration: a pod's infra container takes them.
Result<api::ContainerNetworkConfig> networkConfig(const CreateOpts& o);

// Parses a size with an optional unit (b, k, m, g: powers of 1024, podman's RAMInBytes).
Result<int64_t> parseSize(const std::string& s);
// Parses a size with an optional decimal unit (k, m, g, t, p: powers of 1000; podman's
// FromHumanSize, used by --log-opt max-size).
Result<int64_t> parseDecimalSize(const std::string& s);

}  // namespace berth::cli
