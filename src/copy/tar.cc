// Tar sink and source over libarchive: libarchive parses and formats headers, paths are the sinks' business.
#include "copy/tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

namespace berth::copy {

namespace {

struct WriteDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
struct ReadDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
struct EntryDeleter {
  void operator()(struct archive_entry* e) const { archive_entry_free(e); }
};

class TarSink : public Sink {
 public:
  explicit TarSink(int fd) : fd_(fd) {}

  Status add(const Entry& e, Content* content) override {
    TRY(openIfNeeded());
    std::unique_ptr<struct archive_entry, EntryDeleter> ae(archive_entry_new());
    std::string name = e.name;
    if (e.type == EntryType::kDir && !name.empty() && name.back() != '/') name += '/';
    archive_entry_set_pathname(ae.get(), name.c_str());
    unsigned type = AE_IFREG;
    switch (e.type) {
      case EntryType::kFile: type = AE_IFREG; break;
      case EntryType::kDir: type = AE_IFDIR; break;
      case EntryType::kSymlink: type = AE_IFLNK; break;
      case EntryType::kHardlink: type = AE_IFREG; break;
      case EntryType::kChar: type = AE_IFCHR; break;
      case EntryType::kBlock: type = AE_IFBLK; break;
      case EntryType::kFifo: type = AE_IFIFO; break;
    }
    archive_entry_set_filetype(ae.get(), type);
    archive_entry_set_perm(ae.get(), e.mode & 07777);
    archive_entry_set_uid(ae.get(), e.uid);
    archive_entry_set_gid(ae.get(), e.gid);
    archive_entry_set_mtime(ae.get(), e.mtime.tv_sec, e.mtime.tv_nsec);
    if (e.atime.tv_sec || e.atime.tv_nsec) archive_entry_set_atime(ae.get(), e.atime.tv_sec, e.atime.tv_nsec);
    if (e.type == EntryType::kSymlink) archive_entry_set_symlink(ae.get(), e.link.c_str());
    if (e.type == EntryType::kHardlink) archive_entry_set_hardlink(ae.get(), e.link.c_str());
    if (e.type == EntryType::kChar || e.type == EntryType::kBlock) {
      archive_entry_set_rdevmajor(ae.get(), e.dev_major);
      archive_entry_set_rdevminor(ae.get(), e.dev_minor);
    }
    for (auto& [k, v] : e.xattrs) archive_entry_xattr_add_entry(ae.get(), k.c_str(), v.data(), v.size());
    int64_t size = e.type == EntryType::kFile ? e.size : 0;
    archive_entry_set_size(ae.get(), size);
    if (archive_write_header(a_.get(), ae.get()) < ARCHIVE_WARN) return err("write tar header for " + e.name);
    if (size == 0) return {};
    if (!content) return makeError(Code::kInternal, "tar member {} has no content", e.name);
    int64_t left = size;
    buf_.resize(256 * 1024);
    while (left > 0) {
      size_t want = size_t(std::min<int64_t>(left, int64_t(buf_.size())));
      size_t n;
      if (content->fd >= 0) {
        ssize_t r = ::read(content->fd, buf_.data(), want);
        if (r < 0) {
          if (errno == EINTR) continue;
          return errnoError("read {}", e.name);
        }
        n = size_t(r);
      } else {
        n = TRY(content->read(buf_.data(), want));
      }
      if (n == 0) return makeError(Code::kDataLoss, "{}: content ended {} bytes early", e.name, left);
      if (archive_write_data(a_.get(), buf_.data(), n) < 0) return err("write tar data for " + e.name);
      left -= int64_t(n);
    }
    return {};
  }

  Status finish() override {
    TRY(openIfNeeded());
    if (archive_write_close(a_.get()) != ARCHIVE_OK) return err("close tar stream");
    return {};
  }

 private:
  Status openIfNeeded() {
    if (a_) return {};
    a_.reset(archive_write_new());
    if (!a_) return makeError(Code::kInternal, "archive_write_new failed");
    archive_write_set_format_pax_restricted(a_.get());
    archive_write_set_bytes_per_block(a_.get(), 10240);
    archive_write_set_bytes_in_last_block(a_.get(), 1);
    if (archive_write_open_fd(a_.get(), fd_) != ARCHIVE_OK) return err("open tar stream");
    return {};
  }
  Error err(const std::string& what) {
    int e = archive_errno(a_.get());
    const char* s = archive_error_string(a_.get());
    return Error(e ? codeFromErrno(e) : Code::kInternal, fmt::format("{}: {}", what, s ? s : "unknown error"));
  }

