// Linked into the berth executables ahead of libarchive.a: libarchive's table of write formats
// names the xar writer, whose object needs libxml2 (and with it ICU and libstdc++.so, about a
// millisecond of dynamic loading on every command). berth writes tar only; defining the xar
// entry points here keeps that object, and libxml2, out of the executables. The unit tests
// link libarchive unchanged.
#include <archive.h>
#include <cerrno>

extern "C" {

int archive_write_set_format_xar(struct archive* a) {
  archive_set_error(a, EINVAL, "xar archives are not supported by berth");
  return ARCHIVE_FATAL;
}

int archive_read_support_format_xar(struct archive* a) {
  archive_set_error(a, EINVAL, "xar archives are not supported by berth");
  return ARCHIVE_WARN;
}

}  // extern "C"
