// Secret commands: secret create, ls, inspect, rm, exists.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

#include "base/fs.h"
#include "base/timefmt.h"
#include "cli/commands.h"
#include "cli/context.h"
#include "cli/output.h"

namespace berth::cli {

namespace {

std::map<std::string, std::string> keyValues(const std::vector<std::string>& items) {
  std::map<std::string, std::string> out;
  for (auto& i : items) {
    auto eq = i.find('=');
    out[i.substr(0, eq)] = eq == std::string::npos ? "" : i.substr(eq + 1);
  }
  return out;
}

std::string ago(int64_t ns) {
  int64_t secs = (nowNanos() - ns) / 1000000000;
  return humanDuration(secs < 0 ? 0 : secs) + " ago";
}

// The template data of `secret ls` (podman's SecretListReport) and `secret inspect`.
Json listFields(const api::SecretInfo& s) {
  return Json{{"ID", s.id}, {"Name", s.name}, {"Driver", s.driver}, {"CreatedAt", ago(s.created)},
              {"UpdatedAt", ago(s.updated)}};
}

// Reads a secret's data: a file, "-" for stdin, bounded so a huge input is refused early.
Result<std::string> readData(const std::string& src) {
  UniqueFd file;
  int fd = 0;
  if (src != "-") {
    file = TRY(fs::openFd(src, O_RDONLY));
    fd = file.get();
  }
  std::string data;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errnoError("read {}", src == "-" ? std::string("stdin") : src);
    if (n == 0) break;
    data.append(buf, size_t(n));
    if (data.size() > 512000) break;  // create refuses it with podman's message
  }
  return data;
}

std::unique_ptr<Command> createCommand() {
  struct O {
    std::string driver = "file";
    std::vector<std::string> driver_opts, labels;
    bool env = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("create [options] NAME FILE|-", "Create a new secret");
  c->args(2, 2)
      .description("Create a secret. Input can be a path to a file or \"-\" (read from stdin). Secret drivers "
                   "\"file\" (default), \"pass\", and \"shell\" are available.")
      .example("podman secret create mysecret /path/to/secret\n  printf \"secretdata\" | podman secret create "
               "mysecret -")
      .flag("driver", 'd', &o->driver, "Specify secret driver")
      .sliceFlag("driver-opts", 0, &o->driver_opts, "Specify driver specific options")
      .flag("env", 0, &o->env, "Read secret data from environment variable")
      .flag("label", 'l', &o->labels, "Specify labels on the secret");
  c->run([o](Context& ctx, const std::vector<std::string>& args) {
    api::SecretCreateRequest req;
    req.name = args[0];
    req.driver = o->driver;
    req.driver_options = keyValues(o->driver_opts);
    req.labels = keyValues(o->labels);
    if (o->env) {
      const char* v = std::getenv(args[1].c_str());
      if (!v) return ctx.fail(makeError(Code::kInvalidArgument, "cannot create store secret data: environment variable {} is not set", args[1]));
      req.data = v;
    } else {
      auto d = readData(args[1]);
      if (!d.ok()) return ctx.fail(d.error());
      req.data = std::move(*d);
    }
    auto eng = ctx.engine();
    if (!eng.ok()) return ctx.fail(eng.error());
    auto id = (*eng)->secrets().create(req);
    if (!id.ok()) return ctx.fail(id.error());
    ctx.out(*id + "\n");
    return 0;
  });
  return c;
}

std::unique_ptr<Command> lsCommand() {
  struct O {
    std::string format;
    std::vector<std::string> filters;
    bool quiet = false, noheading = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("ls [options]", "List secrets");
  c->aliases({"list"})
      .args(0, 0)
      .description("List secrets")
      .example("podman secret ls")
      .flag("filter", 'f', &o->filters, "Filter secret output")
      .flag("format", 0, &o->format, "Format volume output using Go template")
      .flag("noheading", 0, &o->noheading, "Do not print headers")
      .flag("quiet", 'q', &o->quiet, "Print secret IDs only");
  c->run([o](Context& ctx, const std::vector<std::string>&) {
    auto eng = ctx.engine();
    if (!eng.ok()) return ctx.fail(eng.error());
    auto list = (*eng)->secrets().list(o->filters);
    if (!list.ok()) return ctx.fail(list.error());
    if (o->quiet) {
      for (auto& s : *list) ctx.out(s.id + "\n");
      return 0;
    }
    if (isJsonFormat(o->format)) {
      Json arr = Json::array();
      for (auto& s : *list) arr.push_back(api::secretToJson(s));
      ctx.out(Context::jsonIndent(arr, 4) + "\n");
      return 0;
    }
    std::vector<Json> rows;
    for (auto& s : *list) rows.push_back(listFields(s));
    return printRows(ctx, o->format, "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.CreatedAt}}\t{{.UpdatedAt}}", rows,
                     {{"ID", "ID"}, {"Name", "NAME"}, {"Driver", "DRIVER"}, {"CreatedAt", "CREATED"},
                      {"UpdatedAt", "UPDATED"}},
                     o->noheading);
  });
  return c;
}

std::unique_ptr<Command> inspectCommand() {
  struct O {
    std::string format;
    bool pretty = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("inspect [options] SECRET [SECRET...]", "Inspect a secret");
  c->args(1, -1)
      .description("Display detail information on one or more secrets")
      .example("podman secret inspect MYSECRET")
      .flag("format", 'f', &o->format, "Format output using Go template")
      .flag("pretty", 0, &o->pretty, "Print inspect output in human-readable format");
  c->run([o](Context& ctx, const std::vector<std::string>& args) {
    auto eng = ctx.engine();
    if (!eng.ok()) return ctx.fail(eng.error());
    std::vector<api::SecretInfo> found;
    std::vector<Error> errors;
    for (auto& a : args) {
      auto s = (*eng)->secrets().inspect(a);
      if (!s.ok()) {
        if (s.error().code() != Code::kNotFound) return ctx.fail(s.error());
        errors.push_back(std::move(s).error());
        continue;
      }
      found.push_back(std::move(*s));
    }
    if (o->pretty) {
      for (auto& s : found) {
        std::string labels;
        for (auto& [k, v] : s.labels) labels += (labels.empty() ? "" : ",") + k + "=" + v;
        ctx.out(fmt::format("ID:              {}\nName:            {}\nDriver:          {}\nCreated at:      {}\n"
                            "Updated at:      {}\nLabels:          {}\n",
                            s.id, s.name, s.driver, formatGoTime(s.created), formatGoTime(s.updated), labels));
      }
    } else if (o->format.empty() || isJsonFormat(o->format)) {
      Json arr = Json::array();
      for (auto& s : found) arr.push_back(api::secretToJson(s));
      ctx.out(Context::jsonIndent(arr, 4) + "\n");
    } else {
      for (auto& s : found) {
        Json data = api::secretToJson(s);
        data["CreatedAt"] = formatGoTime(s.created);
        data["UpdatedAt"] = formatGoTime(s.updated);
        if (int r = printTemplate(ctx, o->format, data); r != 0) return r;
      }
    }
    if (errors.empty()) return 0;
    for (size_t i = 0; i + 1 < errors.size(); ++i) ctx.err("Error: inspecting secret: " + errors[i].what() + "\n");
    return ctx.fail(errors.back().context("inspecting secret"));
  });
  return c;
}

std::unique_ptr<Command> rmCommand() {
  auto all = std::make_shared<bool>(false);
  auto c = std::make_unique<Command>("rm [options] SECRET [SECRET...]", "Remove one or more secrets");
  c->aliases({"remove"})
      .args(0, -1)
      .description("Remove one or more secrets")
      .example("podman secret rm mysecret1 mysecret2")
      .flag("all", 'a', all.get(), "Remove all secrets");
  c->run([all](Context& ctx, const std::vector<std::string>& args) {
    if (args.empty() && !*all) return ctx.fail(makeError(Code::kInvalidArgument, "requires at least 1 arg(s), only received 0"));
    if (!args.empty() && *all)
      return ctx.fail(makeError(Code::kInvalidArgument, "when using the --all switch, you may not pass any secret names or IDs"));
    auto eng = ctx.engine();
    if (!eng.ok()) return ctx.fail(eng.error());
    auto reports = (*eng)->secrets().remove(args, *all);
    if (!reports.ok()) return ctx.fail(reports.error());
    std::vector<Error> errors;
    for (auto& r : *reports) {
      if (r.error) errors.push_back(*r.error);
      else ctx.out(r.id + "\n");
    }
    if (errors.empty()) return 0;
    for (size_t i = 0; i + 1 < errors.size(); ++i) ctx.err("Error: " + errors[i].what() + "\n");
    return ctx.fail(errors.back());
  });
  return c;
}

std::unique_ptr<Command> existsCommand() {
  auto c = std::make_unique<Command>("exists SECRET", "Check if a secret exists in local storage");
  c->args(1, 1)
      .description("If the named secret exists in local storage, podman secret exists exits with 0, otherwise the "
                   "exit code will be 1.")
      .example("podman secret exists ID\n  podman secret exists SECRET || podman secret create SECRET <secret source>")
      .run([](Context& ctx, const std::vector<std::string>& args) {
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        auto e = (*eng)->secrets().exists(args[0]);
        if (!e.ok()) return ctx.fail(e.error());
        return *e ? 0 : 1;
      });
  return c;
}

}  // namespace

void addSecretCommands(Command& root) {
  auto s = std::make_unique<Command>("secret", "Manage secrets");
  s->description("Manage secrets");
  s->add(createCommand());
  s->add(lsCommand());
  s->add(inspectCommand());
  s->add(rmCommand());
  s->add(existsCommand());
  root.add(std::move(s));
}

}  // namespace berth::cli
