// Healthcheck commands: healthcheck run.
#include "cli/commands.h"
#include "cli/context.h"

namespace berth::cli {

namespace {

std::unique_ptr<Command> runCommand() {
  auto c = std::make_unique<Command>("run CONTAINER", "Run the health check of a container");
  c->args(1, 1)
      .description("Run the health check of a container")
      .example("podman healthcheck run mywebapp")
      .run([](Context& ctx, const std::vector<std::string>& args) {
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        auto status = (*eng)->containers().healthcheckRun(args[0]);
        if (!status.ok()) return ctx.fail(status.error());
        // podman: silent and 0 when healthy; "unhealthy" and 1 otherwise.
        if (*status == "healthy") return 0;
        ctx.out(*status + "\n");
        return 1;
      });
  return c;
}

}  // namespace

void addHealthcheckCommands(Command& root) {
  auto h = std::make_unique<Command>("healthcheck", "Manage health checks on containers");
  h->description("Run health checks on containers");
  h->add(runCommand());
  root.add(std::move(h));
}

}  // namespace berth::cli
