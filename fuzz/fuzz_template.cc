// Fuzzes the Go template engine (--format): parse any text, run it over a fixed document and,
// when the input carries one after a NUL byte, over that JSON document too.
#include <cstdint>
#include <string_view>

#include "cli/format/template.h"

namespace {

const berth::Json& sample() {
  static const berth::Json doc = berth::Json::parse(R"({
    "ID": "3f2a", "Names": ["a", "b"], "Labels": {"k": "v", "x": "1"}, "Size": 12345,
    "Created": 1.7e9, "Ports": [], "State": {"Running": true, "Pid": 42}, "Nil": null})");
  return doc;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string_view text = in.substr(0, in.find('\0'));
  auto t = berth::format::Template::parse(text, "fuzz");
  if (!t.ok()) return 0;
  (void)t->referencedFields();
  berth::format::ExecOptions maps;
  maps.map_fields = {"Labels"};
  (void)t->execute(sample(), maps);
  if (text.size() < in.size()) {
    auto doc = berth::parseJson(in.substr(text.size() + 1), "fuzz data");
    if (doc.ok()) {
      berth::format::ExecOptions all_maps;
      all_maps.objects_are_maps = true;
      (void)t->execute(*doc, all_maps);
    }
  }
  return 0;
}
