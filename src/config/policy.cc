// policy.json parsing and evaluation of the non-cryptographic requirements.
#include "config/policy.h"

#include "base/fs.h"
#include "base/json.h"

namespace berth::config {

namespace {

constexpr std::string_view kSystemPolicy = "/etc/containers/policy.json";
constexpr std::string_view kUserPolicy = ".config/containers/policy.json";

Error invalid(std::string_view what, std::string msg) {
  return Error(Code::kInvalidArgument, fmt::format("invalid policy in \"{}\": {}", what, msg));
}

Result<PolicyRequirements> parseRequirements(const Json& j, std::string_view what,
                                             std::string_view where) {
  if (!j.is_array())
    return invalid(what, fmt::format("{}: expected a list of requirements", where));
  if (j.empty())
    return invalid(what, fmt::format("{}: List of verification policy requirements must not be "
                                     "empty",
                                     where));
  PolicyRequirements out;
  for (const Json& r : j) {
    if (!r.is_object() || !r.contains("type") || !r["type"].is_string())
      return invalid(what,
                     fmt::format("{}: a requirement must be an object with a \"type\"", where));
    std::string type = r["type"].get<std::string>();
    if (type == "insecureAcceptAnything")
      out.push_back(RequirementType::kInsecureAcceptAnything);
    else if (type == "reject")
      out.push_back(RequirementType::kReject);
    else if (type == "signedBy")
      out.push_back(RequirementType::kSignedBy);
    else if (type == "sigstoreSigned")
      out.push_back(RequirementType::kSigstoreSigned);
    else if (type == "signedBaseLayer")
      out.push_back(RequirementType::kSignedBaseLayer);
    else
      return invalid(what, fmt::format("{}: Unknown policy requirement type \"{}\"", where, type));
  }
  return out;
}

// containers/image DockerReferenceNamespaces: repository, parent namespaces,
// registry, then "*.sub.domain" wildcards of the host without port.
std::vector<std::string> dockerNamespaces(const image::Reference& ref) {
  std::vector<std::string> out;
  std::string name = ref.name();
  while (true) {
    out.push_back(name);
    size_t slash = name.rfind('/');
    if (slash == std::string::npos) break;
    name.resize(slash);
  }
  if (size_t colon = name.find(':'); colon != std::string::npos) name.resize(colon);
  while (true) {
    size_t dot = name.find('.');
    if (dot == std::string::npos) break;
    name = name.substr(dot + 1);
    out.push_back("*." + name);
  }
  return out;
}

}  // namespace

std::string_view requirementTypeName(RequirementType type) {
  switch (type) {
    case RequirementType::kInsecureAcceptAnything:
      return "insecureAcceptAnything";
    case RequirementType::kReject:
      return "reject";
    case RequirementType::kSignedBy:
      return "signedBy";
    case RequirementType::kSigstoreSigned:
      return "sigstoreSigned";
    case RequirementType::kSignedBaseLayer:
      return "signedBaseLayer";
  }
  return "unknown";
}

Result<std::string> defaultPolicyPath(const HostEnv& env, std::string_view override_path) {
  if (!override_path.empty()) return std::string(override_path);
  std::string user = fs::joinPath(env.home, kUserPolicy);
  if (!env.home.empty() && fs::exists(user)) return user;
  if (fs::exists(std::string(kSystemPolicy))) return std::string(kSystemPolicy);
  return makeError(Code::kNotFound,
                   "no policy.json file found at any of the following: \"{}\", \"{}\"", user,
                   kSystemPolicy);
}

Result<Policy> parsePolicy(std::string_view text, std::string_view what) {
  Json doc = TRY_CTX(parseJson(text, what), "invalid policy");
  if (!doc.is_object()) return invalid(what, "the top level must be a JSON object");
  Policy p;
  for (auto& [key, value] : doc.items()) {
    if (key != "default" && key != "transports")
      return invalid(what, fmt::format("Unknown key \"{}\"", key));
  }
  if (!doc.contains("default") || doc["default"].is_null())
    return invalid(what, "Default policy is missing");
  p.default_requirements = TRY(parseRequirements(doc["default"], what, "default"));
  if (auto it = doc.find("transports"); it != doc.end() && !it->is_null()) {
    if (!it->is_object()) return invalid(what, "\"transports\" must be a JSON object");
    for (auto& [transport, scopes] : it->items()) {
      if (!scopes.is_object())
        return invalid(what,
                       fmt::format("transport \"{}\" must map scopes to requirements", transport));
      auto& dest = p.transports[transport];
      for (auto& [scope, reqs] : scopes.items())
        dest[scope] = TRY(
            parseRequirements(reqs, what, fmt::format("transports.{}[\"{}\"]", transport, scope)));
    }
  }
  return p;
}

Result<Policy> loadPolicy(const std::string& path) {
  std::string text = TRY(fs::readFile(path));
  return parsePolicy(text, path);
}

const PolicyRequirements& requirementsFor(const Policy& policy, std::string_view transport,
                                          const image::Reference& ref) {
  auto t = policy.transports.find(transport);
  if (t == policy.transports.end()) return policy.default_requirements;
  const auto& scopes = t->second;
  image::Reference tagged = image::withDefaultTag(ref);
  std::string identity = tagged.name();
  if (!tagged.digest.empty())
    identity += "@" + tagged.digest;
  else
    identity += ":" + tagged.tag;
  if (auto it = scopes.find(identity); it != scopes.end()) return it->second;
  for (const std::string& ns : dockerNamespaces(ref))
    if (auto it = scopes.find(ns); it != scopes.end()) return it->second;
  if (auto it = scopes.find(""); it != scopes.end()) return it->second;
  return policy.default_requirements;
}

Status checkPolicy(const Policy& policy, std::string_view transport, const image::Reference& ref) {
  for (RequirementType r : requirementsFor(policy, transport, ref)) {
    switch (r) {
      case RequirementType::kInsecureAcceptAnything:
        break;
      case RequirementType::kReject:
        return makeError(Code::kPermissionDenied,
                         "Source image rejected: Running image {}://{} is rejected by policy.",
                         transport, image::withDefaultTag(ref).familiar());
      default:
        return makeError(Code::kUnimplemented, "signature verification ({}) is not supported",
                         requirementTypeName(r));
    }
  }
  return okStatus();
}

}  // namespace berth::config
