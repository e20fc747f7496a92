// berth: the CLI entry point.
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/context.h"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  berth::cli::Context ctx;
  // berth names itself after the name it was run by (a drop-in installed as "podman" says
  // "See 'podman ps --help'", as podman does); only the base name counts.
  std::string prog = argc > 0 && argv[0] && *argv[0] ? argv[0] : "berth";
  if (auto slash = prog.rfind('/'); slash != std::string::npos) prog = prog.substr(slash + 1);
  if (prog.empty()) prog = "berth";
  berth::cli::Command root(prog + " [options]", "Manage pods, containers and images");
  ctx.setProgramName(argc > 0 && argv[0] ? argv[0] : "berth");
  root.description("Manage pods, containers and images");
  berth::cli::addImageCommands(root);
  berth::cli::addSystemCommands(root);
  berth::cli::addContainerCommands(root);
  berth::cli::addRegistryCommands(root);
  berth::cli::addManifestCommands(root);
  berth::cli::addNetworkCommands(root);
  berth::cli::addVolumeCommands(root);
  berth::cli::addSecretCommands(root);
  berth::cli::addHealthcheckCommands(root);
  berth::cli::addPodCommands(root);
  berth::cli::addKubeCommands(root);
  berth::cli::addBuildCommands(root);
  berth::cli::addCopyCommands(root);
  berth::cli::addFilesystemCommands(root);
  berth::cli::addEventsCommands(root);
  berth::cli::addStatsCommands(root);
  berth::cli::addSystemAdminCommands(root);
  berth::cli::setRawArgv(std::vector<std::string>(argv, argv + argc));
  root.add(berth::cli::topLevelInspect());
  // podman help [command...]: the help of the command named (cobra's help command).
  auto help = std::make_unique<berth::cli::Command>("help [command]", "Help about any command");
  help->description("Help provides help for any command in the application. Simply type " + prog +
                    " help [path to command] for full details.")
      .args(0, -1)
      .run([&root, prog](berth::cli::Context& c, const std::vector<std::string>& a) {
        berth::cli::Command* cmd = &root;
        std::string path = prog;
        for (auto& name : a) {
          berth::cli::Command* sub = cmd->find(name);
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
  root.add(berth::cli::completionCommand(prog));
  for (berth::cli::Command* group : {&root, root.find("container")}) {
    if (!group) continue;
    for (const char* name : {"create", "run"})
      if (auto* c = group->find(name)) c->completeArgs(berth::cli::completeCreateRun);
    if (auto* c = group->find("cp")) c->completeArgs(berth::cli::completeCp);
  }
  std::vector<std::string> args(argv + 1, argv + argc);
  // cobra's hidden completion protocol, used by the scripts of `completion`.
  if (!args.empty() && (args[0] == "__complete" || args[0] == "__completeNoDesc"))
    return berth::cli::runCompletion(ctx, root, std::vector<std::string>(args.begin() + 1, args.end()),
                                     args[0] == "__complete");
  // Last line of defence: every document from outside is read with typed
  // accessors (base/json.h), but a type error that slipped through must end
  // as an error, never as SIGABRT (exit 134).
  try {
    return root.execute(ctx, args, &ctx.globals(), prog);
  } catch (const nlohmann::json::exception& e) {
    std::fprintf(stderr, "Error: internal error: unexpected JSON value: %s\n", e.what());
    return 125;
  }
}
