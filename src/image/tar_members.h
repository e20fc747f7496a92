// One streaming pass over an image archive tar: small members kept in memory, blobs into the store.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "base/result.h"
#include "store/content_store.h"

namespace berth::image {

// Members up to this size that are not named blobs/sha256/<hex> stay in memory.
inline constexpr uint64_t kSmallMember = 1 << 20;
// Total in-memory bytes an archive may hold before it is refused.
inline constexpr uint64_t kMaxInMemory = 256ull << 20;

struct TarMember {
  enum class Kind { kBytes, kBlob, kLink };
  Kind kind = Kind::kBytes;
  std::string bytes;     // kBytes: the content
  store::BlobInfo blob;  // kBlob: the content, stored
  std::string head;      // kBytes/kBlob: the first bytes, for compression detection
  std::string link;      // kLink: the target member's cleaned name
};

// The archive's regular files and links by cleaned name ("./a//b" -> "a/b").
class TarMembers {
 public:
  // Follows links (symlinks relative to the member's directory, hardlinks
  // from the archive root). nullptr when absent, dangling or looping.
  const TarMember* find(std::string_view name) const;
  bool has(std::string_view name) const { return find(name) != nullptr; }

  // Returns the member's content as a stored blob: kBlob members are already
  // stored, kBytes members are written now (memoised). A non-empty
  // `expected_digest` must match (kDataLoss naming both). kInvalidArgument
  // when the member is missing.
  Result<store::BlobInfo> blob(std::string_view name, store::ContentStore& cs,
                               std::string_view expected_digest = {});
  // The member's content in memory (kBlob members read back from `cs`).
  Result<std::string> bytes(std::string_view name, const store::ContentStore& cs) const;

  std::map<std::string, TarMember, std::less<>> members;

 private:
  TarMember* findMutable(std::string_view name);
};

// Lexically cleans a member name: drops "", "." and leading "/" components,
// resolves ".." without ever going above the root.
std::string cleanMemberName(std::string_view name);

// Reads the tar (any compression libarchive detects) from `in` once.
// Members named blobs/sha256/<hex> and members larger than kSmallMember are
// streamed into `cs` (the former verified against their name: kDataLoss);
// the rest are kept in memory. Directories and special files are skipped.
// Errors: kInvalidArgument when `in` is not a tar or holds too much small
// data; kDataLoss for a corrupt or truncated stream; `in`'s own errors.
Result<TarMembers> scanTar(const store::Reader& in, store::ContentStore& cs);

}  // namespace berth::image
