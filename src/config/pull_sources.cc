// Pull sources: mirrors and prefix rewrites from registries.conf for one reference.
#include "config/registries.h"
#include "config/registries_internal.h"

namespace berth::config {

namespace {

// containers/image Endpoint.rewriteReference: the matched prefix of `ref` is
// replaced by the endpoint's location; the result must parse back unchanged.
Result<image::Reference> rewrite(const Endpoint& ep, const image::Reference& ref,
                                 const std::string& prefix) {
  std::string s = ref.string();
  long len = internal::refMatchingPrefix(s, prefix);
  if (len < 0)
    return makeError(Code::kInvalidArgument, "invalid prefix '{}' for reference '{}'", prefix, s);
  if (ep.location.empty()) {
    if (!prefix.starts_with("*."))
      return makeError(Code::kInvalidArgument,
                       "invalid prefix '{}' for empty location, should be in the format: "
                       "*.example.com",
                       prefix);
    return ref;
  }
  std::string rewritten = ep.location + s.substr(static_cast<size_t>(len));
  auto parsed = image::parseNamed(rewritten);
  if (!parsed.ok())
    return makeError(Code::kInvalidArgument, "rewriting reference: {}", parsed.error().message());
  if (parsed->domain.empty() || parsed->string() != rewritten)
    return makeError(Code::kInvalidArgument,
                     "rewriting reference: \"{}\": repository name must be canonical", rewritten);
  return std::move(parsed).value();
}

bool mirrorApplies(const Registry& reg, const Endpoint& mirror, bool digested) {
  if (reg.mirror_by_digest_only) return digested;
  switch (mirror.pull_from_mirror) {
    case MirrorUse::kDigestOnly:
      return digested;
    case MirrorUse::kTagOnly:
      return !digested;
    case MirrorUse::kAll:
      return true;
  }
  return true;
}

Error blockedError(const RegistriesConf& conf, const Registry& reg) {
  return makeError(
      Code::kPermissionDenied, "registry {} is blocked in {}", reg.prefix,
      conf.sources_description.empty() ? std::string("registries.conf") : conf.sources_description);
}

}  // namespace

Result<std::vector<PullSource>> pullSources(const RegistriesConf& conf,
                                            const image::Reference& full) {
  if (full.domain.empty())
    return makeError(Code::kInvalidArgument, "pull sources for \"{}\": not a fully qualified name",
                     full.string());
  const Registry* reg = findRegistry(conf, full.name());
  if (reg == nullptr) {
    // No configuration: the reference itself, as containers/image's default registry.
    return std::vector<PullSource>{PullSource{full.string(), false, full.domain, false}};
  }
  if (reg->blocked) return blockedError(conf, *reg);

  bool digested = !full.digest.empty();
  std::vector<PullSource> out;
  for (const Endpoint& m : reg->mirrors) {
    if (!mirrorApplies(*reg, m, digested)) continue;
    image::Reference r = TRY(rewrite(m, full, reg->prefix));
    // A mirror that is itself blocked would fail to connect: leave it out.
    if (const Registry* mreg = findRegistry(conf, r.name()); mreg != nullptr && mreg->blocked)
      continue;
    out.push_back(PullSource{r.string(), m.insecure, r.domain, true});
  }
  image::Reference primary = TRY(rewrite(reg->endpoint, full, reg->prefix));
  if (const Registry* preg = findRegistry(conf, primary.name()); preg != nullptr && preg->blocked)
    return blockedError(conf, *preg);
  out.push_back(PullSource{primary.string(), reg->endpoint.insecure, primary.domain, false});
  return out;
}

}  // namespace berth::config
