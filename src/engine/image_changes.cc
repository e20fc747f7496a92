// --change parsing.
#include "engine/image_changes.h"

#include <algorithm>
#include <cctype>

namespace berth::engine {

namespace {

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// JSON array form, else the shell form (["/bin/sh", "-c", rest]).
Result<Json> commandForm(const std::string& change, const std::string& rest) {
  if (!rest.empty() && rest[0] == '[') {
    Json j = Json::parse(rest, nullptr, false);
    if (!j.is_array() || !std::all_of(j.begin(), j.end(), [](auto& v) { return v.is_string(); }))
      return makeError(Code::kInvalidArgument, "invalid change {:?}: malformed JSON array", change);
    return j;
  }
  return Json::array({"/bin/sh", "-c", rest});
}

// Splits "a=b c=d" or "key value" (legacy single pair) into pairs.
Result<std::vector<std::pair<std::string, std::string>>> keyValues(const std::string& change,
                                                                   const std::string& rest) {
  std::vector<std::pair<std::string, std::string>> out;
  auto first_space = rest.find_first_of(" \t");
  auto first_eq = rest.find('=');
  if (first_eq == std::string::npos || (first_space != std::string::npos && first_space < first_eq)) {
    if (first_space == std::string::npos)
      return makeError(Code::kInvalidArgument, "invalid change {:?}: want KEY=VALUE", change);
    out.emplace_back(rest.substr(0, first_space), trim(rest.substr(first_space + 1)));
    return out;
  }
  size_t i = 0;
  while (i < rest.size()) {
    while (i < rest.size() && isspace(static_cast<unsigned char>(rest[i]))) i++;
    if (i >= rest.size()) break;
    std::string key, val;
    while (i < rest.size() && rest[i] != '=' && !isspace(static_cast<unsigned char>(rest[i])))
      key += rest[i++];
    if (i >= rest.size() || rest[i] != '=')
      return makeError(Code::kInvalidArgument, "invalid change {:?}: {:?} is not KEY=VALUE", change, key);
    i++;
    char quote = 0;
    while (i < rest.size() && (quote || !isspace(static_cast<unsigned char>(rest[i])))) {
      char c = rest[i++];
      if (quote && c == quote) quote = 0;
      else if (!quote && (c == '"' || c == '\'')) quote = c;
      else if (c == '\\' && i < rest.size()) val += rest[i++];
      else val += c;
    }
    if (key.empty())
      return makeError(Code::kInvalidArgument, "invalid change {:?}: empty key", change);
    out.emplace_back(key, val);
  }
  return out;
}

}  // namespace

Status applyChanges(Json& config, const std::vector<std::string>& changes) {
  if (!config.is_object()) config = Json::object();
  for (const auto& raw : changes) {
    std::string change = trim(raw);
    auto sp = change.find_first_of(" \t=");
    std::string instr = change.substr(0, sp);
    std::string rest = sp == std::string::npos ? "" : trim(change.substr(sp + 1));
    std::string upper = instr;
    std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
    if (rest.empty() && upper != "CMD" && upper != "ENTRYPOINT")
      return makeError(Code::kInvalidArgument, "invalid change {:?}: missing value", raw);
    if (upper == "CMD") {
      config["Cmd"] = TRY(commandForm(raw, rest));
    } else if (upper == "ENTRYPOINT") {
      config["Entrypoint"] = TRY(commandForm(raw, rest));
    } else if (upper == "ENV") {
      Json& env = config["Env"];
      if (!env.is_array()) env = Json::array();
      for (auto& [k, v] : TRY(keyValues(raw, rest))) {
        std::string prefix = k + "=";
        auto it = std::find_if(env.begin(), env.end(), [&](const Json& e) {
          return e.get<std::string>().rfind(prefix, 0) == 0;
        });
        if (it != env.end()) *it = prefix + v;
        else env.push_back(prefix + v);
      }
    } else if (upper == "LABEL") {
      Json& labels = config["Labels"];
      if (!labels.is_object()) labels = Json::object();
      for (auto& [k, v] : TRY(keyValues(raw, rest))) labels[k] = v;
    } else if (upper == "EXPOSE") {
      Json& ports = config["ExposedPorts"];
      if (!ports.is_object()) ports = Json::object();
      size_t i = 0;
      while (i < rest.size()) {
        auto e = rest.find(' ', i);
        std::string p = rest.substr(i, e == std::string::npos ? std::string::npos : e - i);
        i = e == std::string::npos ? rest.size() : e + 1;
        if (p.empty()) continue;
        std::string port = p.substr(0, p.find('/'));
        std::string proto = p.find('/') == std::string::npos ? "tcp" : p.substr(p.find('/') + 1);
        bool numeric = !port.empty() &&
                       std::all_of(port.begin(), port.end(), [](char c) { return isdigit(c) || c == '-'; });
        if (!numeric || (proto != "tcp" && proto != "udp" && proto != "sctp"))
          return makeError(Code::kInvalidArgument, "invalid change {:?}: invalid port {:?}", raw, p);
        ports[port + "/" + proto] = Json::object();
      }
    } else if (upper == "USER") {
      config["User"] = rest;
    } else if (upper == "WORKDIR") {
      std::string wd = rest;
      std::string cur = config.value("WorkingDir", "");
      if (!wd.empty() && wd[0] != '/') wd = (cur.empty() ? "/" : cur + "/") + wd;
      config["WorkingDir"] = wd;
    } else if (upper == "STOPSIGNAL") {
      config["StopSignal"] = rest;
    } else if (upper == "ONBUILD") {
      Json& ob = config["OnBuild"];
      if (!ob.is_array()) ob = Json::array();
      ob.push_back(rest);
    } else if (upper == "VOLUME") {
      Json& vols = config["Volumes"];
      if (!vols.is_object()) vols = Json::object();
      if (rest[0] == '[') {
        Json j = Json::parse(rest, nullptr, false);
        if (!j.is_array() || !std::all_of(j.begin(), j.end(), [](auto& v) { return v.is_string(); }))
          return makeError(Code::kInvalidArgument, "invalid change {:?}: malformed JSON array", raw);
        for (auto& v : j) vols[v.get<std::string>()] = Json::object();
      } else {
        size_t i = 0;
        while (i < rest.size()) {
          auto e = rest.find(' ', i);
          std::string v = rest.substr(i, e == std::string::npos ? std::string::npos : e - i);
          i = e == std::string::npos ? rest.size() : e + 1;
          if (!v.empty()) vols[v] = Json::object();
        }
      }
    } else {
      return makeError(Code::kInvalidArgument, "invalid change {:?}: invalid instruction {}", raw,
                       instr);
    }
  }
  return {};
}

}  // namespace berth::engine
