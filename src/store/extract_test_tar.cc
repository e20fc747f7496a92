// Test helpers: in-memory tar streams written with libarchive.
#include "store/extract_test_tar.h"

#include <archive.h>
#include <archive_entry.h>

#include <cstring>
#include <memory>
#include <stdexcept>

namespace berth::store::testing {

TarEntry file(std::string name, std::string data, unsigned perm) {
  TarEntry e;
  e.name = std::move(name);
  e.data = std::move(data);
  e.perm = perm;
  return e;
}

TarEntry dir(std::string name, unsigned perm) {
  TarEntry e;
  e.name = std::move(name);
  e.type = AE_IFDIR;
  e.perm = perm;
  return e;
}

TarEntry symlink(std::string name, std::string target) {
  TarEntry e;
  e.name = std::move(name);
  e.type = AE_IFLNK;
  e.perm = 0777;
  e.link = std::move(target);
  return e;
}

TarEntry hardlink(std::string name, std::string target) {
  TarEntry e;
  e.name = std::move(name);
  e.link = std::move(target);
  e.hardlink = true;
  return e;
}

static la_ssize_t appendCallback(struct archive*, void* out, const void* buf, size_t n) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(buf), n);
  return la_ssize_t(n);
}

std::string buildTar(const std::vector<TarEntry>& entries, TarFilter filter) {
  std::string out;
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  // No padding to 10240-byte blocks: the uncompressed stream is the same with or without a filter.
  archive_write_set_bytes_in_last_block(a, 1);
  if (filter == TarFilter::kGzip) archive_write_add_filter_gzip(a);
  if (filter == TarFilter::kZstd) archive_write_add_filter_zstd(a);
  if (archive_write_open(a, &out, nullptr, appendCallback, nullptr) != ARCHIVE_OK)
    throw std::runtime_error(archive_error_string(a));
  for (const TarEntry& t : entries) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, t.name.c_str());
    archive_entry_set_filetype(e, t.type);
    archive_entry_set_perm(e, t.perm);
    archive_entry_set_uid(e, t.uid);
    archive_entry_set_gid(e, t.gid);
    archive_entry_set_mtime(e, t.mtime, 0);
    if (t.type == AE_IFLNK) archive_entry_set_symlink(e, t.link.c_str());
    if (t.hardlink) archive_entry_set_hardlink(e, t.link.c_str());
    if (t.type == AE_IFCHR || t.type == AE_IFBLK) {
      archive_entry_set_rdevmajor(e, t.dev_major);
      archive_entry_set_rdevminor(e, t.dev_minor);
    }
    for (const auto& [k, v] : t.xattrs)
      archive_entry_xattr_add_entry(e, k.c_str(), v.data(), v.size());
    archive_entry_set_size(e, t.type == AE_IFREG && !t.hardlink ? la_int64_t(t.data.size()) : 0);
    if (archive_write_header(a, e) != ARCHIVE_OK) throw std::runtime_error(archive_error_string(a));
    if (!t.data.empty() && archive_write_data(a, t.data.data(), t.data.size()) < 0)
      throw std::runtime_error(archive_error_string(a));
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

Reader stringReader(std::string data, size_t chunk) {
  auto s = std::make_shared<std::string>(std::move(data));
  auto pos = std::make_shared<size_t>(0);
  return [s, pos, chunk](char* buf, size_t n) -> Result<size_t> {
    size_t k = std::min({n, chunk, s->size() - *pos});
    std::memcpy(buf, s->data() + *pos, k);
    *pos += k;
    return k;
  };
}

}  // namespace berth::store::testing
