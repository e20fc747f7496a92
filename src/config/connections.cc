// system connection storage in containers.conf.
#include "config/connections.h"

#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/json.h"
#include "config/toml_json.h"

namespace berth::config {

Result<std::string> customConfigPath() {
  if (const char* p = std::getenv("CONTAINERS_CONF")) return std::string(p);
  if (::geteuid() == 0) return std::string("/etc/containers/containers.conf");
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) return std::string(x) + "/containers/containers.conf";
  std::string home;
  if (const char* h = std::getenv("HOME"); h && *h) home = h;
  else if (passwd* pw = ::getpwuid(::geteuid())) home = pw->pw_dir;
  if (home.empty()) return makeError(Code::kNotFound, "cannot find the home directory of uid {}", ::geteuid());
  return home + "/.config/containers/containers.conf";
}

namespace {

Status getString(const Json& obj, const char* key, std::string& out, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end()) return {};
  if (!it->is_string()) return makeError(Code::kInvalidArgument, "{}: {}: want a string", where, key);
  out = it->get<std::string>();
  return {};
}

Result<std::string> readText(const std::string& path) {
  if (!fs::exists(path)) return std::string();
  return fs::readFile(path);
}

}  // namespace

Result<Connections> readConnections() {
  Connections c;
  c.path = TRY(customConfigPath());
  std::string text = TRY(readText(c.path));
  Json doc = TRY(parseToml(text, c.path));
  auto eng = doc.find("engine");
  if (eng == doc.end()) return c;
  if (!eng->is_object()) return makeError(Code::kInvalidArgument, "{}: engine: want a table", c.path);
  std::string where = c.path + ": engine";
  TRY(getString(*eng, "active_service", c.active, where));
  TRY(getString(*eng, "remote_uri", c.remote_uri, where));
  TRY(getString(*eng, "remote_identity", c.remote_identity, where));
  auto dests = eng->find("service_destinations");
  if (dests == eng->end()) return c;
  if (!dests->is_object()) return makeError(Code::kInvalidArgument, "{}.service_destinations: want a table", where);
  for (auto& [name, d] : dests->items()) {
    std::string w = fmt::format("{}.service_destinations.{}", where, name);
    if (!d.is_object()) return makeError(Code::kInvalidArgument, "{}: want a table", w);
    Destination dst;
    TRY(getString(d, "uri", dst.uri, w));
    TRY(getString(d, "identity", dst.identity, w));
    if (auto m = d.find("is_machine"); m != d.end()) {
      if (!m->is_boolean()) return makeError(Code::kInvalidArgument, "{}: is_machine: want a boolean", w);
      dst.is_machine = m->get<bool>();
    }
    c.destinations[name] = std::move(dst);
  }
  return c;
}

Status writeConnections(const Connections& c) {
  std::string path = c.path;
  // Follow a symlinked containers.conf so the link stays a link.
  char real[PATH_MAX];
  if (::realpath(path.c_str(), real)) path = real;
  std::string text = TRY(readText(path));
  Json dests = Json::object();
  for (auto& [name, d] : c.destinations) {
    Json e = Json::object();
    e["uri"] = d.uri;
    if (!d.identity.empty()) e["identity"] = d.identity;
    if (d.is_machine) e["is_machine"] = true;
    dests[name] = e;
  }
  text = TRY(tomlSet(text, path, {"engine", "active_service"}, c.active.empty() ? Json() : Json(c.active)));
  text = TRY(tomlSet(text, path, {"engine", "service_destinations"}, dests.empty() ? Json() : dests));
  auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) TRY(fs::mkdirAll(path.substr(0, slash), 0755));
  return fs::writeFileAtomic(path, text, 0644).context(fmt::format("write {}", path));
}

Result<Destination> activeDestination(const Connections& c) {
  if (const char* host = std::getenv("CONTAINER_HOST")) {
    Destination d;
    d.uri = host;
    if (const char* key = std::getenv("CONTAINER_SSHKEY")) d.identity = key;
    return d;
  }
  if (const char* env = std::getenv("CONTAINER_CONNECTION"); env && *env) {
    auto it = c.destinations.find(env);
    if (it == c.destinations.end())
      return makeError(Code::kNotFound, "environment variable CONTAINER_CONNECTION={:?} service destination not found",
                       std::string(env));
    return it->second;
  }
  if (!c.active.empty()) {
    auto it = c.destinations.find(c.active);
    if (it == c.destinations.end()) return makeError(Code::kNotFound, "{:?} service destination not found", c.active);
    return it->second;
  }
  if (!c.remote_uri.empty()) return Destination{c.remote_uri, c.remote_identity, false};
  return makeError(Code::kNotFound, "no service destination configured");
}

}  // namespace berth::config
