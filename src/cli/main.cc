// berth: the CLI entry point.
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/man.h"
#include "cli/root.h"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  // Never destroyed: the process ends when main returns, and freeing what the command read
  // (the engine's caches, the rows it printed) cost more than the work itself. The one thing
  // its destruction did that matters, closing the database, is done on every way out of
  // main (ctx.finish()).
  berth::cli::Context& ctx = *new berth::cli::Context;
  struct Finish {
    berth::cli::Context& ctx;
    ~Finish() { ctx.finish(); }
  } finish{ctx};
  // berth names itself after the name it was run by (a drop-in installed as "podman" says
  // "See 'podman ps --help'", as podman does); only the base name counts.
  std::string prog = argc > 0 && argv[0] && *argv[0] ? argv[0] : "berth";
  if (auto slash = prog.rfind('/'); slash != std::string::npos) prog = prog.substr(slash + 1);
  if (prog.empty()) prog = "berth";
  ctx.setProgramName(argc > 0 && argv[0] ? argv[0] : "berth");
  berth::cli::setRawArgv(std::vector<std::string>(argv, argv + argc));
  berth::cli::Command& root = *berth::cli::makeRootCommand(prog).release();  // as ctx
  std::vector<std::string> args(argv + 1, argv + argc);
  // cobra's hidden completion protocol, used by the scripts of `completion`.
  if (!args.empty() && (args[0] == "__complete" || args[0] == "__completeNoDesc"))
    return berth::cli::runCompletion(ctx, root, std::vector<std::string>(args.begin() + 1, args.end()),
                                     args[0] == "__complete");
  // The build writes the manual pages from the command tree (hidden, as __complete is).
  if (args.size() == 2 && args[0] == "__generate-man") {
    if (auto st = berth::cli::writeManPages(root, ctx.globals(), prog, args[1]); !st.ok()) {
      std::fprintf(stderr, "Error: %s\n", st.error().what().c_str());
      return 125;
    }
    return 0;
  }
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
