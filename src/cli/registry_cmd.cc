// Registry commands: pull, push, login, logout, search.
#include <termios.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/log.h"
#include "cli/commands.h"
#include "cli/registry_flags.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "config/auth.h"
#include "config/host_env.h"
#include "config/registries.h"
#include "image/reference.h"
#include "registry/registry_client.h"

namespace berth::cli {

namespace {

// Credentials for a request to `key` (registry[/repository]): --creds, else the auth
// files, most specific key first.
Status addCredentials(const AccessFlags& a, const std::string& key, registry::ClientOptions& opts) {
  if (!a.creds.empty()) {
    auto colon = a.creds.find(':');
    registry::Credentials c;
    c.username = a.creds.substr(0, colon);
    if (colon != std::string::npos) c.password = a.creds.substr(colon + 1);
    if (c.username.empty())
      return makeError(Code::kInvalidArgument, "invalid --creds {:?}: the username must not be empty", a.creds);
    opts.creds = c;
    return {};
  }
  auto env = config::HostEnv::current();
  auto auth = TRY(config::loadAuth(config::authFilePaths(env, a.authfile)));
  auto found = TRY(config::lookupCredentials(auth, key));
  if (found) opts.creds = registry::Credentials{found->username, found->password, found->identity_token};
  return {};
}

Result<size_t> promptChoice(const std::vector<std::string>& names) {
  std::string text = "? Please select an image:\n";
  for (size_t i = 0; i < names.size(); ++i) text += fmt::format("  {}) {}\n", i + 1, names[i]);
  text += "Enter a number: ";
  (void)fs::writeAll(2, text);
  char buf[32] = {};
  ssize_t n = ::read(0, buf, sizeof buf - 1);
  int pick = n > 0 ? std::atoi(buf) : 0;
  if (pick < 1 || size_t(pick) > names.size())
    return makeError(Code::kInvalidArgument, "short-name resolution: no valid choice made");
  return size_t(pick - 1);
}

std::unique_ptr<Command> pullCommand() {
  struct O {
    AccessFlags a;
    bool all_tags = false, quiet = false;
    std::string arch, os, variant, platform;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("pull [options] IMAGE [IMAGE...]", "Pull an image from a registry");
  Command* self = c.get();
  c->args(1, -1)
      .description("Pulls an image from a registry and stores it locally.")
      .flag("all-tags", 'a', &o->all_tags, "All tagged images in the repository will be pulled")
      .flag("arch", 0, &o->arch, "Use `ARCH` instead of the architecture of the machine for choosing images")
      .flag("os", 0, &o->os, "Use `OS` instead of the running OS for choosing images")
      .flag("variant", 0, &o->variant, "Use VARIANT instead of the running architecture variant for choosing images")
      .flag("platform", 0, &o->platform, "Specify the platform for selecting the image.  (Conflicts with arch and os)")
      .flag("quiet", 'q', &o->quiet, "Suppress output information when pulling images");
  addAccessFlags(*c, o->a);
  c->run([o, self](Context& ctx, const std::vector<std::string>& args) {
    if (!o->platform.empty()) {
      if (!o->arch.empty() || !o->os.empty())
        return ctx.fail(makeError(Code::kInvalidArgument, "--platform option can not be specified with --arch or --os"));
      auto p = o->platform;
      auto s1 = p.find('/');
      if (s1 == std::string::npos) return ctx.fail(makeError(Code::kInvalidArgument, "invalid platform syntax for --platform={:?}: use OS/ARCH[/VARIANT]", p));
      o->os = p.substr(0, s1);
      auto s2 = p.find('/', s1 + 1);
      o->arch = p.substr(s1 + 1, s2 == std::string::npos ? std::string::npos : s2 - s1 - 1);
      if (s2 != std::string::npos) o->variant = p.substr(s2 + 1);
    }
    auto eng = ctx.engine();
    if (!eng.ok()) return ctx.fail(eng.error());
    ProgressRenderer progress(o->quiet);
    for (auto& ref : args) {
      api::ImagePullRequest req;
      req.reference = ref;
      req.all_tags = o->all_tags;
      req.os = o->os;
      req.arch = o->arch;
      req.variant = o->variant;
      req.access = access(o->a, *self);
      req.have_tty = ctx.stdinIsTerminal() && ::isatty(2);
      req.choose = promptChoice;
      req.progress = progress.fn();
      auto rep = (*eng)->images().pull(req);
      if (!rep.ok()) return ctx.fail(rep.error());
      for (auto& id : rep->ids) ctx.out(id + "\n");
    }
    return 0;
  });
  return c;
}

std::unique_ptr<Command> pushCommand() {
  struct O {
    AccessFlags a;
    bool quiet = false, compress = false, remove_signatures = false;
    std::string compression_format, digestfile, format, sign_by;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("push [options] IMAGE [DESTINATION]", "Push an image to a specified destination");
  Command* self = c.get();
  c->args(1, 2)
      .description("Pushes a source image to a specified destination.")
      .flag("compression-format", 0, &o->compression_format, "compression format to use")
      .flag("compress", 0, &o->compress, "Compress tarball image layers when pushing to a directory using the 'dir' transport. (default is same compression type as source)")
      .flag("digestfile", 0, &o->digestfile, "Write the digest of the pushed image to the specified file")
      .flag("format", 'f', &o->format, "Manifest type (oci, v2s2, or v2s1) to use in the destination (default is manifest type of source, with fallbacks)")
      .flag("quiet", 'q', &o->quiet, "Suppress output information when pushing images")
      .flag("remove-signatures", 0, &o->remove_signatures, "Discard any pre-existing signatures in the image")
      .flag("sign-by", 0, &o->sign_by, "Add a signature at the destination using the specified key");
  addAccessFlags(*c, o->a);
  c->run([o, self](Context& ctx, const std::vector<std::string>& args) {
    if (!o->compression_format.empty() && o->compression_format != "gzip" && o->compression_format != "zstd")
      return ctx.fail(makeError(Code::kInvalidArgument, "unsupported compression format {:?}: want gzip or zstd", o->compression_format));
    if (!o->sign_by.empty()) return ctx.fail(makeError(Code::kUnimplemented, "signing images (--sign-by) is not supported"));
    auto eng = ctx.engine();
    if (!eng.ok()) return ctx.fail(eng.error());
    ProgressRenderer progress(o->quiet);
    api::ImagePushRequest req;
    req.source = args[0];
    if (args.size() > 1) req.destination = args[1];
    req.access = access(o->a, *self);
    req.compression_format = o->compression_format;
    req.format = o->format;
    req.digestfile = o->digestfile;
    req.progress = progress.fn();
    auto d = (*eng)->images().push(req);
    if (!d.ok()) return ctx.fail(d.error());
    return 0;
  });
  return c;
}

// Reads a password from the terminal without echo.
std::string readSecret(const std::string& prompt) {
  (void)fs::writeAll(2, prompt);
  struct termios t, saved;
  bool tty = ::tcgetattr(0, &saved) == 0;
  if (tty) {
    t = saved;
    t.c_lflag &= ~ECHO;
    ::tcsetattr(0, TCSANOW, &t);
  }
  std::string line;
  char ch;
  while (::read(0, &ch, 1) == 1 && ch != '\n') line.push_back(ch);
  if (tty) {
    ::tcsetattr(0, TCSANOW, &saved);
    (void)fs::writeAll(2, "\n");
  }
  return line;
}

std::string registryOf(const std::string& arg) {
  std::string s = arg;
  for (auto p : {"https://", "http://", "docker://"})
    if (s.rfind(p, 0) == 0) s = s.substr(std::string(p).size());
  return s;
}

std::unique_ptr<Command> loginCommand() {
  struct O {
    AccessFlags a;
    std::string username, password;
    bool password_stdin = false, get_login = false, verbose = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("login [options] [REGISTRY]", "Log in to a container registry");
  Command* self = c.get();
  c->args(0, 1)
      .description("Log in to a container registry on a specified server.")
      .flag("username", 'u', &o->username, "Username for registry")
      .flag("password", 'p', &o->password, "Password for registry")
      .flag("password-stdin", 0, &o->password_stdin, "Take the password from stdin")
      .flag("get-login", 0, &o->get_login, "Return the current login user for the registry")
      .flag("verbose", 'v', &o->verbose, "Write more detailed information to stdout");
  addAccessFlags(*c, o->a);
  c->run([o, self](Context& ctx, const std::vector<std::string>& args) {
    auto env = config::HostEnv::current();
    std::string reg;
    if (args.empty()) {
      auto conf = config::loadRegistriesConf(config::defaultConfPaths(env));
      if (!conf.ok() || conf->unqualified_search_registries.empty())
        return ctx.fail(makeError(Code::kInvalidArgument, "please provide a registry to log in to"));
      reg = conf->unqualified_search_registries[0];
    } else {
      reg = registryOf(args[0]);
    }
    std::string key = config::normalizeAuthKey(reg);
    std::string authfile = o->a.authfile;
    if (authfile.empty())
      if (const char* e = std::getenv("REGISTRY_AUTH_FILE")) authfile = e;
    if (o->get_login) {
      auto auth = config::loadAuth(config::authFilePaths(env, authfile));
      if (!auth.ok()) return ctx.fail(auth.error());
      auto cred = config::lookupCredentials(*auth, key);
      if (!cred.ok()) return ctx.fail(cred.error());
      if (!*cred) return ctx.fail(makeError(Code::kNotFound, "not logged into {}", key));
      ctx.out((*cred)->username + "\n");
      return 0;
    }
    if (!o->password.empty() && o->password_stdin)
      return ctx.fail(makeError(Code::kInvalidArgument, "can't specify both --password-stdin and --password"));
    if (o->username.empty() && o->password_stdin)
      return ctx.fail(makeError(Code::kInvalidArgument, "must provide --username with --password-stdin"));
    std::string user = o->username, pass = o->password;
    if (o->password_stdin) {
      auto all = fs::readAll(0);
      if (!all.ok()) return ctx.fail(all.error());
      pass = *all;
      while (!pass.empty() && (pass.back() == '\n' || pass.back() == '\r')) pass.pop_back();
    }
    if (user.empty()) {
      if (!ctx.stdinIsTerminal())
        return ctx.fail(makeError(Code::kInvalidArgument, "username is required: use --username (no terminal to prompt on)"));
      (void)fs::writeAll(2, "Username: ");
      char ch;
      while (::read(0, &ch, 1) == 1 && ch != '\n') user.push_back(ch);
    }
    if (pass.empty()) {
      if (!ctx.stdinIsTerminal())
        return ctx.fail(makeError(Code::kInvalidArgument, "password is required: use --password-stdin (no terminal to prompt on)"));
      pass = readSecret("Password: ");
    }
    auto conf = config::loadRegistriesConf(config::defaultConfPaths(env));
    registry::ClientOptions opts;
    bool insecure = conf.ok() && config::isInsecure(*conf, key.substr(0, key.find('/')));
    if (self->changed("tls-verify")) insecure = !o->a.tls_verify;
    opts.tls_verify = !insecure;
    opts.insecure_http = insecure;
    opts.cert_dir = o->a.cert_dir;
    opts.creds = registry::Credentials{user, pass, ""};
    registry::RegistryClient client(key.substr(0, key.find('/')), opts);
    auto s = client.ping();
    if (!s.ok()) {
      // podman: rejected credentials are "invalid username/password" (the registry's own
      // words go to the debug log); any other failure keeps its cause.
      if (s.error().code() == Code::kPermissionDenied) {
        LOG_DEBUG("error logging into {:?}: {}", key, s.error().what());
        return ctx.fail(makeError(Code::kPermissionDenied, "logging into {:?}: invalid username/password", key));
      }
      return ctx.fail(std::move(s).error().context(fmt::format("authenticating creds for {:?}", key)));
    }
    auto st = config::storeCredentials(config::authWritePath(env, authfile), key, user, pass);
    if (!st.ok()) return ctx.fail(st.error());
    ctx.out("Login Succeeded!\n");
    return 0;
  });
  return c;
}

std::unique_ptr<Command> logoutCommand() {
  struct O {
    std::string authfile;
    bool all = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("logout [options] [REGISTRY]", "Log out of a container registry");
  c->args(0, 1)
      .description("Remove the cached username and password for the registry.")
      .flag("authfile", 0, &o->authfile, "Path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override")
      .flag("all", 'a', &o->all, "Remove the cached credentials for all registries in the auth file")
      .run([o](Context& ctx, const std::vector<std::string>& args) {
        auto env = config::HostEnv::current();
        std::string authfile = o->authfile;
        if (authfile.empty())
          if (const char* e = std::getenv("REGISTRY_AUTH_FILE")) authfile = e;
        std::string path = config::authWritePath(env, authfile);
        if (o->all) {
          auto s = config::removeAllCredentials(path);
          if (!s.ok()) return ctx.fail(s.error());
          ctx.out("Removed login credentials for all registries\n");
          return 0;
        }
        if (args.empty()) return ctx.fail(makeError(Code::kInvalidArgument, "please provide a registry to log out from"));
        std::string key = config::normalizeAuthKey(registryOf(args[0]));
        auto s = config::removeCredentials(path, key);
        if (!s.ok()) return ctx.fail(s.error());
        ctx.out(fmt::format("Removed login credentials for {}\n", key));
        return 0;
      });
  return c;
}

std::unique_ptr<Command> searchCommand() {
  struct O {
    AccessFlags a;
    int limit = 25;
    bool list_tags = false, no_trunc = false;
    std::string format;
    std::vector<std::string> filters;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("search [options] TERM", "Search registry for image");
  Command* self = c.get();
  c->args(1, 1)
      .description("Search registries for a given image. Can search all the default registries or a specific registry.")
      .flag("limit", 0, &o->limit, "Limit the number of results")
      .flag("list-tags", 0, &o->list_tags, "List the tags of the input registry")
      .flag("no-trunc", 0, &o->no_trunc, "Do not truncate the output")
      .flag("format", 0, &o->format, "Change the output format to JSON or a Go template")
      .sliceFlag("filter", 'f', &o->filters, "Filter output based on conditions provided (default [])");
  addAccessFlags(*c, o->a);
  c->run([o, self](Context& ctx, const std::vector<std::string>& args) {
    std::string term = args[0];
    auto slash = term.find('/');
    if (slash == std::string::npos)
      return ctx.fail(makeError(Code::kInvalidArgument,
                                "search {:?}: give the registry, e.g. localhost:5000/{} (only registries with a v2 catalog are searchable)",
                                term, term));
    std::string reg = term.substr(0, slash), what = term.substr(slash + 1);
    for (auto& f : o->filters)
      if (f.rfind("is-official", 0) != 0 && f.rfind("is-automated", 0) != 0 && f.rfind("stars", 0) != 0)
        return ctx.fail(makeError(Code::kInvalidArgument, "invalid filter {:?}: want stars=N, is-automated=BOOL or is-official=BOOL", f));
    auto env = config::HostEnv::current();
    auto conf = config::loadRegistriesConf(config::defaultConfPaths(env));
    registry::ClientOptions opts;
    bool insecure = conf.ok() && config::isInsecure(*conf, reg);
    if (self->changed("tls-verify")) insecure = !o->a.tls_verify;
    opts.tls_verify = !insecure;
    opts.insecure_http = insecure;
    opts.cert_dir = o->a.cert_dir;
    if (auto st = addCredentials(o->a, o->list_tags && what.find_first_of(":@") == std::string::npos ? reg + "/" + what : reg, opts); !st.ok()) return ctx.fail(st.error());
    registry::RegistryClient client(reg, opts);
    std::vector<Json> rows;
    if (o->list_tags) {
      auto tags = client.listTags(what);
      if (!tags.ok()) return ctx.fail(tags.error());
      int n = 0;
      for (auto& t : *tags) {
        if (o->limit > 0 && n++ >= o->limit) break;
        rows.push_back(Json{{"Name", reg + "/" + what}, {"Tag", t}});
      }
      if (isJsonFormat(o->format)) {
        Json arr = Json::array({Json{{"Name", reg + "/" + what}, {"Tags", *tags}}});
        ctx.out(Context::jsonIndent(arr, 4) + "\n");
        return 0;
      }
      return printRows(ctx, o->format, "table {{.Name}}\t{{.Tag}}", rows, {{"Name", "NAME"}, {"Tag", "TAG"}}, false);
    }
    auto repos = client.catalog(1000);
    if (!repos.ok()) return ctx.fail(repos.error());
    int n = 0;
    for (auto& r : *repos) {
      if (r.find(what) == std::string::npos) continue;
      if (o->limit > 0 && n++ >= o->limit) break;
      rows.push_back(Json{{"Index", reg}, {"Name", reg + "/" + r}, {"Description", ""}, {"Stars", 0},
                          {"Official", ""}, {"Automated", ""}, {"Tag", ""}});
    }
    if (isJsonFormat(o->format)) {
      Json arr = Json::array();
      for (auto& r : rows) arr.push_back(r);
      ctx.out(Context::jsonIndent(arr, 4) + "\n");
      return 0;
    }
    return printRows(ctx, o->format, "table {{.Name}}\t{{.Description}}", rows, {{"Name", "NAME"}, {"Description", "DESCRIPTION"}}, false);
  });
  return c;
}

}  // namespace

void addRegistryCommands(Command& root) {
  root.add(pullCommand());
  root.add(pushCommand());
  root.add(loginCommand());
  root.add(logoutCommand());
  root.add(searchCommand());
  if (Command* image = root.find("image")) {
    image->add(pullCommand());
    image->add(pushCommand());
    image->add(searchCommand());
  }
}

}  // namespace berth::cli
