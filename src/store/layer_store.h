// Layer store: layers unpacked once per chain ID, complete iff their directory exists.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "store/content_store.h"

namespace berth::store {

enum class Driver { kOverlay, kVfs };

struct LayerInfo {
  std::string chain_id;  // "sha256:..." (OCI image-spec chain ID)
  std::string diff_id;   // "sha256:..." of the uncompressed tar
  std::string parent;    // the parent's chain ID, empty for a base layer
  uint64_t diff_size = 0;
  std::string compressed_digest;  // the blob it was unpacked from
  uint64_t compressed_size = 0;
  std::string created;  // RFC 3339
  std::string link;     // overlay: name of the short symlink <root>/l/<link>; empty for vfs
  std::string path;     // the layer's directory tree: <root>/<chain-hex>/diff
  bool has_root = false;  // its tar set the root directory's mode and owner
};

// What to mount; the mount itself is done by the caller (containerd's
// snapshotters return mounts the same way).
struct MountSpec {
  std::string type;     // "overlay", or "bind" (MS_BIND|MS_REC of `source`)
  std::string source;   // "overlay", or the directory to bind
  std::string options;  // overlay mount data; "bind" for a bind
  // When non-empty, chdir here before mount(2): overlay lowerdirs are given
  // relative to it ("l/<link>") so that long chains fit in one page of data.
  std::string chdir;
};

// OCI image-spec: ChainID(L0) = DiffID(L0); ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)).
std::string chainId(const std::string& parent_chain_id, const std::string& diff_id);

// Layout under `root` (e.g. <graphroot>/overlay or <graphroot>/vfs):
//   <chain-hex>/diff        the layer's files (overlay: its diff with whiteouts
//                           as 0/0 char devices; vfs: the full tree)
//   <chain-hex>/meta.json   {"chain_id","diff_id","parent","diff_size",
//                            "compressed_digest","compressed_size","created","link"}
//   l/<26 chars>            overlay only: symlink to ../<chain-hex>/diff
//   tmp-*                   layers being built or removed (flock-ed by their owner)
// A layer is built in tmp-*, fsynced and renamed into place: its directory
// exists only when it is complete, whatever was killed when.
class LayerStore {
 public:
  LayerStore(std::string root, Driver driver);

  // Returns the layer `blob` produces on top of `parent_chain_id` (empty: a
  // base layer), unpacking it unless it exists. With a non-empty
  // `expected_diff_id` an existing layer is found without reading `blob`;
  // otherwise the blob is unpacked to learn its diff ID. Errors: kNotFound for
  // a missing parent; kDataLoss when the diff ID differs from the expected one
  // (naming both); extractLayer's errors (hostile entries are kInvalidArgument).
  // Concurrent callers for the same layer both succeed with one of the copies.
  Result<LayerInfo> ensure(const std::string& parent_chain_id, const std::string& expected_diff_id,
                           const Reader& blob);

  // kNotFound if absent, kInvalidArgument for a malformed chain ID.
  Result<LayerInfo> get(const std::string& chain_id) const;
  bool exists(const std::string& chain_id) const;
  // Removes the layer; kNotFound if absent, kConflict while another process
  // removes it. Layers are not reference counted here: the caller must not
  // remove a layer that a kept layer (or a container) still stacks on.
  Status remove(const std::string& chain_id);
  Result<std::vector<LayerInfo>> list() const;
  // The chain from `top_chain_id` down to its base layer, top first (mountSpec's order).
  Result<std::vector<std::string>> chainOf(const std::string& top_chain_id) const;

  // The mount for a container root filesystem over the layers `top_first`
  // (topmost layer first, each the parent of the next, the last a base
  // layer: the order of overlay's lowerdir, which stacks left over right).
  // Overlay: options "lowerdir=l/<top>:...:l/<base>,upperdir=<upper>,workdir=<work>",
  // chdir = root; an empty chain mounts an empty lower dir. kInvalidArgument if
  // the data would not fit in a page (4096 bytes) or the chain is out of order.
  // Vfs: `upper` becomes a copy of the top layer (made once, via a temp dir
  // and rename; an existing non-empty `upper` is kept; temp dirs of a copy cut
  // short are removed first, so callers serialise calls per `upper`) and is
  // bind-mounted; `work` is unused.
  Result<MountSpec> mountSpec(const std::vector<std::string>& top_first, const std::string& upper,
                              const std::string& work);

  // Removes what interrupted builds and removals left behind (unlocked tmp-*
  // directories, dangling l/ links). Safe while other processes use the store.
  // Errors: a leftover that cannot be removed (or the store listed).
  Status cleanup();

  const std::string& root() const { return root_; }
  Driver driver() const { return driver_; }

 private:
  std::string layerDir(const std::string& chain_id) const;
  Status ensureLink(const LayerInfo& info);

  std::string root_;
  Driver driver_;
};

// cp -a of the contents of `src` into the existing directory `dst`: ownership,
// modes, xattrs, times, symlinks, device nodes and hardlinks are preserved;
// symlinks are never followed. `dst` gets `src`'s own metadata too.
Status copyTree(const std::string& src, const std::string& dst);

}  // namespace berth::store
