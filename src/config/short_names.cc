// Short-name resolution (containers/image pkg/shortnames) and the alias cache file.
#include <fcntl.h>
#include <sys/file.h>

#include "base/fs.h"
#include "config/registries.h"
#include "config/registries_internal.h"
#include "config/toml_json.h"

namespace berth::config {

namespace {

image::Reference withTagAndDigest(image::Reference ref, const image::Reference& input) {
  ref.tag = input.tag;
  ref.digest = input.digest;
  return image::withDefaultTag(std::move(ref));
}

std::string dirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

Result<ShortNameResolution> resolveShortName(const RegistriesConf& conf, std::string_view name,
                                             bool have_tty) {
  image::Reference input = TRY(image::parseNamed(name));
  ShortNameResolution res;
  if (!input.domain.empty()) {
    res.candidates.push_back(image::withDefaultTag(std::move(input)));
    return res;
  }
  res.short_name = input.path;

  if (auto it = conf.aliases.find(input.path);
      it != conf.aliases.end() && !it->second.value.empty()) {
    image::Reference alias = TRY(image::parseNamed(it->second.value));
    res.candidates.push_back(withTagAndDigest(std::move(alias), input));
    res.description =
        fmt::format("Resolved \"{}\" as an alias ({})", input.path, it->second.origin);
    return res;
  }

  if (conf.unqualified_search_registries.empty()) {
    if (!conf.search_registries_origin.empty())
      return makeError(Code::kInvalidArgument,
                       "short-name \"{}\" did not resolve to an alias and no unqualified-search "
                       "registries are defined in \"{}\"",
                       name, conf.search_registries_origin);
    return makeError(Code::kInvalidArgument,
                     "short-name \"{}\" did not resolve to an alias and no "
                     "containers-registries.conf(5) was found",
                     name);
  }
  for (const std::string& reg : conf.unqualified_search_registries) {
    auto named = image::parseNormalizedNamed(fmt::format("{}/{}", reg, name));
    if (!named.ok())
      return makeError(Code::kInvalidArgument,
                       "creating reference with unqualified-search registry \"{}\": {}", reg,
                       named.error().message());
    res.candidates.push_back(image::withDefaultTag(std::move(named).value()));
  }
  res.description = fmt::format("Resolving \"{}\" using unqualified-search registries ({})",
                                input.path, conf.search_registries_origin);

  if (conf.short_name_mode == ShortNameMode::kDisabled || res.candidates.size() == 1) return res;
  if (!have_tty) {
    if (conf.short_name_mode == ShortNameMode::kEnforcing)
      return makeError(Code::kInvalidArgument,
                       "short-name resolution enforced but cannot prompt without a TTY");
    return res;  // permissive: try them all
  }
  res.needs_prompt = true;
  return res;
}

Status recordShortNameAlias(const std::string& alias_file, std::string_view name,
                            std::string_view full) {
  TRY(internal::validateShortName(name));
  // Tag and digest of the pulled reference are not part of an alias.
  image::Reference ref = TRY(image::parseNamed(full));
  ref.tag.clear();
  ref.digest.clear();
  std::string value = TRY(internal::parseAliasValue(ref.name()));

  TRY(fs::mkdirAll(dirOf(alias_file), 0700));
  UniqueFd lock = TRY(fs::openFd(alias_file + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  while (::flock(lock.get(), LOCK_EX) < 0) {
    if (errno != EINTR) return errnoError("lock {}.lock", alias_file);
  }

  std::map<std::string, Alias, std::less<>> aliases;
  if (fs::exists(alias_file)) {
    std::string text = TRY(fs::readFile(alias_file));
    Json doc = TRY_CTX(parseToml(text, alias_file), "loading short-name aliases config file");
    TRY_CTX(internal::mergeAliases(doc, alias_file, aliases),
            "loading short-name aliases config file");
  }
  aliases[std::string(name)] = Alias{value, alias_file};

  std::string out = "[aliases]\n";
  for (const auto& [n, a] : aliases)
    out += fmt::format("  {} = {}\n", tomlQuote(n), tomlQuote(a.value));
  return fs::writeFileAtomic(alias_file, out, 0644);
}

}  // namespace berth::config
