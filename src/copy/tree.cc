// Shared pieces of tree copying: renames, member-name cleaning, in-kernel content copy.
#include "copy/tree.h"

#include <sys/sendfile.h>
#include <unistd.h>

#include <vector>

#include "base/fs.h"
#include "copy/resolve.h"

namespace berth::copy {

namespace {

// Go's path.Join for two parts, cleaned, relative when both are.
std::string joinClean(const std::string& a, const std::string& b) {
  if (a.empty()) return b.empty() ? "" : cleanRelative(b);
  bool abs = a[0] == '/';
  std::string c = cleanAbs(a + "/" + b);
  return abs ? c : (c == "/" ? "." : c.substr(1));
}

// Go's path.Split: everything up to and including the last '/', and the rest.
std::pair<std::string, std::string> splitLast(const std::string& p) {
  auto slash = p.rfind('/');
  if (slash == std::string::npos) return {"", p};
  return {p.substr(0, slash + 1), p.substr(slash + 1)};
}

}  // namespace

std::string applyRename(const std::map<std::string, std::string>& rename, const std::string& name) {
  if (rename.empty()) return name;
  if (auto it = rename.find(name); it != rename.end()) return it->second;
  auto [prefix, remainder] = splitLast(name);
  while (!prefix.empty()) {
    if (auto it = rename.find(prefix); it != rename.end()) return joinClean(it->second, remainder);
    if (prefix.back() == '/') {
      prefix.pop_back();
      if (auto it = rename.find(prefix); it != rename.end()) return joinClean(it->second, remainder);
    }
    auto [np, middle] = splitLast(prefix);
    if (np == prefix) return name;
    prefix = np;
    remainder = joinClean(middle, remainder);
  }
  return name;
}

std::string cleanRelative(std::string_view name) {
  std::string c = cleanAbs("/" + std::string(name));
  return c == "/" ? "." : c.substr(1);
}

Status copyContent(Content& content, int64_t size, int out_fd) {
  int64_t left = size;
  if (content.fd >= 0) {
    bool try_cfr = true;
    while (left > 0) {
      ssize_t n = -1;
      if (try_cfr) {
        n = ::copy_file_range(content.fd, nullptr, out_fd, nullptr, size_t(std::min<int64_t>(left, 1 << 30)), 0);
        if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP ||
                      errno == EBADF)) {
          try_cfr = false;
          continue;
        }
      } else {
        n = ::sendfile(out_fd, content.fd, nullptr, size_t(std::min<int64_t>(left, 1 << 30)));
        if (n < 0 && (errno == EINVAL || errno == ENOSYS)) break;  // fall back to read/write
      }
      if (n < 0) {
        if (errno == EINTR) continue;
        return errnoError("copy file content");
      }
      if (n == 0) return makeError(Code::kDataLoss, "file shrank while copying: {} bytes missing", left);
      left -= n;
    }
    if (left == 0) return {};
  }
  std::vector<char> buf(256 * 1024);
  while (left > 0) {
    size_t want = size_t(std::min<int64_t>(left, int64_t(buf.size())));
    size_t n;
    if (content.fd >= 0) {
      ssize_t r = ::read(content.fd, buf.data(), want);
      if (r < 0) {
        if (errno == EINTR) continue;
        return errnoError("read file content");
      }
      n = size_t(r);
    } else {
      n = TRY(content.read(buf.data(), want));
    }
    if (n == 0) return makeError(Code::kDataLoss, "file content ended {} bytes early", left);
    TRY(fs::writeAll(out_fd, std::string_view(buf.data(), n)));
    left -= int64_t(n);
  }
  return {};
}

}  // namespace berth::copy
