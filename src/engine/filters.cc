// The --filter vocabulary shared by networks and volumes.
#include "engine/filters.h"

#include <fnmatch.h>

#include <regex>

namespace berth::engine {

bool regexMatchAny(const std::string& s, const std::vector<std::string>& patterns) {
  for (auto& p : patterns) {
    try {
      if (std::regex_search(s, std::regex(p))) return true;
    } catch (const std::regex_error&) {
    }
  }
  return false;
}

bool matchLabels(const std::vector<std::string>& filters, const std::map<std::string, std::string>& labels) {
  for (auto& f : filters) {
    auto eq = f.find('=');
    std::string key = f.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : f.substr(eq + 1);
    bool found = false;
    for (auto& [k, v] : labels) {
      if (!value.empty() && v != value) continue;
      if (k == key ||
          (key.find('*') != std::string::npos && ::fnmatch(("*" + key + "*").c_str(), k.c_str(), 0) == 0)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

Result<std::map<std::string, std::vector<std::string>>> groupFilters(const std::vector<std::string>& raw) {
  std::map<std::string, std::vector<std::string>> out;
  for (auto& f : raw) {
    auto eq = f.find('=');
    if (eq == std::string::npos)
      return makeError(Code::kInvalidArgument, "filter input must be in the form of filter=value: {} is invalid", f);
    out[f.substr(0, eq)].push_back(f.substr(eq + 1));
  }
  return out;
}

Result<bool> parseGoBool(const std::string& v, const std::string& what) {
  for (auto* t : {"1", "t", "T", "TRUE", "true", "True"})
    if (v == t) return true;
  for (auto* f : {"0", "f", "F", "FALSE", "false", "False"})
    if (v == f) return false;
  return makeError(Code::kInvalidArgument, "invalid {} filter value {:?}", what, v);
}

}  // namespace berth::engine
