// Fuzzes image reference parsing: no crash, and a parsed reference prints and re-parses as itself.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "image/reference.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  using namespace berth::image;
  (void)isShortName(s);
  (void)looksLikeId(s);
  (void)isFullId(s);
  (void)parseNamed(s);
  (void)normalizeLocalName(s);
  auto ref = parseNormalizedNamed(s);
  if (ref.ok()) {
    std::string text = ref->string();
    auto again = parseNormalizedNamed(text);
    if (!again.ok() || again->string() != text) std::abort();  // printing must round-trip
    (void)withDefaultTag(*ref).string();
    (void)ref->name();
  }
  return 0;
}
