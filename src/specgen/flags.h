// Parsers for the run/create flags that become SpecGenerator fields (-u,
// --ulimit, -e, --env-file, -v, --mount, --tmpfs). Errors are kInvalidArgument
// and name the offending value.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "berth/api/specgen.h"

namespace berth::specgen {

using EnvList = std::vector<std::pair<std::string, std::string>>;

// -u USER[:GROUP]: checks the form; the value goes to specgen "user".
Result<std::string> parseUserFlag(std::string_view arg);

// --ulimit NAME=SOFT[:HARD] (-1 = unlimited) -> {type "RLIMIT_X", hard, soft}.
Result<api::POSIXRlimit> parseUlimit(std::string_view arg);
// "nofile", "RLIMIT_NOFILE" -> "RLIMIT_NOFILE"; kInvalidArgument if unknown.
Result<std::string> normalizeRlimitName(std::string_view name);

// -e KEY=VAL, -e KEY (value from `host_environ`, skipped when unset) and
// -e PREFIX* (every host variable with that prefix). `host_environ` is KEY=VAL.
Result<EnvList> parseEnvArg(std::string_view arg, const std::vector<std::string>& host_environ);
// --env-file: one -e argument per line; blank lines and # comments skipped.
Result<EnvList> parseEnvFile(const std::string& path, const std::vector<std::string>& host_environ);
// The current process environment as KEY=VAL strings.
std::vector<std::string> currentEnviron();

// -v SRC:DST[:OPTS] | -v DST (anonymous volume). SRC starting with "/" or "."
// is a host path (relative ones resolved against `cwd`), otherwise a volume
// name. Appends a bind to specgen.mounts or a NamedVolume to specgen.volumes.
Status addVolumeFlag(api::SpecGenerator& specgen, std::string_view arg, std::string_view cwd = {});
// --mount type=bind|volume|tmpfs|devpts,... appended likewise.
Status addMountFlag(api::SpecGenerator& specgen, std::string_view arg, std::string_view cwd = {});
// --tmpfs DST[:OPTS] appended to specgen.mounts.
Status addTmpfsFlag(api::SpecGenerator& specgen, std::string_view arg);

}  // namespace berth::specgen
