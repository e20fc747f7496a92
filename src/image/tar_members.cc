// One streaming pass over an image archive tar with libarchive, reading from a store::Reader.
#include "image/tar_members.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <optional>
#include <vector>

#include "base/digest.h"

namespace berth::image {
namespace {

constexpr size_t kHeadSize = 8;
constexpr int kMaxLinkHops = 16;
constexpr std::string_view kBlobPrefix = "blobs/sha256/";

// libarchive's read callback state: pulls from the Reader, keeps its error.
struct Source {
  const store::Reader* in = nullptr;
  std::vector<char> buf = std::vector<char>(1 << 20);
  std::optional<Error> error;
};

la_ssize_t readCallback(struct archive* a, void* data, const void** out) {
  auto* src = static_cast<Source*>(data);
  Result<size_t> n = (*src->in)(src->buf.data(), src->buf.size());
  if (!n.ok()) {
    src->error = n.error();
    archive_set_error(a, EIO, "%s", n.error().what().c_str());
    return -1;
  }
  *out = src->buf.data();
  return la_ssize_t(*n);
}

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};

// "sha256:<hex>" when `name` is blobs/sha256/<64 hex>, else empty.
std::string blobDigestFromName(std::string_view name) {
  if (name.substr(0, kBlobPrefix.size()) != kBlobPrefix) return {};
  std::string digest = "sha256:" + std::string(name.substr(kBlobPrefix.size()));
  return validateDigest(digest).ok() ? digest : std::string();
}

std::string_view dirName(std::string_view name) {
  size_t slash = name.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : name.substr(0, slash);
}

}  // namespace

std::string cleanMemberName(std::string_view name) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    if (slash == std::string_view::npos) slash = name.size();
    std::string_view part = name.substr(start, slash - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = slash + 1;
  }
  std::string out;
  for (auto p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

TarMember* TarMembers::findMutable(std::string_view name) {
  std::string current = cleanMemberName(name);
  for (int hop = 0; hop <= kMaxLinkHops; ++hop) {
    auto it = members.find(current);
    if (it == members.end()) return nullptr;
    if (it->second.kind != TarMember::Kind::kLink) return &it->second;
    current = it->second.link;
  }
  return nullptr;
}

const TarMember* TarMembers::find(std::string_view name) const {
  return const_cast<TarMembers*>(this)->findMutable(name);
}

Result<store::BlobInfo> TarMembers::blob(std::string_view name, store::ContentStore& cs,
                                         std::string_view expected_digest) {
  TarMember* m = findMutable(name);
  if (m == nullptr)
    return makeError(Code::kInvalidArgument, "archive member {:?} is missing", std::string(name));
  if (m->kind == TarMember::Kind::kBytes) {
    m->blob =
        TRY_CTX(cs.writeBytes(m->bytes, expected_digest), "archive member {:?}", std::string(name));
    m->kind = TarMember::Kind::kBlob;
    m->bytes.clear();
    m->bytes.shrink_to_fit();
  }
  if (!expected_digest.empty() && m->blob.digest != expected_digest)
    return makeError(Code::kDataLoss, "archive member {:?}: digest mismatch: expected {}, got {}",
                     std::string(name), std::string(expected_digest), m->blob.digest);
  return m->blob;
}

Result<std::string> TarMembers::bytes(std::string_view name, const store::ContentStore& cs) const {
  const TarMember* m = find(name);
  if (m == nullptr)
    return makeError(Code::kInvalidArgument, "archive member {:?} is missing", std::string(name));
  if (m->kind == TarMember::Kind::kBytes) return m->bytes;
  return cs.readAll(m->blob.digest);
}

Result<TarMembers> scanTar(const store::Reader& in, store::ContentStore& cs) {
  std::unique_ptr<struct archive, ArchiveDeleter> a(archive_read_new());
  if (!a) return makeError(Code::kInternal, "archive_read_new failed");
  // Only the compressions image archives use: fewer codecs linked, less startup cost.
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_filter_xz(a.get());
  archive_read_support_filter_bzip2(a.get());
  archive_read_support_format_tar(a.get());
  Source src;
  src.in = &in;
  // Turns a libarchive failure into an Error, preferring the Reader's own.
  auto fail = [&](Code code, std::string_view what) -> Error {
    if (src.error) return Error(*src.error).context(what);
    const char* msg = archive_error_string(a.get());
    return makeError(code, "{}: {}", what, msg ? msg : "unknown libarchive error");
  };
  if (archive_read_open(a.get(), &src, nullptr, readCallback, nullptr) != ARCHIVE_OK)
    return fail(Code::kInvalidArgument, "open archive");

  TarMembers out;
  uint64_t in_memory = 0;
  bool first = true;
  for (;;) {
    struct archive_entry* entry = nullptr;
    int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN)
      return fail(first ? Code::kInvalidArgument : Code::kDataLoss,
                  first ? "not a tar archive" : "read archive");
    first = false;
    const char* raw_name = archive_entry_pathname(entry);
    std::string name = cleanMemberName(raw_name ? raw_name : "");
    if (name.empty()) continue;
    TarMember member;
    if (const char* hard = archive_entry_hardlink(entry)) {
      member.kind = TarMember::Kind::kLink;
      member.link = cleanMemberName(hard);
      out.members[name] = std::move(member);
      continue;
    }
    mode_t type = archive_entry_filetype(entry);
    if (type == AE_IFLNK) {
      const char* target = archive_entry_symlink(entry);
      std::string_view t = target ? target : "";
      member.kind = TarMember::Kind::kLink;
      member.link = (!t.empty() && t.front() == '/')
                        ? cleanMemberName(t)
                        : cleanMemberName(std::string(dirName(name)) + "/" + std::string(t));
      out.members[name] = std::move(member);
      continue;
    }
    if (type != AE_IFREG) continue;

    int64_t size = archive_entry_size_is_set(entry) ? archive_entry_size(entry) : -1;
    store::Reader data = [&](char* buf, size_t n) -> Result<size_t> {
      la_ssize_t got = archive_read_data(a.get(), buf, n);
      if (got < 0) return fail(Code::kDataLoss, fmt::format("read archive member {:?}", name));
      if (member.head.size() < kHeadSize)
        member.head.append(buf, std::min<size_t>(size_t(got), kHeadSize - member.head.size()));
      return size_t(got);
    };
    std::string digest = blobDigestFromName(name);
    if (!digest.empty() || size < 0 || uint64_t(size) > kSmallMember) {
      member.kind = TarMember::Kind::kBlob;
      // A blob already stored is drained through `data` too, so `head` is always filled.
      member.blob = TRY_CTX(cs.write(data, digest, size), "archive member {:?}", name);
    } else {
      in_memory += uint64_t(size);
      if (in_memory > kMaxInMemory)
        return makeError(Code::kInvalidArgument,
                         "archive holds more than {} bytes of small members", kMaxInMemory);
      member.bytes.resize(size_t(size));
      size_t off = 0;
      for (;;) {
        size_t n = TRY(data(member.bytes.data() + off, member.bytes.size() - off));
        if (n == 0) break;
        off += n;
        if (off == member.bytes.size()) {
          char extra;
          if (TRY(data(&extra, 1)) != 0)
            return makeError(Code::kDataLoss, "archive member {:?} is larger than its header",
                             name);
          break;
        }
      }
      if (off != member.bytes.size())
        return makeError(Code::kDataLoss, "archive member {:?} is truncated", name);
    }
    out.members[name] = std::move(member);
  }
  return out;
}

}  // namespace berth::image
