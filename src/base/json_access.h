// Typed, checked reads of JSON documents from outside (images, archives,
// registries, API clients, containers): never nlohmann's value()/get<>/at(),
// which throw on a wrong type.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/result.h"

namespace berth {

// parseJson (base/json.h) refuses documents nested deeper than this: nlohmann's
// copy, compare and dump recurse, so a hostile depth would overflow the stack.
inline constexpr size_t kMaxJsonDepth = 1000;

namespace json {

// Every accessor names the value it reads by its path in the document, built
// from `where` (the enclosing value's path: "" for the top level, "config",
// "history[2]") and the key: "config.User: expected string, got number". The
// caller adds which document it was as context ("image config sha256:..: ").
// All errors are kInvalidArgument. "opt" accessors treat an absent key and a
// null value alike (Go's unmarshal leaves the zero value); "get" accessors
// require the key. A `where` that is not an object is an error too.

// "object", "array", "string", "number", "boolean" or "null".
std::string_view typeName(const Json& v);
// where + "." + key (just key when where is empty).
std::string fieldPath(std::string_view where, std::string_view key);
// where + "[" + i + "]".
std::string indexPath(std::string_view where, size_t i);
// "<path>: expected <want>, got <type of v>" ("expected ..." for the top level).
Error typeError(std::string_view path, std::string_view want, const Json& v);

// The value at `key` of the object `obj`, nullptr when absent or null.
Result<const Json*> find(const Json& obj, std::string_view key, std::string_view where);

// Conversions of one value named `path`.
Result<std::string> asString(const Json& v, std::string_view path);
Result<int64_t> asInt(const Json& v, std::string_view path);  // integral numbers only
Result<uint64_t> asUint(const Json& v, std::string_view path);
Result<bool> asBool(const Json& v, std::string_view path);
// An array of strings; null is empty.
Result<std::vector<std::string>> asStrings(const Json& v, std::string_view path);
// An object whose values are strings; null is empty.
Result<std::map<std::string, std::string>> asStringMap(const Json& v, std::string_view path);
// Checks the type only; null passes for the nullable kinds (object, array).
Status checkObject(const Json& v, std::string_view path);
Status checkArray(const Json& v, std::string_view path);

Result<std::string> getString(const Json& obj, std::string_view key, std::string_view where);
Result<int64_t> getInt(const Json& obj, std::string_view key, std::string_view where);
Result<const Json*> getObject(const Json& obj, std::string_view key, std::string_view where);
Result<const Json*> getArray(const Json& obj, std::string_view key, std::string_view where);

Result<std::string> optString(const Json& obj, std::string_view key, std::string_view where,
                              std::string dflt = {});
Result<int64_t> optInt(const Json& obj, std::string_view key, std::string_view where,
                       int64_t dflt = 0);
Result<uint64_t> optUint(const Json& obj, std::string_view key, std::string_view where,
                         uint64_t dflt = 0);
Result<bool> optBool(const Json& obj, std::string_view key, std::string_view where,
                     bool dflt = false);
Result<std::vector<std::string>> optStrings(const Json& obj, std::string_view key,
                                            std::string_view where);
Result<std::map<std::string, std::string>> optStringMap(const Json& obj, std::string_view key,
                                                        std::string_view where);
// nullptr when absent or null; else the object / array.
Result<const Json*> optObject(const Json& obj, std::string_view key, std::string_view where);
Result<const Json*> optArray(const Json& obj, std::string_view key, std::string_view where);

}  // namespace json
}  // namespace berth
