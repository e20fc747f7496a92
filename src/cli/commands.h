// Registration of the command groups (one file per group).
#pragma once

#include <memory>

#include "cli/command.h"

namespace berth::cli {

void addImageCommands(Command& root);
void addSystemCommands(Command& root);
std::unique_ptr<Command> topLevelInspect();

}  // namespace berth::cli
