// `image trust`: podman's pkg/trust (policy description and AddPolicyEntries) on policy.json.
#include "config/trust.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <regex>

#include "base/base64.h"
#include "base/fs.h"
#include "base/json_access.h"
#include "base/log.h"
#include "config/pgp_userids.h"

namespace berth::config {

namespace {

constexpr std::string_view kSystemPolicy = "/etc/containers/policy.json";

// ---- trust set ---------------------------------------------------------------------

// The requirement list `req` sets, as podman marshals its repoContent values.
Result<Json> newRequirements(const TrustSetRequest& req) {
  std::string type = req.type == "accept" ? "insecureAcceptAnything" : req.type;
  Json out = Json::array();
  // Errors name the type as the user typed it, as podman's do.
  if (type == "insecureAcceptAnything" || type == "reject") {
    if (!req.pubkey_files.empty())
      return makeError(Code::kInvalidArgument,
                       "{} public keys unexpectedly provided for trust type {}",
                       req.pubkey_files.size(), req.type);
    out.push_back(Json{{"type", type}});
  } else if (type == "signedBy" || type == "sigstoreSigned") {
    if (req.pubkey_files.empty())
      return makeError(Code::kInvalidArgument,
                       "at least one public key must be defined for type '{}'", type);
    for (const std::string& key : req.pubkey_files) {
      Json r{{"type", type}};
      if (type == "signedBy") r["keyType"] = "GPGKeys";
      r["keyPath"] = key;
      out.push_back(std::move(r));
    }
  } else {
    return makeError(Code::kInvalidArgument, "unknown trust type {:?}", req.type);
  }
  return out;
}

// A JSON object with its keys in Go's map order (sorted bytewise).
Json sortedObject(const Json& obj) {
  std::vector<std::string> keys;
  for (auto& [k, v] : obj.items()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  Json out = Json::object();
  for (const std::string& k : keys) out[k] = obj[k];
  return out;
}

// ---- trust show --------------------------------------------------------------------

// One requirement as podman's repoContent reads it.
struct Requirement {
  std::string type, key_path, key_data;
  std::vector<std::string> key_paths;
};

Result<std::vector<Requirement>> parseRequirementList(const Json& list, std::string_view where) {
  std::vector<Requirement> out;
  TRY(json::checkArray(list, where));
  if (list.is_null()) return out;
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& r = list[i];
    std::string at = json::indexPath(where, i);
    TRY(json::checkObject(r, at));
    Requirement req;
    if (!r.is_null()) {
      req.type = TRY(json::optString(r, "type", at));
      TRY(json::optString(r, "keyType", at));
      req.key_path = TRY(json::optString(r, "keyPath", at));
      req.key_paths = TRY(json::optStrings(r, "keyPaths", at));
      req.key_data = TRY(json::optString(r, "keyData", at));
    }
    out.push_back(std::move(req));
  }
  return out;
}

std::string typeDescription(const std::string& type) {
  if (type == "insecureAcceptAnything") return "accept";
  if (type == "signedBy") return "signed";
  if (type == "sigstoreSigned" || type == "reject") return type;
  LOG_WARN("Invalid trust type {}", type);
  return "";
}

// The identities of the keys in `keys` as `trust show` prints them; none (logged, as podman
// does) when they do not parse.
std::vector<std::string> keyIdentities(std::string_view keys, std::string_view what) {
  auto ids = pgpUserIds(keys, what);
  if (!ids.ok()) {
    LOG_ERROR("Getting key identity: {}", ids.error().what());
    return {};
  }
  std::vector<std::string> out;
  for (const std::string& id : *ids) out.push_back(trustIdentity(id));
  return out;
}

std::vector<std::string> keyDataIdentities(const std::string& key_data) {
  auto bin = base64Decode(key_data);
  if (!bin.ok()) {
    LOG_ERROR("{}, error decoding key data", bin.error().what());
    return {};
  }
  return keyIdentities(*bin, "keyData");
}

void describeRequirements(const std::vector<Requirement>& reqs, const TrustPolicyEntry& tmpl,
                          const RegistriesD& registries, std::string_view scope,
                          const KeyIdReader& read_ids, std::vector<TrustPolicyEntry>& out) {
  std::string store;
  if (const LookasideLocation* loc = lookasideFor(registries, scope)) store = readLocation(*loc);
  for (const Requirement& r : reqs) {
    TrustPolicyEntry e = tmpl;
    e.type = typeDescription(r.type);
    if (r.type == "signedBy") {
      std::vector<std::string> ids;
      auto add = [&ids](std::vector<std::string> more) {
        ids.insert(ids.end(), more.begin(), more.end());
      };
      if (!r.key_path.empty()) add(read_ids(r.key_path));
      for (const std::string& p : r.key_paths) add(read_ids(p));
      if (!r.key_data.empty()) add(keyDataIdentities(r.key_data));
      for (size_t i = 0; i < ids.size(); ++i) e.gpg_id += (i ? ", " : "") + ids[i];
    } else if (r.type == "sigstoreSigned") {
      e.gpg_id = "N/A";  // sigstore keys have no GPG identity
    }
    e.sigstore = store;  // shown for every type: the lookaside is read regardless
    out.push_back(std::move(e));
  }
}

}  // namespace

std::string trustPolicyPath(const HostEnv& env) {
  if (env.euid == 0) return std::string(kSystemPolicy);
  std::string config_home = env.get("XDG_CONFIG_HOME");
  if (config_home.empty()) config_home = fs::joinPath(env.home, ".config");
  std::string user = fs::joinPath(config_home, "containers/policy.json");
  if (!fs::exists(user) && fs::exists(std::string(kSystemPolicy)))
    return std::string(kSystemPolicy);
  return user;
}

Result<std::string> readTrustFile(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
  UniqueFd fd = TRY(fs::openFd(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) return errnoError("stat {}", path);
  if (!S_ISREG(st.st_mode))
    return makeError(Code::kInvalidArgument, "{}: not a regular file", path);
  if (st.st_size > off_t(kMaxTrustFileBytes))
    return makeError(Code::kInvalidArgument, "{}: larger than {} bytes", path, kMaxTrustFileBytes);
  std::string text = TRY(fs::readAll(fd.get()));
  if (text.size() > kMaxTrustFileBytes)
    return makeError(Code::kInvalidArgument, "{}: larger than {} bytes", path, kMaxTrustFileBytes);
  return text;
}

Status checkTrustScope(std::string_view scope) {
  // url.Parse("http://" + scope)'s errors, then podman's patterns on the host and fragment.
  auto bad = [&](std::string_view why = {}) {
    return why.empty()
               ? makeError(Code::kInvalidArgument, "invalid image uri: {}", scope)
               : makeError(Code::kInvalidArgument, "invalid image uri: {}: parse \"http://{}\": {}",
                           scope, scope, why);
  };
  for (unsigned char c : scope)
    if (c < 0x20 || c == 0x7f) return bad("net/url: invalid control character in URL");
  std::string_view rest = scope, fragment;
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) {
    fragment = rest.substr(hash + 1);
    rest = rest.substr(0, hash);
  }
  rest = rest.substr(0, rest.find('?'));
  std::string_view host = rest.substr(0, rest.find('/'));
  if (size_t at = host.rfind('@'); at != std::string_view::npos) host = host.substr(at + 1);
  if (size_t colon = host.rfind(':');
      colon != std::string_view::npos && host.find(']') == std::string_view::npos) {
    std::string_view port = host.substr(colon + 1);
    if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return bad(fmt::format("invalid port \":{}\" after host", port));
  }
  constexpr std::string_view kHostPunct = "-_.~!$&'()*+,;=:[]<>\"%";
  for (unsigned char c : host)
    if (c < 0x80 && !std::isalnum(c) && kHostPunct.find(char(c)) == std::string_view::npos)
      return bad(fmt::format("invalid character \"{}\" in host name", char(c)));
  static const std::regex kHost(R"(^[a-zA-Z0-9\-_.]+/?:?[0-9]*[a-z0-9\-/:]*$)");
  static const std::regex kFragment(R"(^[a-z0-9\-:./]*$)");
  if (!std::regex_match(host.begin(), host.end(), kHost)) return bad();
  if (!std::regex_match(fragment.begin(), fragment.end(), kFragment)) return bad();
  return okStatus();
}

Status checkTrustType(std::string_view type) {
  for (std::string_view t :
       {"accept", "insecureAcceptAnything", "reject", "signedBy", "sigstoreSigned"})
    if (type == t) return okStatus();
  return makeError(
      Code::kInvalidArgument,
      "invalid choice: {} (choose from 'accept', 'reject', 'signedBy', 'sigstoreSigned')", type);
}

Result<std::string> applyTrustSet(const std::optional<std::string>& existing, std::string_view what,
                                  const TrustSetRequest& req) {
  Json reqs = TRY(newRequirements(req));
  auto unreadable = [&](Error e) {
    return std::move(e).context(fmt::format("could not read trust policies from {}", what));
  };
  Json doc = Json::object();
  if (existing) {
    auto parsed = parseJson(*existing, what);
    if (!parsed.ok()) return unreadable(parsed.error());
    if (!parsed->is_null()) doc = std::move(*parsed);
    if (auto s = json::checkObject(doc, ""); !s.ok()) return unreadable(s.error());
  }
  // podman's genericPolicyContent: "default" (any value) and "transports", a map of maps.
  Json transports = Json::object();
  if (auto t = json::optObject(doc, "transports", ""); !t.ok()) {
    return unreadable(t.error());
  } else if (*t) {
    for (auto& [name, scopes] : (*t)->items()) {
      if (auto s = json::checkObject(scopes, json::fieldPath("transports", name)); !s.ok())
        return unreadable(s.error());
      transports[name] = scopes.is_null() ? Json::object() : scopes;
    }
  }
  // podman asks only that the key is there (an empty list or null will do).
  bool has_default = doc.contains("default");
  if (req.scope == "default") {
    doc["default"] = reqs;
  } else {
    if (!has_default) return makeError(Code::kInvalidArgument, "default trust policy must be set");
    // The transport that already has the scope ("docker" first), else "docker".
    std::string into = "docker";
    if (!(transports.contains("docker") && transports["docker"].contains(req.scope))) {
      for (auto& [name, scopes] : transports.items())
        if (scopes.contains(req.scope)) {
          into = name;
          break;
        }
    }
    transports[into][req.scope] = reqs;
  }
  Json out = Json::object();
  out["default"] = doc.contains("default") ? doc["default"] : Json(nullptr);
  if (!transports.empty()) {
    Json sorted = sortedObject(transports);
    for (auto& [name, scopes] : sorted.items()) scopes = sortedObject(scopes);
    out["transports"] = std::move(sorted);
  }
  // Keys podman's struct does not know (policy.json has none today) are not dropped.
  for (auto& [k, v] : doc.items())
    if (k != "default" && k != "transports") out[k] = v;
  return out.dump(4, ' ', false, Json::error_handler_t::replace);
}

Status setTrust(const std::string& path, const TrustSetRequest& req) {
  // Replace the file a symlink points to, not the symlink.
  std::string target = path;
  if (char* real = ::realpath(path.c_str(), nullptr)) {
    target = real;
    std::free(real);
  }
  std::optional<std::string> existing;
  mode_t mode = 0644;
  if (auto text = readTrustFile(target); text.ok()) {
    existing = std::move(*text);
    struct stat st;
    if (::stat(target.c_str(), &st) == 0) mode = st.st_mode & 07777;
  } else if (text.error().code() != Code::kNotFound) {
    return std::move(text).error();
  }
  std::string data = TRY(applyTrustSet(existing, path, req));
  return fs::writeFileAtomic(target, data, mode);
}

std::vector<std::string> keyFileIdentities(const std::string& path) {
  auto text = readTrustFile(path);
  if (!text.ok()) {
    LOG_ERROR("Getting key identity: {}", text.error().what());
    return {};
  }
  return keyIdentities(*text, path);
}

Result<std::vector<TrustPolicyEntry>> describeTrustPolicy(std::string_view text,
                                                          std::string_view what,
                                                          const RegistriesD& registries,
                                                          const KeyIdReader& read_ids) {
  // podman's policyContent: typed requirement lists under "default" and transports.
  auto parse = [&]() -> Result<Json> {
    Json doc = TRY(parseJson(text, what));
    TRY(json::checkObject(doc, ""));
    return doc;
  };
  auto context =
      fmt::format("could not read trust policies: could not parse trust policies from {}", what);
  Json doc = TRY_CTX(parse(), "{}", context);
  std::vector<TrustPolicyEntry> out;
  if (doc.is_null()) return out;
  auto read = [&]() -> Status {
    if (const Json* d = TRY(json::optArray(doc, "default", ""))) {
      auto reqs = TRY(parseRequirementList(*d, "default"));
      TrustPolicyEntry tmpl;
      tmpl.transport = "all";
      tmpl.name = "* (default)";
      tmpl.repo_name = "default";
      if (!reqs.empty()) describeRequirements(reqs, tmpl, registries, "", read_ids, out);
    }
    const Json* transports = TRY(json::optObject(doc, "transports", ""));
    if (!transports) return okStatus();
    std::vector<std::string> names;
    for (auto& [name, scopes] : transports->items()) names.push_back(name);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      const Json& scopes = (*transports)[name];
      std::string where = json::fieldPath("transports", name);
      TRY(json::checkObject(scopes, where));
      if (scopes.is_null()) continue;
      std::vector<std::string> scope_names;
      for (auto& [scope, reqs] : scopes.items()) scope_names.push_back(scope);
      std::sort(scope_names.begin(), scope_names.end());
      for (const std::string& scope : scope_names) {
        auto reqs = TRY(parseRequirementList(scopes[scope], json::fieldPath(where, scope)));
        TrustPolicyEntry tmpl;
        tmpl.transport = name == "docker" ? "repository" : name;
        tmpl.name = tmpl.repo_name = scope;
        describeRequirements(reqs, tmpl, registries, scope, read_ids, out);
      }
    }
    return okStatus();
  };
  TRY_CTX(read(), "{}", context);
  return out;
}

}  // namespace berth::config
