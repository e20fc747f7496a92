// The root as the top of its mount namespace: detection and repair for runtimes run from a chroot.
//
// setns(2) into a mount namespace sets the caller's root to the namespace's
// top (the mounts stacked on its root mount), not to the root of the process
// it joined. When berth runs in a chroot, runc/crun's pivot_root leaves the
// container's rootfs below that top, and `runc exec` (which joins with setns)
// then runs the process on the filesystem around the chroot. Everything that
// creates a container must therefore run where root == namespace top.
#pragma once

#include <sys/types.h>

#include "base/result.h"

namespace berth::sys {

// Whether this process's root is the top of its mount namespace (false in a
// chroot). Forks a short-lived child to look (setns needs a single thread).
// kUnavailable when /proc is not mounted (nothing can be verified then).
Result<bool> rootIsMountNamespaceTop();

// Whether the root of process `pid` is the top of its mount namespace: what
// a process joining that namespace with setns (runc/crun exec) lands on is
// the process's own root. Forks a short-lived child.
Result<bool> processRootIsMountNamespaceTop(pid_t pid);

// For a freshly forked child, before it execs a runtime that creates a
// container: when the root is not its mount namespace's top, moves the
// process into a new mount namespace (slave to the current one, so nothing
// done there reaches it) whose top is a recursive copy of the root, and
// verifies the result. A no-op (apart from one setns) when the root already
// is the top. `cwd` is the directory to return to (absolute, in the root).
// Only async-signal-safe system calls: callable between fork and exec.
// Returns 0 or an errno; on failure *step names the step that failed.
int makeRootMountNamespaceTop(const char* cwd, const char** step) noexcept;

}  // namespace berth::sys
