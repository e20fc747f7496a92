// Reads of a container's own files, always inside its rootfs (sys/inroot).
#include "engine/rootfs_files.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>

#include "base/fs.h"
#include "base/lines.h"
#include "base/log.h"

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

namespace {

// Whether a passwd or group file has an entry named `name` or with the numeric ID `id`
// (the third field).
bool hasEntry(std::string_view file, std::string_view name, std::string_view id) {
  for (std::string_view line : splitLines(file)) {
    auto f = splitFields(line, ':');
    if ((!name.empty() && f[0] == name) || (f.size() > 2 && !id.empty() && f[2] == id)) return true;
  }
  return false;
}

// The group's gid in a group file, or nullopt.
std::optional<std::string> groupId(std::string_view file, std::string_view name) {
  for (std::string_view line : splitLines(file)) {
    auto f = splitFields(line, ':');
    if (f.size() > 2 && f[0] == name) return std::string(f[2]);
  }
  return std::nullopt;
}

bool isNumber(std::string_view s) {
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

std::string passwdLine(const api::SpecGenerator& spec, const std::string& user, const std::string& uid,
                       const std::string& gid, const std::string& gecos, const std::string& home) {
  if (spec.passwd_entry.empty()) return fmt::format("{}:*:{}:{}:{}:{}:/bin/sh\n", user, uid, gid, gecos, home);
  std::string s = spec.passwd_entry;
  auto replaceAll = [&](std::string_view from, const std::string& to) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  };
  replaceAll("$USERNAME", user);
  replaceAll("$UID", uid);
  replaceAll("$GID", gid);
  replaceAll("$NAME", gecos);
  replaceAll("$HOME", home);
  return s + "\n";
}

bool mountCovers(const api::SpecGenerator& spec, const std::string& dest) {
  for (const auto& m : spec.mounts)
    if (m.destination == dest) return true;
  for (const auto& v : spec.volumes)
    if (v.dest == dest) return true;
  for (const auto& v : spec.overlay_volumes)
    if (v.destination == dest) return true;
  return false;
}

// Appends `text` to `path` inside the root (created 0644 when missing); only a regular file.
Status appendInRoot(int root_fd, const std::string& path, const std::string& text) {
  auto fd = sys::openInRoot(root_fd, path, O_WRONLY | O_APPEND | O_NONBLOCK | O_NOCTTY);
  if (!fd.ok() && fd.error().code() == Code::kNotFound)
    fd = sys::openInRoot(root_fd, path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOCTTY, 0644);
  if (!fd.ok()) return std::move(fd).error().context(fmt::format("open {} of the container", path));
  struct stat st;
  if (::fstat(fd->get(), &st) < 0 || !S_ISREG(st.st_mode))
    return makeError(Code::kInvalidArgument, "{} of the container is not a regular file", path);
  return fs::writeAll(fd->get(), text).context(fmt::format("append to {} of the container", path));
}

}  // namespace

Status addContainerUsers(const std::string& rootfs, const UserFiles& files, const api::SpecGenerator& spec,
                         const std::string& workdir, const std::string& static_dir, std::vector<api::Mount>& mounts) {
  if (!spec.manage_password.value_or(true)) return {};
  if (spec.user.empty() && spec.host_users.empty()) return {};
  bool need_passwd = !mountCovers(spec, "/etc/passwd"), need_group = !mountCovers(spec, "/etc/group");
  bool ro = spec.read_only_filesystem.value_or(false);
  // A read-only root's copies are made once, as podman's static-dir files, and bound
  // over the image's files at every start.
  std::vector<std::string> opts = {"bind", "rprivate", "ro", "nosuid", "noexec", "nodev"};
  auto bindCopy = [&](const char* name) {
    mounts.push_back(api::Mount{.destination = std::string("/etc/") + name, .type = "bind",
                                .source = static_dir + "/" + name, .options = opts, .uid_mappings = {},
                                .gid_mappings = {}});
  };
  if (ro && need_passwd && fs::exists(static_dir + "/passwd")) {
    need_passwd = false;
    bindCopy("passwd");
  }
  if (ro && need_group && fs::exists(static_dir + "/group")) {
    need_group = false;
    bindCopy("group");
  }
  if (!need_passwd && !need_group) return {};
  const std::string& passwd = files.passwd;
  const std::string& group = files.group;

  std::string user_part = spec.user, group_part;
  if (auto colon = spec.user.find(':'); colon != std::string::npos) {
    user_part = spec.user.substr(0, colon);
    group_part = spec.user.substr(colon + 1);
  }
  std::string passwd_add, group_add;
  if (need_passwd) {
    for (const auto& hu : spec.host_users) {
      struct passwd pw, *res = nullptr;
      std::vector<char> buf(16384);
      if (isNumber(hu)) ::getpwuid_r(uid_t(std::stoul(hu)), &pw, buf.data(), buf.size(), &res);
      else ::getpwnam_r(hu.c_str(), &pw, buf.data(), buf.size(), &res);
      if (!res) return makeError(Code::kNotFound, "--hostuser {}: no such user on the host", hu);
      std::string uid = std::to_string(pw.pw_uid), gid = std::to_string(pw.pw_gid);
      if (hasEntry(passwd, pw.pw_name, uid)) continue;
      // Its home if that (or a directory above it) is mounted in, else the working directory.
      std::string home = workdir;
      for (std::string d = pw.pw_dir; !d.empty() && d != "/"; d = d.substr(0, d.rfind('/')))
        if (mountCovers(spec, d)) {
          home = pw.pw_dir;
          break;
        }
      passwd_add += passwdLine(spec, pw.pw_name, uid, gid, pw.pw_gecos ? pw.pw_gecos : "", home);
    }
    if (isNumber(user_part) && !hasEntry(passwd, "", user_part)) {
      std::string gid = "0";
      if (!group_part.empty()) {
        if (isNumber(group_part)) {
          gid = group_part;
        } else if (auto g = groupId(group, group_part)) {
          gid = *g;
        } else {
          return makeError(Code::kInvalidArgument, "unable to find group {}: no matching entries in group file",
                           group_part);
        }
      }
      passwd_add += passwdLine(spec, user_part, user_part, gid, "container user", workdir);
    }
  }
  if (need_group && !spec.user.empty()) {
    std::string g = group_part.empty() ? user_part : group_part;
    if (isNumber(g) && !hasEntry(group, "", g)) group_add = fmt::format("{}:x:{}:{}\n", g, g, user_part);
  }
  if (passwd_add.empty() && group_add.empty()) return {};
  if (!ro) {
    UniqueFd root = TRY(sys::openRoot(rootfs));
    // A file the container cannot take an entry in (a link to nowhere in its root, a
    // directory) costs the entry, not the start: the user runs without it, as it would
    // with --passwd=false.
    for (auto [path, text] : {std::pair{"/etc/passwd", &passwd_add}, std::pair{"/etc/group", &group_add}})
      if (!text->empty())
        if (Status st = appendInRoot(root.get(), path, *text); !st.ok())
          LOG_WARN("not adding {} to {}: {}", text->substr(0, text->find(':')), path, st.error().what());
    return {};
  }
  if (!passwd_add.empty()) {
    TRY(fs::writeFileReplace(static_dir + "/passwd", passwd + passwd_add, 0644));
    bindCopy("passwd");
  }
  if (!group_add.empty()) {
    TRY(fs::writeFileReplace(static_dir + "/group", group + group_add, 0644));
    bindCopy("group");
  }
  return {};
}

}  // namespace berth::engine
