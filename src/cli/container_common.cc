// Helpers shared by the container command files: the engine/--latest preamble and result reporting.
#include "cli/container_cmds.h"

namespace berth::cli {

Result<api::ContainerService*> containerService(Context& ctx) {
  auto* eng = TRY(ctx.engine());
  return &eng->containers();
}

Result<Targets> openTargets(Context& ctx, const std::vector<std::string>& args, bool latest) {
  Targets t;
  t.svc = TRY(containerService(ctx));
  if (latest) t.names = {TRY(t.svc->latestId())};
  else t.names = args;
  return t;
}

int runExitCode(const Error& e) {
  if (e.code() == Code::kCommandNotFound) return 127;
  if (e.code() == Code::kCannotInvoke) return 126;
  return 125;
}

int failWith(Context& ctx, const Error& e, int code) {
  ctx.err("Error: " + e.what() + "\n");
  return code;
}

int reportNames(Context& ctx, const std::vector<api::NameResult>& results, bool print_ids) {
  int rc = 0;
  for (auto& r : results) {
    if (r.error) {
      ctx.err("Error: " + r.error->what() + "\n");
      rc = 125;
      continue;
    }
    ctx.out((print_ids ? r.id : r.name) + "\n");
  }
  return rc;
}

}  // namespace berth::cli