  int fd_;
  std::unique_ptr<struct archive, WriteDeleter> a_;
  std::vector<char> buf_;
};

}  // namespace

std::unique_ptr<Sink> tarSink(int fd) { return std::make_unique<TarSink>(fd); }

Status readTar(int fd, Sink& sink) {
  std::unique_ptr<struct archive, ReadDeleter> a(archive_read_new());
  if (!a) return makeError(Code::kInternal, "archive_read_new failed");
  // podman's cp (DecompressStream) and Docker's archive API take these compressions.
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_bzip2(a.get());
  archive_read_support_filter_xz(a.get());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  auto fail = [&](Code c, std::string_view what) {
    const char* s = archive_error_string(a.get());
    return Error(c, fmt::format("{}: {}", what, s ? s : "unknown error"));
  };
  if (archive_read_open_fd(a.get(), fd, 256 * 1024) != ARCHIVE_OK)
    return fail(Code::kInvalidArgument, "not a (compressed) tar archive");
  bool first = true;
  for (;;) {
    struct archive_entry* ae = nullptr;
    int r = archive_read_next_header(a.get(), &ae);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN)
      return fail(first ? Code::kInvalidArgument : Code::kDataLoss,
                  first ? "not a (compressed) tar archive" : "read tar stream");
    first = false;
    Entry e;
    const char* name = archive_entry_pathname(ae);
    e.name = name ? name : "";
    mode_t ft = archive_entry_filetype(ae);
    const char* hl = archive_entry_hardlink(ae);
    if (hl && *hl) {
      e.type = EntryType::kHardlink;
      e.link = hl;
    } else if (ft == AE_IFDIR) {
      e.type = EntryType::kDir;
    } else if (ft == AE_IFLNK) {
      e.type = EntryType::kSymlink;
      const char* sl = archive_entry_symlink(ae);
      e.link = sl ? sl : "";
    } else if (ft == AE_IFCHR || ft == AE_IFBLK) {
      e.type = ft == AE_IFCHR ? EntryType::kChar : EntryType::kBlock;
      e.dev_major = archive_entry_rdevmajor(ae);
      e.dev_minor = archive_entry_rdevminor(ae);
    } else if (ft == AE_IFIFO) {
      e.type = EntryType::kFifo;
    } else if (ft == AE_IFREG || ft == 0) {
      e.type = EntryType::kFile;
    } else {
      continue;  // sockets and unknown types carry nothing to create
    }
    e.mode = archive_entry_perm(ae) & 07777;
    e.uid = uint32_t(archive_entry_uid(ae));
    e.gid = uint32_t(archive_entry_gid(ae));
    e.mtime = {archive_entry_mtime(ae), archive_entry_mtime_nsec(ae)};
    if (archive_entry_atime_is_set(ae)) e.atime = {archive_entry_atime(ae), archive_entry_atime_nsec(ae)};
    e.size = e.type == EntryType::kFile ? archive_entry_size(ae) : 0;
    if (archive_entry_xattr_reset(ae) > 0) {
      const char* xn;
      const void* xv;
      size_t xs;
      while (archive_entry_xattr_next(ae, &xn, &xv, &xs) == ARCHIVE_OK)
        e.xattrs.emplace_back(xn, std::string(static_cast<const char*>(xv), xs));
    }
    if (e.type != EntryType::kFile) {
      TRY(sink.add(e, nullptr));
      continue;
    }
    int64_t left = e.size;
    Content c;
    c.read = [&](char* buf, size_t n) -> Result<size_t> {
      if (left <= 0) return size_t(0);
      la_ssize_t got = archive_read_data(a.get(), buf, std::min<size_t>(n, size_t(left)));
      if (got < 0) return fail(Code::kDataLoss, "read tar member " + e.name);
      left -= got;
      return size_t(got);
    };
    TRY(sink.add(e, &c));
  }
  return sink.finish();
}

}  // namespace berth::copy
