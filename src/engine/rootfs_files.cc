// Reads of a container's own files, always inside its rootfs (sys/inroot).
#include "engine/rootfs_files.h"

#include <sys/stat.h>

#include "sys/inroot.h"

namespace berth::engine {
namespace {

constexpr std::string_view kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

Result<std::string> readOptional(int root_fd, std::string_view path) {
  auto text = sys::readFileInRoot(root_fd, path, sys::kMaxRootConfigFile);
  if (text.ok()) return std::move(text).value();
  if (text.error().code() == Code::kNotFound) return std::string();
  return std::move(text).error().context(fmt::format("read {} of the container", path));
}

}  // namespace

Result<UserFiles> readUserFiles(const std::string& rootfs) {
  UniqueFd root = TRY(sys::openRoot(rootfs));
  UserFiles out;
  out.passwd = TRY(readOptional(root.get(), "/etc/passwd"));
  out.group = TRY(readOptional(root.get(), "/etc/group"));
  return out;
}

Result<bool> commandExistsInRoot(const std::string& rootfs, const std::string& cmd,
                                 const std::vector<std::string>& env) {
  UniqueFd root = TRY(sys::openRoot(rootfs));
  if (cmd.find('/') != std::string::npos) return sys::statInRoot(root.get(), cmd).ok();
  std::string_view path = kDefaultPath;
  for (const auto& e : env)
    if (e.rfind("PATH=", 0) == 0) path = std::string_view(e).substr(5);
  while (true) {
    size_t colon = path.find(':');
    std::string_view dir = path.substr(0, colon);
    if (!dir.empty()) {
      auto st = sys::statInRoot(root.get(), std::string(dir) + "/" + cmd);
      if (st.ok() && S_ISREG(st->st_mode) && (st->st_mode & 0111)) return true;
    }
    if (colon == std::string_view::npos) break;
    path.remove_prefix(colon + 1);
  }
  return false;
}

Result<bool> commandPathNotExecutable(const std::string& rootfs, const std::string& cmd) {
  if (cmd.find('/') == std::string::npos) return false;
  UniqueFd root = TRY(sys::openRoot(rootfs));
  auto st = sys::statInRoot(root.get(), cmd);
  if (!st.ok()) return false;
  return !S_ISREG(st->st_mode) || !(st->st_mode & 0111);
}

}  // namespace berth::engine
