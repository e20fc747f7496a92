// A container layer's changes against its image: `diff`'s A/C/D list and `commit`'s layer tar.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "copy/tree.h"

namespace berth::copy {

struct Change {
  enum Kind { kModify, kAdd, kDelete };
  std::string path;  // absolute in the container ("/etc/x")
  Kind kind;
};
char changeLetter(Change::Kind k);  // 'C', 'A', 'D'

// Files the runtime creates as mount points or bind targets ("/etc/hosts",
// "/proc", ...): podman leaves them out of diff (libpod/diff.go initInodes).
bool isInitInode(std::string_view path);

// containers/storage's OverlayChanges: walks the overlay upper dir `upper`
// in name order against the lower layer dirs (`lowers`, topmost first).
// Whiteouts (0/0 char devices) are deletions, an opaque directory that hid a
// lower one is a deletion followed by its new contents; an entry present
// below is a modification (a directory only when its size, mode or mtime
// differs); parents of additions and deletions are listed as modified.
Result<std::vector<Change>> overlayChanges(const std::vector<std::string>& lowers, const std::string& upper);

// The naive (vfs) diff of two full trees: entries of `layer` missing from
// `base` are additions, entries whose type, mode, owner, size, mtime or link
// target differ are modifications, entries of `base` missing from `layer`
// deletions; parents as in overlayChanges.
Result<std::vector<Change>> naiveChanges(const std::string& base, const std::string& layer);

// Sends the overlay upper dir `upper` as a layer: whiteouts become ".wh.NAME"
// members, an opaque directory gets a ".wh..wh..opq" member, trusted.overlay
// xattrs are dropped, and runtime mount points (empty init inodes) are left
// out. Calls sink.finish().
Status overlayLayerTar(const std::string& upper, Sink& sink);

// Sends the naive diff `changes` of `layer` against its base as a layer:
// added and modified entries from `layer`, ".wh.NAME" for deletions.
Status naiveLayerTar(const std::string& layer, const std::vector<Change>& changes, Sink& sink);

}  // namespace berth::copy
