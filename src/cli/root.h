// The berth command tree.
#pragma once

#include <memory>
#include <string>

#include "cli/command.h"

namespace berth::cli {

// Every command berth has, named after `prog` (the name berth was run by: "berth", or
// "podman" for a drop-in). The help command refers to the root: keep it where it is.
std::unique_ptr<Command> makeRootCommand(const std::string& prog);

}  // namespace berth::cli
