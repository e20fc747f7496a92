// Fuzzes layer extraction: any (compressed) tar stream is unpacked into a fresh directory inside
// a sandbox; afterwards the sandbox must hold nothing but that directory (nothing escaped).
#include <dirent.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "base/fs.h"
#include "store/extract.h"

namespace {

const std::string& sandbox() {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/berth-fuzz-tar-XXXXXX";
    if (!::mkdtemp(tmpl)) std::abort();
    return std::string(tmpl);
  }();
  return dir;
}

berth::store::Reader bytesReader(const uint8_t* data, size_t size) {
  auto pos = std::make_shared<size_t>(0);
  return [data, size, pos](char* buf, size_t n) -> berth::Result<size_t> {
    size_t k = std::min(n, size - *pos);
    std::memcpy(buf, data + *pos, k);
    *pos += k;
    return k;
  };
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string root = sandbox() + "/root";
  if (!berth::fs::mkdirAll(root).ok()) std::abort();
  // The first byte picks the whiteout mode, the rest is the stream.
  auto mode = (data[0] & 1) ? berth::store::WhiteoutMode::kVfs : berth::store::WhiteoutMode::kOverlay;
  (void)berth::store::extractLayer(bytesReader(data + 1, size - 1), root, mode);
  auto entries = berth::fs::listDir(sandbox());
  if (!entries.ok() || entries->size() != 1 || (*entries)[0] != "root") {
    std::fprintf(stderr, "an entry escaped the layer root into %s\n", sandbox().c_str());
    std::abort();
  }
  if (!berth::fs::removeAll(root).ok()) std::abort();
  return 0;
}
