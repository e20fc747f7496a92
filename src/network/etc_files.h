// The container's /etc/hosts and /etc/resolv.conf, built the way podman's libnetwork
// etchosts and resolvconf packages build them. Pure functions over text.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace berth::network {

struct HostEntry {
  std::string ip;
  std::vector<std::string> names;
};

// Entries of a hosts file: comments dropped, lines with an address and no name skipped.
std::vector<HostEntry> parseHosts(const std::string& text);

struct HostsParams {
  std::vector<std::string> extra_hosts;      // --add-host "name:ip", written first
  std::string base;                          // content of the base hosts file (the host's /etc/hosts)
  std::string host_containers_internal_ip;   // "" = no host.containers.internal entry
  std::vector<HostEntry> container_entries;  // the container's addresses with its hostname and name
};

// etchosts.New: extra hosts, then the base file's entries, then localhost
// (127.0.0.1, ::1), host.containers.internal and the container's entries,
// each with only the names not already present. kInvalidArgument for a bad
// --add-host entry ("unable to parse host entry \"x\": incorrect format").
Result<std::string> buildHosts(const HostsParams& p);

struct ResolvParams {
  bool host_netns = false;  // the container shares the host's network namespace
  bool ipv6 = false;        // keep IPv6 nameservers
  bool keep_host_servers = false;
  std::vector<std::string> nameservers, searches, options;
};

// resolvconf.New over `host_resolv` (the host's /etc/resolv.conf): in a
// private netns, localhost nameservers are dropped (and IPv6 ones without
// IPv6), falling back to Google's servers when none is left; the given
// nameservers/searches/options replace the host's unless keep_host_servers.
std::string buildResolvConf(const ResolvParams& p, const std::string& host_resolv);

// The nameservers, last search line and last options line of a resolv.conf.
std::vector<std::string> resolvNameservers(const std::string& text);
std::vector<std::string> resolvSearches(const std::string& text);
std::vector<std::string> resolvOptions(const std::string& text);

}  // namespace berth::network
