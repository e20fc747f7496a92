// Content store: write to ingest/, verify digest and size, fsync, rename, fsync dir.
#include "store/content_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <random>

#include "base/digest.h"
#include "base/fs.h"

namespace berth::store {

Reader fdReader(int fd) {
  return [fd](char* buf, size_t n) -> Result<size_t> {
    for (;;) {
      ssize_t r = ::read(fd, buf, n);
      if (r >= 0) return size_t(r);
      if (errno != EINTR) return errnoError("read");
    }
  };
}

ContentStore::ContentStore(std::string root) : root_(std::move(root)) {}

std::string ContentStore::path(std::string_view digest) const {
  return fmt::format("{}/blobs/sha256/{}", root_, digestHex(digest));
}

bool ContentStore::has(std::string_view digest) const {
  if (!validateDigest(digest).ok()) return false;
  return ::access(path(digest).c_str(), F_OK) == 0;
}

Result<uint64_t> ContentStore::size(std::string_view digest) const {
  TRY(validateDigest(digest));
  struct stat st;
  if (::stat(path(digest).c_str(), &st) < 0) return errnoError("blob {}", std::string(digest));
  return uint64_t(st.st_size);
}

Result<UniqueFd> ContentStore::open(std::string_view digest) const {
  TRY(validateDigest(digest));
  return TRY_CTX(fs::openFd(path(digest), O_RDONLY), "blob {}", std::string(digest));
}

Result<std::string> ContentStore::readAll(std::string_view digest) const {
  UniqueFd fd = TRY(open(digest));
  return TRY_CTX(fs::readAll(fd.get()), "blob {}", std::string(digest));
}

BlobWriter::BlobWriter(const ContentStore* cs, std::string tmp, UniqueFd fd, bool hash)
    : cs_(cs), tmp_(std::move(tmp)), fd_(std::move(fd)), hash_(hash ? std::make_unique<Sha256>() : nullptr) {}

BlobWriter::BlobWriter(BlobWriter&& o) noexcept
    : cs_(o.cs_), tmp_(std::move(o.tmp_)), fd_(std::move(o.fd_)), hash_(std::move(o.hash_)),
      total_(o.total_), done_(std::exchange(o.done_, true)) {}

BlobWriter::~BlobWriter() {
  if (!done_ && !tmp_.empty()) ::unlink(tmp_.c_str());
}

Status BlobWriter::write(const char* data, size_t n) {
  if (hash_) hash_->update(data, n);
  total_ += n;
  TRY_CTX(fs::writeAll(fd_.get(), std::string_view(data, n)), "write blob");
  return {};
}

Result<BlobInfo> BlobWriter::commit(std::string_view expected_digest, int64_t expected_size) {
  if (!hash_) {
    if (expected_digest.empty()) return makeError(Code::kInternal, "blob written unhashed needs its digest at commit");
    TRY(validateDigest(expected_digest));
  }
  std::string digest = hash_ ? hash_->digest() : std::string(expected_digest);
  if (!expected_digest.empty() && digest != expected_digest)
    return makeError(Code::kDataLoss, "digest mismatch: expected {}, got {}", std::string(expected_digest), digest);
  if (expected_size >= 0 && uint64_t(expected_size) != total_)
    return makeError(Code::kDataLoss, "size mismatch for {}: expected {} bytes, got {}", digest, expected_size,
                     total_);
  if (!cs_->defer_sync_ && ::fsync(fd_.get()) < 0) return errnoError("fsync {}", tmp_);
  std::string dst = cs_->path(digest);
  // Renamed while still locked: cleanIngest() must not take the file for a dead write.
  if (::rename(tmp_.c_str(), dst.c_str()) < 0) return errnoError("store blob {}", digest);
  fd_.reset();
  done_ = true;
  if (!cs_->defer_sync_) TRY(fs::fsyncDir(cs_->root_ + "/blobs/sha256"));
  return BlobInfo{digest, total_};
}

Result<BlobWriter> ContentStore::beginWrite(HashedBy hashed_by) {
  std::string ingest = root_ + "/blobs/ingest";
  TRY(fs::mkdirAll(ingest, 0700));
  TRY(fs::mkdirAll(root_ + "/blobs/sha256", 0755));
  std::random_device rd;
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string tmp = fmt::format("{}/{:08x}{:08x}", ingest, rd(), rd());
    UniqueFd fd = TRY(fs::openFd(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644));
    if (::flock(fd.get(), LOCK_EX) < 0) return errnoError("lock {}", tmp);
    // cleanIngest() may have removed it between the create and the lock.
    struct stat st;
    if (::fstat(fd.get(), &st) == 0 && st.st_nlink > 0) return BlobWriter(this, tmp, std::move(fd), hashed_by == HashedBy::kWriter);
  }
  return makeError(Code::kUnavailable, "cannot create an ingest file in {}", ingest);
}

