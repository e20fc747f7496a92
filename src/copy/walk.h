// Reading a tree inside a root into a Sink (buildah copier's Get, as podman cp uses it).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "copy/tree.h"

namespace berth::copy {

struct GetOptions {
  // A directory is sent with its own name as the top of the stream ("dir",
  // "dir/a", ...); otherwise only its contents ("a", ...).
  bool keep_directory_names = false;
  std::map<std::string, std::string> rename;  // applyRename on every member name
  std::optional<IdPair> chown;                // owner written for every member
  // In-root paths relative to the root ("dev", "proc") left out with all below them.
  std::vector<std::string> excludes;
  bool deref_top = true;  // a top-level symlink is followed (in the root) instead of sent as a link
  bool xattrs = true;
  // trusted.overlay.* xattrs (whiteout markers of an overlay upper dir) are
  // normally left out; a layer diff needs them.
  bool keep_overlay_xattrs = false;
  // The member name of the top item (its base name by default): a caller that
  // resolved a link itself passes the link's name.
  std::string top_name;
};

// Sends the item at the absolute in-root `path` (its parents' links resolved
// in the root; "/x/." means the directory x) to `sink`, then calls
// sink.finish(). A directory is walked without following links, in name
// order, skipping sockets; hardlinked files after the first become
// kHardlink entries. A non-directory is one member named after the last
// component of `path`. Errors: kNotFound "no such file or directory" for a
// missing item, an errno's error naming the in-root path, or the sink's.
Status getTree(int root_fd, std::string_view path, const GetOptions& opts, Sink& sink);

// Go-style ("file exists", lower case) error for errno `e` on in-root `what`.
Error goSysError(int e, std::string_view op, std::string_view path);

}  // namespace berth::copy
