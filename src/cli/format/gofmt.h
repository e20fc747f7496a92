// Go's fmt and encoding/json output rules applied to Json values, as text/template prints them.
#pragma once

#include <set>
#include <span>
#include <string>
#include <string_view>

#include "base/json.h"

namespace berth::format {

// An operand of the fmt functions; nullptr stands for Go's untyped nil.
using FmtArg = const Json*;

// fmt.Sprint: operands in %v form, a space between two operands when neither is a string.
std::string goSprint(std::span<const FmtArg> args);
// fmt.Sprintln: operands in %v form separated by spaces, then a newline.
std::string goSprintln(std::span<const FmtArg> args);
// fmt.Sprintf. Supports flags "+- #0", width, precision, '*', argument indexes and the verbs
// v s q d b o O x X c U e E f F g G t T %. Errors are rendered inline as Go does
// ("%!d(string=a)", "%!s(MISSING)", "%!(EXTRA ...)").
std::string goSprintf(std::string_view format, std::span<const FmtArg> args);

// %v of one value: objects print as Go maps ("map[a:1 b:2]", sorted keys), arrays as
// "[a b]", null as "<nil>", floats in Go's shortest %g form.
std::string goValueString(const Json& v);

// The same where the data's Go types are known as the template engine knows them: objects
// reached through a key in policy.map_fields (or all, with all_maps) are maps, others Go
// structs, printed "{v1 v2}" with their values in stored order.
struct JsonMapPolicy;
std::string goValueString(const Json& v, const JsonMapPolicy& policy, bool root_is_map);

// strconv.Quote.
std::string goQuote(std::string_view s);

// strconv.FormatFloat(f, fmt, -1, 64) for fmt 'e', 'f' or 'g' (shortest round-trip digits).
std::string goFormatFloatShortest(double f, char fmt);

// Which Json objects json.Marshal treats as Go maps (keys sorted) rather than structs
// (fields in stored order): those under a key in *map_fields, or all when all_maps.
struct JsonMapPolicy {
  const std::set<std::string, std::less<>>* map_fields = nullptr;
  bool all_maps = false;
};

// json.Marshal with SetEscapeHTML(false): compact; Go 1.22+ string escaping.
std::string goJsonMarshal(const Json& v, const JsonMapPolicy& policy = {},
                          bool root_is_map = false);

}  // namespace berth::format