Result<BlobInfo> ContentStore::write(const Reader& in, std::string_view expected_digest,
                                     int64_t expected_size) {
  if (!expected_digest.empty()) {
    TRY(validateDigest(expected_digest));
    if (has(expected_digest)) {
      // Already stored: drain the input so callers reading a stream stay in sync.
      char buf[65536];
      for (;;) {
        size_t r = TRY(in(buf, sizeof buf));
        if (r == 0) break;
      }
      return BlobInfo{std::string(expected_digest), TRY(size(expected_digest))};
    }
  }
  BlobWriter w = TRY(beginWrite());
  std::vector<char> buf(1 << 20);
  for (;;) {
    size_t n = TRY(in(buf.data(), buf.size()));
    if (n == 0) break;
    TRY(w.write(buf.data(), n));
  }
  return w.commit(expected_digest, expected_size);
}

Result<BlobInfo> ContentStore::writeBytes(std::string_view data, std::string_view expected) {
  size_t off = 0;
  Reader r = [&](char* buf, size_t n) -> Result<size_t> {
    size_t k = std::min(n, data.size() - off);
    std::memcpy(buf, data.data() + off, k);
    off += k;
    return k;
  };
  return write(r, expected, int64_t(data.size()));
}

Status ContentStore::remove(std::string_view digest) {
  TRY(validateDigest(digest));
  if (::unlink(path(digest).c_str()) < 0 && errno != ENOENT)
    return errnoError("remove blob {}", std::string(digest));
  return {};
}

Result<std::vector<std::string>> ContentStore::list() const {
  std::vector<std::string> out;
  std::string dir = root_ + "/blobs/sha256";
  if (!fs::exists(dir)) return out;
  for (auto& n : TRY(fs::listDir(dir)))
    if (n.size() == 64) out.push_back("sha256:" + n);
  return out;
}

Status ContentStore::syncAll() const {
  UniqueFd fd = TRY(fs::openFd(root_, O_RDONLY | O_DIRECTORY));
  if (::syncfs(fd.get()) < 0) return errnoError("syncfs {}", root_);
  return {};
}

Status ContentStore::cleanIngest() {
  std::string ingest = root_ + "/blobs/ingest";
  auto names = fs::listDir(ingest);
  if (!names.ok()) {
    if (names.error().code() == Code::kNotFound) return {};
    return std::move(names).error().context("clean interrupted blob writes");
  }
  for (const std::string& name : *names) {
    std::string path = ingest + "/" + name;
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd) {
      if (errno == ENOENT) continue;  // committed or removed meanwhile
      if (errno != ELOOP) return errnoError("clean interrupted blob write {}", path);
    } else if (::flock(fd.get(), LOCK_EX | LOCK_NB) < 0) {
      if (errno == EWOULDBLOCK) continue;  // its writer is alive
      return errnoError("lock {}", path);
    }
    // Only writers' files belong here (a symlink or directory is removed as such, never followed).
    TRY_CTX(fs::removeAll(path), "clean interrupted blob write");
  }
  return {};
}

}  // namespace berth::store
