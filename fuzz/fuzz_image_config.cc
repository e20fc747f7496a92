// Fuzzes the readers of image configs, manifests and indexes (typed JSON accessors included):
// no crash, no exception, and a parsed manifest serialises and re-parses as itself.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "image/image_config.h"
#include "image/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  using namespace berth::image;
  auto cfg = parseImageConfig(s);
  if (cfg.ok()) {
    (void)cfg->doc.dump();  // inspect prints it
    (void)cfg->config.dump();
  }
  (void)configDiffIds(s);
  (void)parseIndex(s, "index");
  auto m = parseManifest(s);
  if (m.ok()) {
    std::string out = serializeManifest(*m);
    auto again = parseManifest(out, m->media_type);
    if (!again.ok() || serializeManifest(*again) != out) std::abort();
    (void)toOciManifest(*m);
    (void)toDockerManifest(*m);
  }
  return 0;
}
