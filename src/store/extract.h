// Safe layer extraction: a (compressed) tar stream unpacked under a directory fd, never outside it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/content_store.h"
#include "store/decompress.h"

namespace berth::store {

struct LayerDigests {
  std::string compressed_digest;  // "sha256:..." of the blob exactly as read
  uint64_t compressed_size = 0;
  std::string diff_id;  // "sha256:..." of the uncompressed tar stream
  uint64_t diff_size = 0;
  bool has_root = false;  // the tar had an entry for the root directory itself ("./")
};

// How whiteouts (`.wh.<name>`, `.wh..wh..opq`) are materialised.
enum class WhiteoutMode {
  kOverlay,  // as overlayfs expects: a 0/0 char device, or trusted.overlay.opaque=y on the dir
  kVfs,      // applied: the named entry (or the dir's older children) is deleted
};

// Splits a tar entry name into components: leading "/" and "./" and any "."
// or empty components are dropped (absolute names are relative to the layer
// root, as tar does). A ".." component is refused: kInvalidArgument
// "path escapes the layer root". An empty result names the root itself.
Result<std::vector<std::string>> splitEntryName(std::string_view name);

// Reads `blob` to EOF in one pass: hashes it, decompresses it (gzip, zstd or
// plain, by magic), hashes the tar stream and unpacks it into `target_dir`,
// which must exist. Only tar formats are accepted. Every path is resolved
// beneath an fd of `target_dir` with openat2(RESOLVE_IN_ROOT |
// RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS): an entry whose name has a ".."
// component, whose parent passes through a symlink, or a hardlink whose target
// is missing from the layer is refused, and nothing is written outside
// `target_dir`. Symlinks are created verbatim and never followed. Ownership,
// modes (setuid/setgid/sticky included), xattrs (except trusted.overlay.*,
// which only whiteouts may produce) and times are applied; xattrs the file
// system refuses (ENOTSUP, EPERM) are skipped as containers/storage does.
//
// Errors name the entry (`layer entry "../x": path escapes the layer root`):
// kInvalidArgument for a hostile or malformed entry, kDataLoss for a corrupt
// stream, the errno's code for a failed syscall. On error `target_dir` holds
// a partial layer; the caller removes it.
Result<LayerDigests> extractLayer(const Reader& blob, const std::string& target_dir,
                                  WhiteoutMode mode);

}  // namespace berth::store
