// containers.conf loading: the file list podman uses, TOML through toml_json, deep merge.
#include "config/containers_conf.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "base/fs.h"
#include "config/toml_json.h"

namespace berth::config {

namespace {

void mergeInto(Json& dst, const Json& src) {
  for (auto& [k, v] : src.items()) {
    if (v.is_object() && dst.contains(k) && dst[k].is_object()) mergeInto(dst[k], v);
    else dst[k] = v;
  }
}

// Comment lines emptied (kept as lines, so a parse error names the same line): Debian's
// /usr/share/containers/containers.conf is 24 kB of which 1 kB is settings, and every command
// reads it. Not where a multi-line string could hold a '#' line.
std::string withoutCommentLines(const std::string& text) {
  if (text.find("\"\"\"") != std::string::npos || text.find("'''") != std::string::npos) return text;
  std::string out;
  out.reserve(text.size() / 8);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string::npos ? text.size() : nl;
    size_t first = text.find_first_not_of(" \t", pos);
    if (first >= end || text[first] != '#') out.append(text, pos, end - pos);
    if (nl == std::string::npos) break;
    out.push_back('\n');
    pos = nl + 1;
  }
  return out;
}

// Parsed files, kept for the life of the process while their text stays the same (a container
// start reads containers.conf again for its DNS and hosts defaults; the API service for each).
std::mutex g_parsed_mu;
std::map<std::string, std::pair<std::string, Json>> g_parsed;

Status mergeFile(Json& out, const std::string& path, bool must_exist) {
  auto text = fs::readFile(path);
  if (!text.ok()) {
    if (text.error().code() == Code::kNotFound && !must_exist) return {};
    return std::move(text).error().context("read " + path);
  }
  {
    std::lock_guard lock(g_parsed_mu);
    if (auto it = g_parsed.find(path); it != g_parsed.end() && it->second.first == *text) {
      mergeInto(out, it->second.second);
      return {};
    }
  }
  Json j = TRY(parseToml(withoutCommentLines(*text), path));
  mergeInto(out, j);
  std::lock_guard lock(g_parsed_mu);
  g_parsed[path] = {std::move(*text), std::move(j)};
  return {};
}

// go-units RAMInBytes-like sizes: 1000000, "1m", "10kb", "2GiB".
Result<uint64_t> parseSize(const Json& v, std::string_view key) {
  if (v.is_number_integer()) {
    int64_t n = v.get<int64_t>();
    if (n < 0) return makeError(Code::kInvalidArgument, "containers.conf {}: negative size", key);
    return uint64_t(n);
  }
  if (!v.is_string()) return makeError(Code::kInvalidArgument, "containers.conf {}: want a size", key);
  std::string s = v.get<std::string>();
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  if (i == 0) return makeError(Code::kInvalidArgument, "containers.conf {}: invalid size {:?}", key, s);
  double n = std::stod(s.substr(0, i));
  std::string unit = s.substr(i);
  std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (!unit.empty() && unit.back() == 'b') unit.pop_back();
  if (!unit.empty() && unit.back() == 'i') unit.pop_back();
  double mul = 1;
  if (unit == "k") mul = 1024;
  else if (unit == "m") mul = 1024.0 * 1024;
  else if (unit == "g") mul = 1024.0 * 1024 * 1024;
  else if (unit == "t") mul = 1024.0 * 1024 * 1024 * 1024;
  else if (!unit.empty()) return makeError(Code::kInvalidArgument, "containers.conf {}: invalid size {:?}", key, s);
  return uint64_t(n * mul);
}

}  // namespace

Result<Json> loadContainersConf(const HostEnv& env) {
  Json out = Json::object();
  if (std::string p = env.get("CONTAINERS_CONF"); !p.empty()) {
    TRY(mergeFile(out, p, true));
    return out;
  }
  TRY(mergeFile(out, "/usr/share/containers/containers.conf", false));
  TRY(mergeFile(out, "/etc/containers/containers.conf", false));
  if (auto names = fs::listDir("/etc/containers/containers.conf.d"); names.ok()) {
    std::sort(names->begin(), names->end());
    for (auto& n : *names)
      if (n.size() > 5 && n.compare(n.size() - 5, 5, ".conf") == 0)
        TRY(mergeFile(out, "/etc/containers/containers.conf.d/" + n, false));
  }
  if (env.euid != 0) {
    std::string base = env.get("XDG_CONFIG_HOME");
    if (base.empty() && !env.home.empty()) base = env.home + "/.config";
    if (!base.empty()) TRY(mergeFile(out, base + "/containers/containers.conf", false));
  }
  return out;
}

Result<EventsConf> eventsConf(const Json& conf) {
  EventsConf c;
  if (!conf.contains("engine") || !conf["engine"].is_object()) return c;
  const Json& e = conf["engine"];
  auto str = [&](const char* key, std::string& out) -> Status {
    if (!e.contains(key)) return {};
    if (!e[key].is_string()) return makeError(Code::kInvalidArgument, "containers.conf engine.{}: want a string", key);
    out = e[key].get<std::string>();
    return {};
  };
  TRY(str("events_logger", c.logger));
  TRY(str("events_logfile_path", c.logfile_path));
  if (e.contains("events_logfile_max_size")) c.max_size = TRY(parseSize(e["events_logfile_max_size"], "engine.events_logfile_max_size"));
  return c;
}

}  // namespace berth::config
