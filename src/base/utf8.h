// UTF-8 decoding helpers with Go's rules (an invalid byte decodes as U+FFFD of width 1).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace berth {

inline constexpr char32_t kRuneError = 0xFFFD;

struct DecodedRune {
  char32_t rune;
  size_t size;  // bytes consumed, >= 1 unless s is empty
};

// Decodes the rune starting at s[i] like Go's utf8.DecodeRuneInString.
DecodedRune decodeRune(std::string_view s, size_t i);

// Number of runes in s, counting each invalid byte as one (Go's utf8.RuneCountInString).
size_t runeCount(std::string_view s);

// Appends the UTF-8 encoding of r (U+FFFD for invalid code points).
void appendRune(std::string& out, char32_t r);

// True when s is valid UTF-8.
bool validUtf8(std::string_view s);

}  // namespace berth
