// Container command groups: the command factories of each file and the helpers they share.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "berth/api/containers.h"
#include "cli/command.h"
#include "cli/context.h"

namespace berth::cli {

// Adapts a command body returning Result<int>: an error is printed once and
// mapped to its exit code by Context::fail.
template <typename F>
Command::RunFn orFail(F body) {
  return [body = std::move(body)](Context& ctx, const std::vector<std::string>& args) -> int {
    auto r = body(ctx, args);
    return r.ok() ? *r : ctx.fail(r.error());
  };
}

// The common preamble of container commands: the open engine's container
// service and the containers the command acts on (its arguments, or with
// --latest the most recently created container).
struct Targets {
  api::ContainerService* svc = nullptr;
  std::vector<std::string> names;
};
Result<Targets> openTargets(Context& ctx, const std::vector<std::string>& args, bool latest);
// Opens the engine and returns its container service.
Result<api::ContainerService*> containerService(Context& ctx);
// The IDs of the containers (any state) that match every filter, narrowed to
// those named in `names` (ID or name) when there are names; with no filters,
// every container (podman's getContainersAndInputByContext).
Result<std::vector<std::string>> selectIds(api::ContainerService& svc, const std::vector<std::string>& filters,
                                           const std::vector<std::string>& names = {});
// How the commands that act on several containers select them: names,
// --all, --latest, --cidfile, --filter (podman's getContainersAndInputByContext).
struct Selection {
  bool all = false, latest = false;
  std::vector<std::string> cidfiles, filters;
  bool with_cidfile = false;  // the command has --cidfile
  // Registers --all (`all_help`), --latest and, when asked, --cidfile and
  // --filter (with shorthand `filter_short`, 0 for none: rm's -f is --force).
  void addFlags(Command& c, std::string all_help, bool cidfile, bool filter, char filter_short = 'f');
  // Validates the combination (checkAllLatest) and resolves it: the names
  // given plus the IDs read from the cidfiles, or the latest container, or
  // the IDs matching the filters. `all` stays for the engine to apply; with
  // `ignore`, a missing cidfile is skipped.
  Result<Targets> resolve(Context& ctx, const Command& c, const std::vector<std::string>& args,
                          bool ignore = false) const;
  // podman prints the IDs for --all and --filter, else the names as given.
  bool printIds() const { return all || !filters.empty(); }
};

// podman's validate.CheckAllLatestAndIDFile: a command takes containers, --all
// or --latest (or a --cidfile), one way only. `idfile` is the ID-file flag's
// name, empty for commands without one; `idfiles` whether it was given.
Status checkAllLatest(const Command& cmd, const std::vector<std::string>& args, bool all, bool latest,
                      std::string_view idfile = {}, bool idfiles = false);

// Prints one line per name (podman prints the name as the user gave it, or the
// ID when `print_ids`) and the errors of the failed ones; returns the exit code.
int reportNames(Context& ctx, const std::vector<api::NameResult>& results, bool print_ids);

// run_cmd.cc
std::unique_ptr<Command> createCommand(bool run);
// lifecycle_cmd.cc
std::unique_ptr<Command> startCommand();
std::unique_ptr<Command> stopCommand();
std::unique_ptr<Command> killCommand();
std::unique_ptr<Command> restartCommand();
std::unique_ptr<Command> pauseCommand(bool pause);
// checkpoint_cmd.cc
std::unique_ptr<Command> checkpointCommand();
std::unique_ptr<Command> restoreCommand();
std::unique_ptr<Command> waitCommand();
std::unique_ptr<Command> rmCommand(std::string use);
std::unique_ptr<Command> containerPruneCommand();
std::unique_ptr<Command> renameCommand();
std::unique_ptr<Command> updateCommand();
std::unique_ptr<Command> containerExistsCommand();
std::unique_ptr<Command> initCommand();
std::unique_ptr<Command> cleanupCommand();
// runlabel_cmd.cc
std::unique_ptr<Command> runlabelCommand();
// ps_cmd.cc
std::unique_ptr<Command> psCommand(std::string use, std::vector<std::string> aliases);
std::unique_ptr<Command> containerInspectCommand();
std::unique_ptr<Command> portCommand();
// io_cmd.cc
std::unique_ptr<Command> logsCommand();
std::unique_ptr<Command> attachCommand();
std::unique_ptr<Command> execCommand();
std::unique_ptr<Command> topCommand();

}  // namespace berth::cli
