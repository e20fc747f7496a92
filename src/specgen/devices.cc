// Host device nodes: stat one (--device) or list all (privileged).
#include "specgen/devices.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <filesystem>

namespace berth::specgen {

Result<HostDevice> statDevice(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return errnoError("stat device {}", path);
  HostDevice d;
  d.path = path;
  if (S_ISCHR(st.st_mode)) {
    d.type = 'c';
  } else if (S_ISBLK(st.st_mode)) {
    d.type = 'b';
  } else {
    return makeError(Code::kInvalidArgument, "{} is not a valid device", path);
  }
  d.major = major(st.st_rdev);
  d.minor = minor(st.st_rdev);
  d.file_mode = st.st_mode;
  d.uid = st.st_uid;
  d.gid = st.st_gid;
  return d;
}

Result<std::vector<HostDevice>> listHostDevices() {
  namespace sfs = std::filesystem;
  std::vector<HostDevice> out;
  std::error_code ec;
  sfs::recursive_directory_iterator it("/dev", sfs::directory_options::skip_permission_denied, ec);
  if (ec) return sysError(ec.value(), "list /dev");
  for (; it != sfs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const auto& p = it->path();
    if (p == "/dev/pts" || p == "/dev/shm" || p == "/dev/mqueue") {
      it.disable_recursion_pending();
      continue;
    }
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) continue;
    if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) continue;
    if (p == "/dev/console") continue;  // the runtime provides the console
    HostDevice d;
    d.path = p.string();
    d.type = S_ISCHR(st.st_mode) ? 'c' : 'b';
    d.major = major(st.st_rdev);
    d.minor = minor(st.st_rdev);
    d.file_mode = st.st_mode;
    d.uid = st.st_uid;
    d.gid = st.st_gid;
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace berth::specgen
