// The one string-escaping routine for JSON (and TOML) string literals.
//
// Other escapers in berth implement different formats on purpose and stay
// separate: goQuote (src/cli/format/gofmt: Go's %q / strconv.Quote, with \x
// and \a escapes), the template functions js and html (Go's JSEscape and
// HTMLEscape), and urlEscape (src/registry/http: percent-encoding).
#pragma once

#include <string>
#include <string_view>

namespace berth {

// Appends `s` as a double-quoted JSON string literal, byte for byte as Go's
// encoding/json marshals a string with SetEscapeHTML(false): \" \\ \n \r \t
// \b \f, other control characters as \u00xx, invalid UTF-8 bytes as \ufffd,
// U+2028 and U+2029 as \u2028 / \u2029, everything else verbatim. The result
// is also a valid TOML basic string with the same value.
void appendJsonQuoted(std::string& out, std::string_view s);
std::string jsonQuote(std::string_view s);

}  // namespace berth
