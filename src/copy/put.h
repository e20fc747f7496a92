// Writing a tree into a directory inside a root (buildah copier's Put, as podman cp uses it).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/fd.h"
#include "base/result.h"
#include "copy/tree.h"

namespace berth::copy {

struct PutOptions {
  std::optional<IdPair> chown_dirs;   // owner of every directory written (and created)
  std::optional<IdPair> chown_files;  // owner of every other member
  std::map<std::string, std::string> rename;
  bool no_overwrite_dir_nondir = false;  // a non-directory never replaces a directory
  bool no_overwrite_nondir_dir = false;  // a directory never replaces a non-directory
  bool ignore_devices = false;           // device nodes are skipped
  bool xattrs = true;                    // refused xattrs (ENOTSUP, EPERM) are skipped
};

// Writes members beneath the in-root directory `directory` of `root_fd`.
// Member names are cleaned (no ".." above the directory) and every path is
// opened with openat2(RESOLVE_IN_ROOT): links met on the way resolve inside
// the root, so nothing is ever written outside it. Existing members are
// replaced (subject to the no_overwrite options); directories get their
// modes and times after the last member.
class PutSink : public Sink {
 public:
  // Resolves `directory` in the root (following links there) and creates it
  // with missing parents. Errors: kFailedPrecondition "<dir>: exists but is
  // not a directory", or the errno's.
  static Result<std::unique_ptr<PutSink>> open(int root_fd, std::string_view directory, PutOptions opts);

  Status add(const Entry& e, Content* content) override;
  Status finish() override;

 private:
  PutSink(int root_fd, std::string target, PutOptions opts)
      : root_(root_fd), target_(std::move(target)), o_(std::move(opts)) {}
  // mkdir -p of the in-root `dir` (0700 now, 0755 at finish, default owner);
  // returns an fd of it.
  Result<int> ensureDir(const std::string& dir);
  Status create(const Entry& e, Content* content, int pfd, const std::string& base,
                const std::string& path);
  void dropCache() {
    cached_dir_.clear();
    cached_fd_.reset();
  }
  // Forgets the cached directory fd if it lies at or below `removed`.
  void forget(const std::string& removed) {
    if (cached_dir_ == removed || cached_dir_.rfind(removed + "/", 0) == 0) dropCache();
  }

  int root_;
  std::string target_;
  PutOptions o_;
  std::string cached_dir_;
  UniqueFd cached_fd_;
  struct DirFix {
    std::string path;
    uint32_t mode;
    struct timespec atime, mtime;
    bool times;
  };
  std::vector<DirFix> dirs_;
  std::vector<std::string> ignored_;  // member names skipped (devices), for hardlinks to them
};

}  // namespace berth::copy
