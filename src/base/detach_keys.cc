#include "base/detach_keys.h"

namespace berth {

Result<std::string> parseDetachKeys(std::string_view spec) {
  std::string out;
  if (spec.empty()) return out;
  size_t i = 0;
  for (;;) {
    size_t comma = spec.find(',', i);
    std::string_view k = spec.substr(i, comma == std::string_view::npos ? std::string_view::npos : comma - i);
    if (k.size() == 1) {
      out.push_back(k[0]);
    } else if (k.size() == 6 && k.substr(0, 5) == "ctrl-") {
      char c = k[5];
      if (c >= 'a' && c <= 'z') out.push_back(char(c - 'a' + 1));
      else if (c == '@') out.push_back(0);
      else if (c == '[') out.push_back(27);
      else if (c == '\\') out.push_back(28);
      else if (c == ']') out.push_back(29);
      else if (c == '^') out.push_back(30);
      else if (c == '_') out.push_back(31);
      else return makeError(Code::kInvalidArgument, "invalid detach keys {:?}: unknown key {:?}", spec, k);
    } else {
      return makeError(Code::kInvalidArgument, "invalid detach keys {:?}: unknown key {:?}", spec, k);
    }
    if (comma == std::string_view::npos) break;
    i = comma + 1;
  }
  return out;
}

}  // namespace berth
