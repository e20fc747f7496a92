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

// Exit code of an engine error for run/start/exec: podman's 126/127, else 125.
int runExitCode(const Error& e);
// Prints "Error: ..." and returns `code`.
int failWith(Context& ctx, const Error& e, int code);
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
std::unique_ptr<Command> waitCommand();
std::unique_ptr<Command> rmCommand(std::string use);
std::unique_ptr<Command> containerPruneCommand();
std::unique_ptr<Command> renameCommand();
std::unique_ptr<Command> containerExistsCommand();
std::unique_ptr<Command> initCommand();
std::unique_ptr<Command> cleanupCommand();
// ps_cmd.cc
std::unique_ptr<Command> psCommand(std::string use, std::vector<std::string> aliases);
std::unique_ptr<Command> containerInspectCommand();
// io_cmd.cc
std::unique_ptr<Command> logsCommand();
std::unique_ptr<Command> attachCommand();
std::unique_ptr<Command> execCommand();
std::unique_ptr<Command> topCommand();

}  // namespace berth::cli
