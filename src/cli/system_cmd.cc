// System commands: version, info.
#include <sys/utsname.h>

#include "cli/commands.h"
#include "cli/format/report.h"
#include "cli/output.h"
#include "berth/bindings/system.h"
#include "engine/system_service.h"

namespace berth::cli {

namespace {

// A small YAML emitter for `info`'s default output (podman prints YAML).
void toYaml(const Json& j, int indent, std::string& out) {
  std::string pad(indent, ' ');
  for (auto& [k, v] : j.items()) {
    if (v.is_object()) {
      if (v.empty()) {
        out += pad + k + ": {}\n";
        continue;
      }
      out += pad + k + ":\n";
      toYaml(v, indent + 2, out);
    } else if (v.is_array()) {
      if (v.empty()) {
        out += pad + k + ": []\n";
        continue;
      }
      out += pad + k + ":\n";
      for (auto& e : v) out += pad + "- " + (e.is_string() ? e.get<std::string>() : e.dump()) + "\n";
    } else if (v.is_string()) {
      std::string s = v.get<std::string>();
      bool quote = s.empty() || s.find(':') != std::string::npos || s.find('#') != std::string::npos;
      out += pad + k + ": " + (quote ? "'" + s + "'" : s) + "\n";
    } else {
      out += pad + k + ": " + v.dump() + "\n";
    }
  }
}

// podman's info JSON uses json tags; its templates use the Go field names.
Json goFieldNames(const Json& j) {
  if (j.is_array()) {
    Json out = Json::array();
    for (auto& e : j) out.push_back(goFieldNames(e));
    return out;
  }
  if (!j.is_object()) return j;
  Json out = Json::object();
  for (auto& [k, v] : j.items()) {
    std::string name = k;
    if (name == "ociRuntime") name = "OCIRuntime";
    else if (name == "cgroupVersion") name = "CgroupsVersion";
    else if (name == "cpus") name = "CPUs";
    else if (name == "os") name = "OS";
    else if (!name.empty()) name[0] = char(toupper(name[0]));
    out[name] = goFieldNames(v);
  }
  return out;
}

Json versionJson() {
  struct utsname u;
  ::uname(&u);
  return Json{{"APIVersion", engine::VersionInfo::kApiVersion},
              {"Version", engine::VersionInfo::kVersion},
              {"GoVersion", "n/a (C++20)"},
              {"GitCommit", ""},
              {"BuiltTime", __DATE__ " " __TIME__},
              {"Built", 0},
              {"OsArch", "linux/amd64"},
              {"Os", "linux"}};
}

// The Server part of remote `version`, from the service's /version as podman's bindings
// build it: the "Podman Engine" component's APIVersion, Os/Arch, ANSI C build time.
Result<Json> serverVersion(Context& ctx) {
  auto* conn = TRY(ctx.connection());
  Json v = TRY(system::version(*conn));
  auto str = [&](const Json& j, const char* k) {
    auto it = j.find(k);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  Json server = {{"APIVersion", str(v, "ApiVersion")},
                 {"Version", str(v, "Version")},
                 {"GoVersion", str(v, "GoVersion")},
                 {"GitCommit", str(v, "GitCommit")},
                 {"BuiltTime", "Thu Jan  1 00:00:00 1970"},
                 {"Built", 0},
                 {"OsArch", str(v, "Os") + "/" + str(v, "Arch")},
                 {"Os", str(v, "Os")}};
  if (auto c = v.find("Components"); c != v.end() && c->is_array())
    for (auto& comp : *c)
      if (comp.is_object() && str(comp, "Name") == "Podman Engine")
        if (auto d = comp.find("Details"); d != comp.end() && d->is_object()) server["APIVersion"] = str(*d, "APIVersion");
  return server;
}

std::string versionBlock(const char* title, const Json& v) {
  auto s = [&](const char* k) { return v.value(k, std::string()); };
  std::string out = fmt::format("{:<14}berth Engine\nVersion:      {}\nAPI Version:  {}\nGo Version:   {}\n", title,
                                s("Version"), s("APIVersion"), s("GoVersion"));
  if (!s("GitCommit").empty()) out += fmt::format("Git Commit:   {}\n", s("GitCommit"));
  out += fmt::format("Built:        {}\nOS/Arch:      {}\n", s("BuiltTime"), s("OsArch"));
  return out;
}

std::unique_ptr<Command> versionCommand() {
  auto format = std::make_shared<std::string>();
  auto c = std::make_unique<Command>("version [options]", "Display the Podman version information");
  c->args(0, 0)
      .flag("format", 'f', format.get(), "Change the output format to JSON or a Go template")
      .run([format](Context& ctx, const std::vector<std::string>&) {
        Json doc = {{"Client", versionJson()}};
        if (ctx.remote()) {
          auto server = serverVersion(ctx);
          if (!server.ok()) return ctx.fail(server.error());
          doc["Server"] = std::move(*server);
        }
        if (isJsonFormat(*format)) {
          ctx.out(Context::jsonIndent(doc, 4) + "\n");
          return 0;
        }
        if (!format->empty()) {
          auto text = format::renderRows(*format, *format, {doc}, {}, true);
          if (!text.ok() && !doc.contains("Server")) {
            // podman's fallback for older templates: locally there is no Server part, so
            // {{.Server.X}} means the client's X.
            std::string f = *format;
            for (size_t p; (p = f.find(".Server.")) != std::string::npos;) f.replace(p, 8, ".");
            text = format::renderRows(f, f, {doc["Client"]}, {}, true);
          }
          if (!text.ok()) return ctx.fail(text.error());
          ctx.out(*text);
          return 0;
        }
        std::string out = versionBlock("Client:", doc["Client"]);
        if (doc.contains("Server")) out += "\n" + versionBlock("Server:", doc["Server"]);
        ctx.out(out);
        return 0;
      });
  return c;
}

std::unique_ptr<Command> infoCommand(std::string use) {
  auto format = std::make_shared<std::string>();
  auto c = std::make_unique<Command>(std::move(use), "Display podman system information");
  c->args(0, 0)
      .description("Display information pertaining to the host, current storage stats, and build of podman.")
      .flag("format", 'f', format.get(), "Change the output format to JSON or a Go template")
      .run([format](Context& ctx, const std::vector<std::string>&) {
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        auto info = (*eng)->system().info();
        if (!info.ok()) return ctx.fail(info.error());
        if (isJsonFormat(*format)) {
          ctx.out(Context::jsonIndent(*info, 4) + "\n");
          return 0;
        }
        if (!format->empty()) return printTemplate(ctx, *format, goFieldNames(*info));
        std::string out;
        toYaml(*info, 0, out);
        ctx.out(out);
        return 0;
      });
  return c;
}

}  // namespace

void addSystemCommands(Command& root) {
  root.add(versionCommand());
  root.add(infoCommand("info [options]"));
  auto sys = std::make_unique<Command>("system", "Manage podman");
  sys->add(infoCommand("info [options]"));
  sys->add(serviceCommand());
  sys->add(connectionCommand());
  root.add(std::move(sys));
  root.add(contextCommand());
}

}  // namespace berth::cli
