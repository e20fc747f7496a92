// Registration of the container commands (top level and under `container`); the commands
// live in run_cmd.cc, lifecycle_cmd.cc, ps_cmd.cc and io_cmd.cc.
#include "cli/commands.h"
#include "cli/container_cmds.h"

namespace berth::cli {

void addContainerCommands(Command& root) {
  root.add(createCommand(false));
  root.add(createCommand(true));
  root.add(startCommand());
  root.add(stopCommand());
  root.add(killCommand());
  root.add(restartCommand());
  root.add(pauseCommand(true));
  root.add(pauseCommand(false));
  root.add(waitCommand());
  root.add(rmCommand("rm [options] CONTAINER [CONTAINER...]"));
  root.add(psCommand("ps [options]", {}));
  root.add(portCommand());
  root.add(logsCommand());
  root.add(attachCommand());
  root.add(execCommand());
  root.add(topCommand());
  root.add(renameCommand());
  root.add(updateCommand());
  root.add(initCommand());

  auto ctr = std::make_unique<Command>("container", "Manage containers");
  ctr->description("Manage containers");
  ctr->add(createCommand(false));
  ctr->add(createCommand(true));
  ctr->add(startCommand());
  ctr->add(stopCommand());
  ctr->add(killCommand());
  ctr->add(restartCommand());
  ctr->add(pauseCommand(true));
  ctr->add(pauseCommand(false));
  ctr->add(waitCommand());
  ctr->add(rmCommand("rm [options] CONTAINER [CONTAINER...]"));
  ctr->add(psCommand("list [options]", {"ls", "ps"}));
  ctr->add(containerInspectCommand());
  ctr->add(portCommand());
  ctr->add(logsCommand());
  ctr->add(attachCommand());
  ctr->add(execCommand());
  ctr->add(topCommand());
  ctr->add(renameCommand());
  ctr->add(updateCommand());
  ctr->add(containerExistsCommand());
  ctr->add(initCommand());
  ctr->add(cleanupCommand());
  ctr->add(containerPruneCommand());
  ctr->add(checkpointCommand());
  ctr->add(restoreCommand());
  ctr->add(runlabelCommand());  // only under `container`, as in podman
  root.add(std::move(ctr));
}

}  // namespace berth::cli
