// POST /build (Docker's classic builder API) and /libpod/build (podman --remote build): the
// context arrives as a (compressed) tar, is unpacked into a private directory through the
// in-root put of cp, and built like `berth build`; the output streams as {"stream": ...} lines.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "api/server/call.h"
#include "api/server/routes.h"
#include "api/server/stream.h"
#include "base/fs.h"
#include "base/scope_exit.h"
#include "copy/put.h"
#include "copy/tar.h"
#include "engine/build.h"
#include "engine/engine.h"
#include "sys/inroot.h"

namespace berth::api::server {

namespace {

constexpr size_t kMaxContainerfile = 4 << 20;

// The Containerfile names: Docker sends one path, podman's bindings a JSON array.
Result<std::vector<std::string>> containerfileNames(const Call& c) {
  std::string v = c.str("dockerfile");
  if (v.empty()) return std::vector<std::string>{};
  if (v[0] != '[') return std::vector<std::string>{v};
  Json j = Json::parse(v, nullptr, false);
  if (!j.is_array()) return makeError(Code::kInvalidArgument, "dockerfile: not a JSON array of names: {}", v);
  std::vector<std::string> out;
  for (auto& e : j) {
    if (!e.is_string()) return makeError(Code::kInvalidArgument, "dockerfile: not a JSON array of names: {}", v);
    out.push_back(e.get<std::string>());
  }
  return out;
}

Status fillRequest(Call& c, const std::string& ctx, engine::BuildRequest& req) {
  UniqueFd root = TRY(sys::openRoot(ctx));
  std::vector<std::string> names = TRY(containerfileNames(c));
  if (names.empty()) {
    for (const char* n : {"Containerfile", "Dockerfile"})
      if (sys::statInRoot(root.get(), n).ok()) {
        names.push_back(n);
        break;
      }
    if (names.empty()) return makeError(Code::kInvalidArgument, "no Containerfile or Dockerfile in the build context");
  }
  for (auto& n : names) {
    // Absolute client paths: podman's bindings put such files into the context under their base name.
    std::string in = n;
    if (!sys::statInRoot(root.get(), in).ok() && in.find('/') != std::string::npos)
      in = in.substr(in.rfind('/') + 1);
    std::string text = TRY_CTX(sys::readFileInRoot(root.get(), in, kMaxContainerfile), "Containerfile {}", n);
    req.containerfile += text;
    if (!text.empty() && text.back() != '\n') req.containerfile += '\n';
  }
  req.containerfile_name = names[0];
  req.context_dir = ctx;
  req.tags = c.all("t");
  req.target = c.str("target");
  req.quiet = TRY(c.boolean("q", false));
  req.no_cache = TRY(c.boolean("nocache", false));
  req.layers = TRY(c.boolean("layers", true));
  req.build_args = TRY(c.stringMap("buildargs"));
  req.labels = TRY(c.stringMap("labels"));
  std::string policy = c.str("pullpolicy");
  if (policy == "ifnewer") policy = "newer";
  if (policy.empty()) {
    std::string pull = c.str("pull");
    policy = pull == "1" || pull == "true" || pull == "always" ? "always" : "missing";
  }
  if (policy != "always" && policy != "missing" && policy != "never" && policy != "newer")
    return makeError(Code::kInvalidArgument, "pullpolicy: unsupported value {:?}", policy);
  req.pull = policy;
  std::string format = c.str("outputformat");
  req.format = format.find("docker") != std::string::npos ? "docker" : "oci";
  if (!c.libpod()) req.format = "docker";
  std::string platform = c.str("platform");
  if (!platform.empty()) {
    auto slash = platform.find('/');
    if (slash == std::string::npos) return makeError(Code::kInvalidArgument, "platform {:?}: want OS/ARCH", platform);
    req.os = platform.substr(0, slash);
    req.arch = platform.substr(slash + 1);
    if (auto v = req.arch.find('/'); v != std::string::npos) {
      req.variant = req.arch.substr(v + 1);
      req.arch = req.arch.substr(0, v);
    }
  }
  std::string net = c.str("networkmode");
  if (net == "none") req.run_template.netns.nsmode = NamespaceMode::kNone;
  return {};
}

Status build(Call& c) {
  auto eng = TRY(c.engine());
  if (c.req.body_file.empty()) return makeError(Code::kInvalidArgument, "no build context in the request body");
  std::string base = eng->options().runroot + "/build-contexts";
  TRY(fs::mkdirAll(base, 0700));
  std::string tmpl = base + "/ctx-XXXXXX";
  std::vector<char> p(tmpl.begin(), tmpl.end());
  p.push_back('\0');
  if (!::mkdtemp(p.data())) return errnoError("create a build context directory in {}", base);
  std::string ctx = p.data();
  ScopeExit cleanup([&] { (void)fs::removeAll(ctx); });
  {
    UniqueFd in(::open(c.req.body_file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in) return errnoError("open the uploaded build context");
    UniqueFd root = TRY(sys::openRoot(ctx));
    copy::PutOptions po;
    auto sink = TRY(copy::PutSink::open(root.get(), "/", po));
    TRY_CTX(copy::readTar(in.get(), *sink), "unpack the build context");
  }
  engine::BuildRequest req;
  TRY(fillRequest(c, ctx, req));
  JsonLines out(c.res);
  req.out = [&out](std::string_view s) { out.write(Json{{"stream", std::string(s)}}); };
  engine::BuildResult result;
  auto id = engine::build(*eng, req, result);
  if (!id.ok()) {
    std::string msg = id.error().what();
    Json detail = {{"message", msg}};
    if (result.exit_code) detail["code"] = result.exit_code;
    out.write(Json{{"errorDetail", detail}, {"error", msg}});
    return out.finish();
  }
  if (!c.libpod()) {
    out.write(Json{{"stream", "Successfully built " + id->substr(0, 12) + "\n"}});
    out.write(Json{{"aux", {{"ID", "sha256:" + *id}}}});
  }
  return out.finish();
}

}  // namespace

void registerBuildRoutes(Router& r) {
  r.add("POST", Tree::kCompat, "/build", build, BodyMode::kSpool);
  r.add("POST", Tree::kLibpod, "/build", build, BodyMode::kSpool);
}

}  // namespace berth::api::server
