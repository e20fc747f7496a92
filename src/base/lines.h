// Splitting small text files (passwd, group, subuid, label files) into lines and fields.
#pragma once

#include <string_view>
#include <vector>

namespace berth {

// The lines of `text`, without their '\n' (a last line without one counts; "" gives none).
inline std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

// `line` split at every `sep` ("a::b" -> {"a", "", "b"}).
inline std::vector<std::string_view> splitFields(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  for (size_t start = 0;;) {
    size_t at = line.find(sep, start);
    out.push_back(line.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

}  // namespace berth
