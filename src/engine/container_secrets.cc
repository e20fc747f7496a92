// Container secrets (--secret): copied at create, laid out per run as files bind-mounted into
// the container (owner and mode as asked) or set as environment variables.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "engine/container_service.h"
#include "engine/engine.h"
#include "engine/secret_service.h"

namespace berth::engine {

namespace {

constexpr uint32_t kDefaultSecretMode = 0444;  // podman's default (292)

// podman's target rule: none -> /run/secrets/NAME, relative -> under /run/secrets.
Result<std::string> mountTarget(const api::Secret& s, const std::string& name) {
  std::string t = s.target.empty() ? name : s.target;
  if (t.find('\0') != std::string::npos) return makeError(Code::kInvalidArgument, "secret {}: invalid target", name);
  if (t[0] != '/') t = "/run/secrets/" + t;
  for (size_t start = 1; start <= t.size();) {
    size_t end = std::min(t.find('/', start), t.size());
    if (t.compare(start, end - start, "..") == 0)
      return makeError(Code::kInvalidArgument, "secret {}: target {:?} must not contain \"..\"", name, t);
    start = end + 1;
  }
  return t;
}

// Writes `data` as a new file `path` owned by uid:gid with `mode` (no symlink followed).
Status writeOwned(const std::string& path, const std::string& data, uint32_t uid, uint32_t gid, uint32_t mode) {
  ::unlink(path.c_str());
  UniqueFd fd = TRY(fs::openFd(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  TRY(fs::writeAll(fd.get(), data));
  if (::fchown(fd.get(), uid, gid) < 0) return errnoError("chown {}", path);
  if (::fchmod(fd.get(), mode & 07777) < 0) return errnoError("chmod {}", path);
  return {};
}

}  // namespace

Result<std::vector<LocalContainerService::SecretCopy>> LocalContainerService::resolveSecrets(
    const api::SpecGenerator& spec, Json& config) {
  auto& secrets = static_cast<LocalSecretService&>(e_.secrets());
  std::vector<SecretCopy> out;
  Json mounts = Json::array();
  for (size_t i = 0; i < spec.secrets.size(); ++i) {
    const api::Secret& s = spec.secrets[i];
    auto [info, data] = TRY(secrets.lookupData(s.source));
    std::string file = fmt::format("mount-{}", i);
    mounts.push_back({{"Name", info.name},
                      {"ID", info.id},
                      {"UID", s.uid},
                      {"GID", s.gid},
                      {"Mode", s.mode == 0 ? kDefaultSecretMode : s.mode},
                      {"Target", TRY(mountTarget(s, info.name))},
                      {"File", file}});
    out.push_back({file, std::move(data)});
  }
  Json env = Json::object();
  size_t n = 0;
  for (auto& [var, source] : spec.secret_env) {
    if (var.empty() || var.find('=') != std::string::npos || var.find('\0') != std::string::npos)
      return makeError(Code::kInvalidArgument, "secret {}: invalid environment variable name {:?}", source, var);
    auto [info, data] = TRY(secrets.lookupData(source));
    std::string file = fmt::format("env-{}", n++);
    env[var] = {{"Name", info.name}, {"ID", info.id}, {"File", file}};
    out.push_back({file, std::move(data)});
  }
  if (!mounts.empty()) config["secrets"] = mounts;
  if (!env.empty()) config["secret_env"] = env;
  return out;
}

Status LocalContainerService::writeSecretCopies(const std::vector<SecretCopy>& copies, const std::string& static_dir) {
  if (copies.empty()) return {};
  std::string dir = static_dir + "/secrets";
  TRY(fs::mkdirAll(dir, 0700));
  for (auto& c : copies) TRY_CTX(writeOwned(dir + "/" + c.file, c.data, 0, 0, 0600), "copy a secret");
  return {};
}

Status LocalContainerService::applySecrets(const state::ContainerRecord& rec, const api::SpecGenerator& spec,
                                           api::SpecGenerator& out) {
  (void)spec;
  auto p = paths(rec.id);
  auto readCopy = [&](const Json& m) -> Result<std::string> {
    std::string file = m.value("File", "");
    if (file.empty() || file.find('/') != std::string::npos)
      return makeError(Code::kDataLoss, "container {}: a secret record has no valid file", rec.id.substr(0, 12));
    return TRY_CTX(fs::readFile(p.static_dir + "/secrets/" + file), "read the copy of secret {}",
                   m.value("Name", ""));
  };
  if (auto it = rec.config.find("secrets"); it != rec.config.end() && it->is_array() && !it->empty()) {
    std::string dir = p.run_dir + "/secrets";
    TRY(fs::mkdirAll(dir, 0700));
    for (auto& m : *it) {
      if (!m.is_object()) continue;
      std::string data = TRY(readCopy(m));
      std::string file = dir + "/" + m.value("File", "");
      TRY_CTX(writeOwned(file, data, m.value("UID", 0u), m.value("GID", 0u), m.value("Mode", kDefaultSecretMode)),
              "lay out secret {} for container {}", m.value("Name", ""), rec.id.substr(0, 12));
      api::Mount mnt;
      mnt.destination = m.value("Target", "");
      mnt.type = "bind";
      mnt.source = file;
      mnt.options = {"ro"};
      out.mounts.push_back(std::move(mnt));
    }
  }
  if (auto it = rec.config.find("secret_env"); it != rec.config.end() && it->is_object())
    for (auto& [var, m] : it->items())
      if (m.is_object()) out.env[var] = TRY(readCopy(m));
  return {};
}

}  // namespace berth::engine
