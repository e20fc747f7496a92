// Content store: blobs addressed by sha256 digest, verified on write, shared between images.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/fd.h"
#include "base/digest.h"
#include "base/result.h"

namespace berth::store {

// A pull-style byte source: fills buf, returns bytes read (0 = EOF).
using Reader = std::function<Result<size_t>(char* buf, size_t n)>;
// Adapts an fd to a Reader.
Reader fdReader(int fd);

struct BlobInfo {
  std::string digest;  // "sha256:..."
  uint64_t size = 0;
};

class ContentStore;

// A blob being written: bytes are hashed as they come; commit() verifies the
// digest and size and renames it into place. Destroyed uncommitted, it leaves
// nothing behind. Used to tee a download into the store while it is unpacked.
// Begun with HashedBy::kCaller, it does not hash: the caller hashes the same bytes
// anyway (a layer tar is its own diff ID) and commit() takes its digest as given.
class BlobWriter {
 public:
  BlobWriter(BlobWriter&&) noexcept;
  BlobWriter& operator=(BlobWriter&&) = delete;
  ~BlobWriter();
  Status write(const char* data, size_t n);
  Result<BlobInfo> commit(std::string_view expected_digest = {}, int64_t expected_size = -1);
  uint64_t written() const { return total_; }

 private:
  friend class ContentStore;
  BlobWriter(const ContentStore* cs, std::string tmp, UniqueFd fd, bool hash);
  const ContentStore* cs_;
  std::string tmp_;
  UniqueFd fd_;
  std::unique_ptr<class Sha256> hash_;
  uint64_t total_ = 0;
  bool done_ = false;
};

// Layout: <root>/blobs/sha256/<hex>; writes go to <root>/blobs/ingest/ and are
// renamed into place after the digest and size are verified and fsynced, so a
// blob that exists is always complete and correct (containerd's content store).
// An ingest file is flock-ed by its writer until it is renamed or removed, so
// cleanIngest() in another process tells a live write from a dead one.
class ContentStore {
 public:
  explicit ContentStore(std::string root);

  // Streams `in` into the store. If `expected_digest` is non-empty the content
  // must hash to it (else kDataLoss naming both digests, nothing kept); if
  // `expected_size` >= 0 it must match too. Returns the stored blob's info.
  Result<BlobInfo> write(const Reader& in, std::string_view expected_digest = {},
                         int64_t expected_size = -1);
  Result<BlobInfo> writeBytes(std::string_view data, std::string_view expected_digest = {});
  enum class HashedBy { kWriter, kCaller };
  Result<BlobWriter> beginWrite(HashedBy hashed_by = HashedBy::kWriter);

  bool has(std::string_view digest) const;
  Result<uint64_t> size(std::string_view digest) const;
  Result<std::string> readAll(std::string_view digest) const;
  Result<UniqueFd> open(std::string_view digest) const;
  // Path of a stored blob (exists only if has()).
  std::string path(std::string_view digest) const;
  Status remove(std::string_view digest);
  // Lists the digests of all stored blobs.
  Result<std::vector<std::string>> list() const;
  // Removes what interrupted writes left in ingest/ (their writer died). Safe while
  // other processes write: an ingest file is flock-ed by its live writer and skipped.
  // Errors: only when ingest/ cannot be listed; files that vanish meanwhile are fine.
  Status cleanIngest();
  // With deferred sync, write() skips the per-blob fsync; the caller must
  // call syncAll() before any record refers to the blobs. Bulk ingest (load)
  // uses it so writeback overlaps unpacking instead of stalling each blob.
  void setDeferSync(bool defer) { defer_sync_ = defer; }
  Status syncAll() const;

 private:
  friend class BlobWriter;
  std::string root_;
  bool defer_sync_ = false;
};

}  // namespace berth::store
