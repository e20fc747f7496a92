// Signature policy (containers-policy.json(5)): which images may be pulled.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/host_env.h"
#include "image/reference.h"

namespace berth::config {

enum class RequirementType {
  kInsecureAcceptAnything,
  kReject,
  kSignedBy,
  kSigstoreSigned,
  kSignedBaseLayer,
};
std::string_view requirementTypeName(RequirementType type);

// A non-empty list; every requirement must be satisfied.
using PolicyRequirements = std::vector<RequirementType>;

struct Policy {
  PolicyRequirements default_requirements;
  // transport name -> scope -> requirements; scope "" is the transport default.
  std::map<std::string, std::map<std::string, PolicyRequirements>, std::less<>> transports;
};

// `override_path` (--signature-policy) when given, else
// ~/.config/containers/policy.json when it exists, else
// /etc/containers/policy.json when it exists; kNotFound otherwise.
Result<std::string> defaultPolicyPath(const HostEnv& env, std::string_view override_path = {});

// Parses policy.json. Errors (kInvalidArgument, naming `what`/the file):
// malformed JSON, a missing "default", an empty requirement list, an unknown
// requirement type. Requirement parameters (keys, identities) are not checked.
Result<Policy> parsePolicy(std::string_view text, std::string_view what);
Result<Policy> loadPolicy(const std::string& path);

// The requirements for `ref` under `transport`: the transport's scope equal to
// the reference identity (name:tag or name@digest), else its repository,
// namespaces, registry and "*.domain" wildcards in that order, else the
// transport's "" scope, else "default".
const PolicyRequirements& requirementsFor(const Policy& policy, std::string_view transport,
                                          const image::Reference& ref);

// Whether `ref` may be used. Errors: kPermissionDenied "Source image rejected:
// Running image docker://<ref> is rejected by policy." for "reject";
// kUnimplemented "signature verification (<type>) is not supported" for a
// signature requirement. Requirements are checked in order.
Status checkPolicy(const Policy& policy, std::string_view transport, const image::Reference& ref);

}  // namespace berth::config
