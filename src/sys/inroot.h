// Files inside a container's root filesystem or a volume, resolved as if that directory were "/".
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "base/fd.h"
#include "base/result.h"

namespace berth::sys {

// Size cap for the small configuration files berth reads from an image or a
// container (passwd, group): a real one is a few KiB.
inline constexpr size_t kMaxRootConfigFile = 4 << 20;

// Opens the directory `root` (a trusted host path) as the anchor of in-root
// lookups. Errors: the open's (kNotFound for a missing root).
Result<UniqueFd> openRoot(const std::string& root);

// Opens `path` beneath `root_fd` with openat2(RESOLVE_IN_ROOT |
// RESOLVE_NO_MAGICLINKS): absolute symlinks and ".." resolve against the
// root and can never leave it; /proc magic links are refused. A relative
// `path` is taken from the root too. O_CLOEXEC is always added. Errors:
// kNotFound for a missing entry or a component that is not a directory,
// kInvalidArgument for a symlink loop or a magic link, else the errno's code.
// `mode` is the new file's mode with O_CREAT.
Result<UniqueFd> openInRoot(int root_fd, std::string_view path, int flags, mode_t mode = 0);

// stat(2) of `path` inside the root, following symlinks inside it. Nothing is
// opened for reading, so a FIFO or device costs nothing. Errors as openInRoot.
Result<struct stat> statInRoot(int root_fd, std::string_view path);

// Opens a regular file inside the root for reading. The entry is looked up
// with O_PATH and checked to be S_ISREG before it is opened for reading, so a
// FIFO, socket or device is refused without being opened (no hang, no side
// effect); the read fd is O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC.
// Errors: kInvalidArgument "not a regular file", else as openInRoot.
Result<UniqueFd> openRegularInRoot(int root_fd, std::string_view path);

// Reads the regular file `path` inside `root` whole. kInvalidArgument when it
// is not a regular file or holds more than `max_bytes` (checked while reading
// too, so a file that grows is cut off); kNotFound when it does not exist.
// Messages name `path` as seen inside the root.
Result<std::string> readFileInRoot(int root_fd, std::string_view path, size_t max_bytes);
Result<std::string> readFileInRoot(const std::string& root, std::string_view path,
                                   size_t max_bytes);

}  // namespace berth::sys
