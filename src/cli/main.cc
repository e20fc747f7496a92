// berth: the CLI entry point.
#include <csignal>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/context.h"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  berth::cli::Context ctx;
  ctx.setProgramName(argc > 0 ? argv[0] : "berth");
  berth::cli::Command root("berth [options]", "Manage pods, containers and images");
  root.description("Manage pods, containers and images");
  berth::cli::addImageCommands(root);
  berth::cli::addSystemCommands(root);
  berth::cli::addContainerCommands(root);
  berth::cli::addRegistryCommands(root);
  berth::cli::addManifestCommands(root);
  berth::cli::addNetworkCommands(root);
  berth::cli::addCopyCommands(root);
  berth::cli::addFilesystemCommands(root);
  berth::cli::addEventsCommands(root);
  berth::cli::addStatsCommands(root);
  berth::cli::addSystemAdminCommands(root);
  berth::cli::setRawArgv(std::vector<std::string>(argv, argv + argc));
  root.add(berth::cli::topLevelInspect());
  std::string prog = "berth";
  std::vector<std::string> args(argv + 1, argv + argc);
  return root.execute(ctx, args, &ctx.globals(), prog);
}
