// image trust: set and show the signature policy (policy.json), as podman's image trust.
#include "base/json_access.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "config/registries_d.h"
#include "config/trust.h"

namespace berth::cli {

namespace {

// podman registers trust for its local client only; the remote one refuses to run it.
int failIfRemote(Context& ctx) {
  return ctx.fail(makeError(Code::kUnimplemented,
                            "cannot use command {:?} with the remote podman client",
                            ctx.command_path));
}

// podman's pkg/trust.Policy, in its JSON field order.
Json entryJson(const config::TrustPolicyEntry& e) {
  Json j;
  j["transport"] = e.transport;
  if (!e.name.empty()) j["name"] = e.name;
  if (!e.repo_name.empty()) j["repo_name"] = e.repo_name;
  if (!e.sigstore.empty()) j["sigstore"] = e.sigstore;
  j["type"] = e.type;
  if (!e.gpg_id.empty()) j["gpg_id"] = e.gpg_id;
  return j;
}

std::unique_ptr<Command> setCommand() {
  struct O {
    std::string policy_path, type = "signedBy";
    std::vector<std::string> pubkeys;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>(
      "set [options] REGISTRY", "Set default trust policy or a new trust policy for a registry");
  c->args(1, 1)
      .description("Set default trust policy or add a new trust policy for a registry")
      .hiddenFlag("policypath", &o->policy_path)
      .sliceFlag(
          "pubkeysfile", 'f', &o->pubkeys,
          "Path of installed public key(s) to trust for TARGET.\nAbsolute path to keys is added to "
          "policy.json. May\nused multiple times to define multiple public keys.\nFile(s) must "
          "exist "
          "before using this command")
      .flag("type", 't', &o->type, "Trust type, accept values: signedBy(default), accept, reject")
      .run([o](Context& ctx, const std::vector<std::string>& args) {
        if (ctx.remote()) return failIfRemote(ctx);
        config::TrustSetRequest req{args[0], o->type, o->pubkeys};
        if (auto s = config::checkTrustScope(req.scope); !s.ok()) return ctx.fail(s.error());
        if (auto s = config::checkTrustType(req.type); !s.ok()) return ctx.fail(s.error());
        std::string path = o->policy_path.empty()
                               ? config::trustPolicyPath(config::HostEnv::current())
                               : o->policy_path;
        auto s = config::setTrust(path, req);
        return s.ok() ? 0 : ctx.fail(s.error());
      });
  return c;
}

std::unique_ptr<Command> showCommand() {
  struct O {
    std::string policy_path, registry_path;
    bool json = false, raw = false, noheading = false;
  };
  auto o = std::make_shared<O>();
  auto c =
      std::make_unique<Command>("show [options] [REGISTRY]", "Display trust policy for the system");
  c->args(0, 1)
      .description("Display trust policy for the system")
      .flag("json", 'j', &o->json, "Output as json")
      .flag("noheading", 'n', &o->noheading, "Do not print column headings")
      .hiddenFlag("policypath", &o->policy_path)
      .flag("raw", 0, &o->raw, "Output raw policy file")
      .hiddenFlag("registrypath", &o->registry_path)
      .run([o](Context& ctx, const std::vector<std::string>&) {
        // podman accepts REGISTRY and shows the whole policy all the same.
        if (ctx.remote()) return failIfRemote(ctx);
        auto env = config::HostEnv::current();
        std::string path = o->policy_path.empty() ? config::trustPolicyPath(env) : o->policy_path;
        auto text = config::readTrustFile(path);
        if (!text.ok()) return ctx.fail(text.error());
        if (o->raw) {
          ctx.out(*text + "\n");
          return 0;
        }
        std::string reg_dir =
            o->registry_path.empty() ? config::registriesDirPath(env) : o->registry_path;
        auto registries = config::loadRegistriesD(reg_dir);
        if (!registries.ok())
          return ctx.fail(std::move(registries).error().context("could not show trust policies"));
        auto entries =
            config::describeTrustPolicy(*text, path, *registries, config::keyFileIdentities);
        if (!entries.ok())
          return ctx.fail(std::move(entries).error().context("could not show trust policies"));
        if (o->json) {
          Json list = Json::array();
          for (const auto& e : *entries) list.push_back(entryJson(e));
          // podman marshals a nil slice when there is no entry.
          ctx.out((entries->empty() ? std::string("null") : Context::jsonIndent(list, 2)) + "\n");
          return 0;
        }
        std::vector<Json> rows;
        for (const auto& e : *entries)
          rows.push_back(Json{{"Transport", e.transport},
                              {"Name", e.name},
                              {"RepoName", e.repo_name},
                              {"SignatureStore", e.sigstore},
                              {"Type", e.type},
                              {"GPGId", e.gpg_id}});
        return printRows(
            ctx, "",
            "table {{.Transport}}\t{{.RepoName}}\t{{.Type}}\t{{.GPGId}}\t{{.SignatureStore}}",
            std::move(rows), {{"RepoName", "NAME"}, {"GPGId", "ID"}, {"SignatureStore", "STORE"}},
            o->noheading);
      });
  return c;
}

}  // namespace

std::unique_ptr<Command> trustCommand() {
  auto c = std::make_unique<Command>("trust", "Manage container image trust policy");
  c->description(
      "Manages which registries you trust as a source of container images based on their "
      "location.\n  The "
      "location is determined by the transport and the registry host of the image.  Using this "
      "container image "
      "docker://quay.io/podman/stable as an example, docker is the transport and quay.io is the "
      "registry host.");
  c->add(setCommand());
  c->add(showCommand());
  return c;
}

}  // namespace berth::cli
