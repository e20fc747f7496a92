// /etc/hosts and /etc/resolv.conf contents.
#include "network/etc_files.h"

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

namespace berth::network {

namespace {

std::vector<std::string> fields(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  std::string f;
  while (in >> f) out.push_back(f);
  return out;
}

std::string formatLine(const std::string& ip, const std::vector<std::string>& names) {
  std::string out = ip + "\t";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? " " : "") + names[i];
  return out + "\n";
}

// Lines without their comments.
std::vector<std::string> resolvLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line.substr(0, line.find('#')));
  return out;
}

const std::string kIpv4 = R"(((25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?))";
const std::string kIpv6 = R"(([0-9A-Fa-f]{0,4}:){2,7}([0-9A-Fa-f]{0,4})(%\w+)?)";

std::vector<std::string> lastKeywordLine(const std::string& text, const char* keyword) {
  std::vector<std::string> out;
  for (auto& line : resolvLines(text)) {
    auto f = fields(line);
    if (!f.empty() && f[0] == keyword) out.assign(f.begin() + 1, f.end());
  }
  return out;
}

}  // namespace

std::vector<HostEntry> parseHosts(const std::string& text) {
  std::vector<HostEntry> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto f = fields(line.substr(0, line.find('#')));
    if (f.size() < 2) continue;
    out.push_back({f[0], std::vector<std::string>(f.begin() + 1, f.end())});
  }
  return out;
}

Result<std::string> buildHosts(const HostsParams& p) {
  std::vector<HostEntry> user;
  for (auto& e : p.extra_hosts) {
    auto colon = e.find(':');
    if (colon == std::string::npos)
      return makeError(Code::kInvalidArgument, "unable to parse host entry {:?}: incorrect format", e);
    if (colon == 0) return makeError(Code::kInvalidArgument, "hostname in host entry {:?} is empty", e);
    if (colon + 1 == e.size()) return makeError(Code::kInvalidArgument, "IP address in host entry {:?} is empty", e);
    user.push_back({e.substr(colon + 1), {e.substr(0, colon)}});
  }
  for (auto& e : parseHosts(p.base)) user.push_back(e);
  std::string out;
  std::set<std::string> names;
  for (auto& e : user) {
    names.insert(e.names.begin(), e.names.end());
    out += formatLine(e.ip, e.names);
  }
  std::vector<HostEntry> ours = {{"127.0.0.1", {"localhost"}}, {"::1", {"localhost"}}};
  if (!p.host_containers_internal_ip.empty())
    ours.push_back({p.host_containers_internal_ip, {"host.containers.internal"}});
  ours.insert(ours.end(), p.container_entries.begin(), p.container_entries.end());
  for (auto& e : ours) {
    std::vector<std::string> free;
    for (auto& n : e.names)
      if (!names.count(n)) free.push_back(n);
    if (!free.empty()) out += formatLine(e.ip, free);
  }
  return out;
}

std::vector<std::string> resolvNameservers(const std::string& text) {
  static const std::regex ns(R"(^\s*nameserver\s*(()" + kIpv4 + ")|(" + kIpv6 + R"())\s*$)");
  std::vector<std::string> out;
  for (auto& line : resolvLines(text)) {
    std::smatch m;
    if (std::regex_match(line, m, ns)) out.push_back(m[1].str());
  }
  return out;
}

std::vector<std::string> resolvSearches(const std::string& text) { return lastKeywordLine(text, "search"); }
std::vector<std::string> resolvOptions(const std::string& text) { return lastKeywordLine(text, "options"); }

std::string buildResolvConf(const ResolvParams& p, const std::string& host_resolv) {
  std::string content = host_resolv;
  if (!p.host_netns) {
    // filterResolvDNS: no localhost resolvers in a private netns, no IPv6 ones without IPv6
    // (line by line, as Go's multi-line regexps remove them).
    static const std::regex local(R"(^nameserver\s+((127\.([0-9]{1,3}\.){2}[0-9]{1,3})|(::1\s*$)))");
    static const std::regex v6("^nameserver\\s+" + kIpv6);
    std::string kept;
    std::istringstream in(content);
    std::string line;
    while (std::getline(in, line)) {
      if (std::regex_search(line, local) || (!p.ipv6 && std::regex_search(line, v6))) continue;
      kept += line + "\n";
    }
    content = kept;
    if (resolvNameservers(content).empty()) {
      content += "\nnameserver 8.8.8.8\nnameserver 8.8.4.4";
      if (p.ipv6) content += "\nnameserver 2001:4860:4860::8888\nnameserver 2001:4860:4860::8844";
    }
  }
  std::vector<std::string> nameservers = p.nameservers;
  if (nameservers.empty() || p.keep_host_servers)
    for (auto& n : resolvNameservers(content)) nameservers.push_back(n);
  bool unset = std::find(p.searches.begin(), p.searches.end(), ".") != p.searches.end();
  std::vector<std::string> searches = unset ? std::vector<std::string>{} : p.searches;
  if (p.searches.empty() || (p.keep_host_servers && !searches.empty()))
    for (auto& s : resolvSearches(content)) searches.push_back(s);
  std::vector<std::string> options = p.options;
  if (options.empty() || p.keep_host_servers)
    for (auto& o : resolvOptions(content)) options.push_back(o);

  std::string out;
  if (!searches.empty()) {
    std::string s;
    for (size_t i = 0; i < searches.size(); ++i) s += (i ? " " : "") + searches[i];
    if (s != ".") out += "search " + s + "\n";
  }
  for (auto& n : nameservers) out += "nameserver " + n + "\n";
  if (!options.empty()) {
    std::string s;
    for (size_t i = 0; i < options.size(); ++i) s += (i ? " " : "") + options[i];
    out += "options " + s + "\n";
  }
  return out;
}

}  // namespace berth::network
