// A deterministic tar writer over libarchive.
#include "image/tar_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

namespace berth::image {

TarWriter::~TarWriter() {
  if (a_ != nullptr) archive_write_free(a_);
}

Error TarWriter::archiveError(std::string_view what) const {
  const char* msg = archive_error_string(a_);
  int e = archive_errno(a_);
  return Error(e > 0 ? codeFromErrno(e) : Code::kInternal,
               fmt::format("{}: {}", what, msg ? msg : "unknown libarchive error"), e > 0 ? e : 0);
}

Status TarWriter::open() {
  a_ = archive_write_new();
  if (a_ == nullptr) return makeError(Code::kInternal, "archive_write_new failed");
  if (archive_write_set_format_pax_restricted(a_) != ARCHIVE_OK)
    return archiveError("set tar format");
  // No zero padding to a 10 KiB block after the trailer: the output is then
  // the same whether fd_ is a file or a pipe, as Go's archive/tar writes it.
  archive_write_set_bytes_in_last_block(a_, 1);
  if (archive_write_open_fd(a_, fd_) != ARCHIVE_OK) return archiveError("open tar output");
  return {};
}

Status TarWriter::writeHeader(std::string_view name, unsigned type, unsigned perm, uint64_t size,
                              std::string_view symlink) {
  std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(),
                                                                         archive_entry_free);
  std::string n(name);
  archive_entry_set_pathname(e.get(), n.c_str());
  archive_entry_set_filetype(e.get(), type);
  archive_entry_set_perm(e.get(), perm);
  archive_entry_set_size(e.get(), int64_t(size));
  archive_entry_set_uid(e.get(), 0);
  archive_entry_set_gid(e.get(), 0);
  archive_entry_set_mtime(e.get(), 0, 0);
  std::string target(symlink);
  if (type == AE_IFLNK) archive_entry_set_symlink(e.get(), target.c_str());
  if (archive_write_header(a_, e.get()) != ARCHIVE_OK)
    return archiveError(fmt::format("write tar header {:?}", n));
  return {};
}

Status TarWriter::addDir(std::string_view name) {
  std::string n(name);
  if (n.empty() || n.back() != '/') n += '/';
  return writeHeader(n, AE_IFDIR, 0755, 0);
}

Status TarWriter::addBytes(std::string_view name, std::string_view data) {
  TRY(writeHeader(name, AE_IFREG, 0444, data.size()));
  size_t off = 0;
  while (off < data.size()) {
    la_ssize_t n = archive_write_data(a_, data.data() + off, data.size() - off);
    if (n <= 0) return archiveError(fmt::format("write tar member {:?}", std::string(name)));
    off += size_t(n);
  }
  return {};
}

Status TarWriter::addFd(std::string_view name, int fd, uint64_t size, unsigned perm) {
  TRY(writeHeader(name, AE_IFREG, perm, size));
  std::vector<char> buf(1 << 20);
  uint64_t off = 0;
  while (off < size) {
    size_t want = size_t(std::min<uint64_t>(buf.size(), size - off));
    ssize_t r = ::pread(fd, buf.data(), want, off_t(off));
    if (r < 0) {
      if (errno == EINTR) continue;
      return errnoError("read data for tar member {:?}", std::string(name));
    }
    if (r == 0)
      return makeError(Code::kDataLoss, "tar member {:?}: source ended after {} of {} bytes",
                       std::string(name), off, size);
    size_t done = 0;
    while (done < size_t(r)) {
      la_ssize_t n = archive_write_data(a_, buf.data() + done, size_t(r) - done);
      if (n <= 0) return archiveError(fmt::format("write tar member {:?}", std::string(name)));
      done += size_t(n);
    }
    off += uint64_t(r);
  }
  return {};
}

Status TarWriter::addSymlink(std::string_view name, std::string_view target) {
  return writeHeader(name, AE_IFLNK, 0, 0, target);
}

Status TarWriter::close() {
  if (archive_write_close(a_) != ARCHIVE_OK) return archiveError("finish tar");
  return {};
}

}  // namespace berth::image
