// The berth command tree: every command, as main runs it and as the man pages describe it.
#include "cli/root.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "cli/context.h"

namespace berth::cli {

std::unique_ptr<Command> makeRootCommand(const std::string& prog) {
  auto root_ptr = std::make_unique<Command>(prog + " [options]", "Manage pods, containers and images");
  Command& root = *root_ptr;
  root.description("Manage pods, containers and images");
  addImageCommands(root);
  addSystemCommands(root);
  addContainerCommands(root);
  addRegistryCommands(root);
  addManifestCommands(root);
  addNetworkCommands(root);
  addVolumeCommands(root);
  addSecretCommands(root);
  addHealthcheckCommands(root);
  addPodCommands(root);
  addKubeCommands(root);
  addBuildCommands(root);
  addCopyCommands(root);
  addFilesystemCommands(root);
  addEventsCommands(root);
  addStatsCommands(root);
  addSystemAdminCommands(root);
  root.add(topLevelInspect());
  // podman help [command...]: the help of the command named (cobra's help command).
  auto help = std::make_unique<Command>("help [command]", "Help about any command");
  help->description("Help provides help for any command in the application. Simply type " + prog +
                    " help [path to command] for full details.")
      .args(0, -1)
      .run([&root, prog](Context& c, const std::vector<std::string>& a) {
        Command* cmd = &root;
        std::string path = prog;
        for (auto& name : a) {
          Command* sub = cmd->find(name);
          if (!sub) {
            c.out(fmt::format("Unknown help topic [`{}`]\n", fmt::join(a, " ")));
            c.out(cmd->help(path, &c.globals()));
            return 0;
          }
          cmd = sub;
          path += " " + sub->name();
        }
        c.out(cmd->help(path, &c.globals()));
        return 0;
      });
  root.add(std::move(help));
  root.add(completionCommand(prog));
  for (Command* group : {&root, root.find("container")}) {
    if (!group) continue;
    for (const char* name : {"create", "run"})
      if (auto* c = group->find(name)) c->completeArgs(completeCreateRun);
    if (auto* c = group->find("cp")) c->completeArgs(completeCp);
  }
  return root_ptr;
}

}  // namespace berth::cli
