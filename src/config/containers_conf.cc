// containers.conf loading: the file list podman uses, TOML through toml_json, deep merge.
#include "config/containers_conf.h"

#include <algorithm>

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

Status mergeFile(Json& out, const std::string& path, bool must_exist) {
  auto text = fs::readFile(path);
  if (!text.ok()) {
    if (text.error().code() == Code::kNotFound && !must_exist) return {};
    return std::move(text).error().context("read " + path);
  }
  Json j = TRY(parseToml(*text, path));
  mergeInto(out, j);
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
