// Helpers shared by the container command files: the engine/--latest preamble and result reporting.
#include "cli/container_cmds.h"

#include <algorithm>

#include "base/fs.h"

namespace berth::cli {

Result<api::ContainerService*> containerService(Context& ctx) {
  auto* eng = TRY(ctx.engine());
  return &eng->containers();
}

Result<std::vector<std::string>> selectIds(api::ContainerService& svc, const std::vector<std::string>& filters,
                                           const std::vector<std::string>& names) {
  std::vector<std::string> ids;
  for (auto& s : TRY(svc.list(api::ContainerListRequest{true, -1, false, false, filters}))) {
    bool named = names.empty();
    for (auto& n : names)
      if (n == s.id || std::find(s.names.begin(), s.names.end(), n) != s.names.end()) named = true;
    if (named) ids.push_back(s.id);
  }
  return ids;
}

Status checkAllLatest(const Command& cmd, const std::vector<std::string>& args, bool all, bool latest,
                      std::string_view idfile, bool idfiles) {
  auto fail = [](std::string msg) -> Status { return Error(Code::kInvalidArgument, std::move(msg)); };
  if (cmd.changed("filter")) {
    if (!args.empty()) return fail("--filter takes no arguments");
    return {};
  }
  if (idfiles && (all || latest)) return fail(fmt::format("--all, --latest, and --{} cannot be used together", idfile));
  if (all && latest) return fail("--all and --latest cannot be used together");
  if (!args.empty() && all) return fail("no arguments are needed with --all");
  if (!args.empty()) {
    if (latest) return fail("--latest and containers cannot be used together");
    if (!idfile.empty() && idfiles) return fail(fmt::format("no arguments are needed with --latest or --{}", idfile));
  }
  if (idfiles) return {};
  if (args.empty() && !all && !latest) return fail("you must provide at least one name or id");
  return {};
}

void Selection::addFlags(Command& c, std::string all_help, bool cidfile, bool filter, char filter_short) {
  c.flag("all", 'a', &all, std::move(all_help));
  c.flag("latest", 'l', &latest, "Act on the latest container podman is aware of");
  with_cidfile = cidfile;
  if (cidfile) c.flag("cidfile", 0, &cidfiles, "Read the container ID from the file");
  if (filter) c.sliceFlag("filter", filter_short, &filters, "Filter output based on conditions given");
}

Result<Targets> Selection::resolve(Context& ctx, const Command& c, const std::vector<std::string>& args,
                                   bool ignore) const {
  TRY(checkAllLatest(c, args, all, latest, with_cidfile ? "cidfile" : "", !cidfiles.empty()));
  for (auto& f : filters)
    if (f.find('=') == std::string::npos) return makeError(Code::kInvalidArgument, "invalid filter {:?}", f);
  std::vector<std::string> names = args;
  for (auto& f : cidfiles) {
    auto content = fs::readFile(f);
    if (!content.ok()) {
      if (ignore && content.error().code() == Code::kNotFound) continue;
      return std::move(content).error().context("reading CIDFile");
    }
    names.push_back(content->substr(0, content->find('\n')));
  }
  Targets t = TRY(openTargets(ctx, names, latest));
  if (!filters.empty()) t.names = TRY(selectIds(*t.svc, filters, names));
  return t;
}

Result<Targets> openTargets(Context& ctx, const std::vector<std::string>& args, bool latest) {
  Targets t;
  if (latest && !args.empty())
    return makeError(Code::kInvalidArgument, "--latest and containers cannot be used together");
  t.svc = TRY(containerService(ctx));
  if (latest) t.names = {TRY(t.svc->latestId())};
  else t.names = args;
  return t;
}

int reportNames(Context& ctx, const std::vector<api::NameResult>& results, bool print_ids) {
  int rc = 0;
  for (auto& r : results) {
    if (r.error) {
      rc = ctx.fail(*r.error);
      continue;
    }
    if (r.id.empty()) continue;  // a missing container skipped by --ignore: nothing to report
    ctx.out((print_ids ? r.id : r.name) + "\n");
  }
  return rc;
}

}  // namespace berth::cli
