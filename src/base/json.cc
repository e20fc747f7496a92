// JSON parsing with errors as values, and typed, checked accessors for hostile documents.
#include "base/json.h"
#include "base/json_access.h"
#include "base/json_compact.h"

#include <algorithm>
#include <charconv>

namespace berth {

namespace {

// The deepest array/object nesting in `text` (brackets inside strings not counted).
size_t nestingDepth(std::string_view text) {
  size_t depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') max_depth = std::max(max_depth, ++depth);
    else if ((c == ']' || c == '}') && depth > 0) --depth;
  }
  return max_depth;
}

}  // namespace

Result<Json> parseJson(std::string_view text, std::string_view what) {
  // nlohmann's parser is iterative, but copying, comparing and dumping recurse.
  if (nestingDepth(text) > kMaxJsonDepth)
    return makeError(Code::kInvalidArgument, "parse {}: nested deeper than {} levels", what,
                     kMaxJsonDepth);
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    try {
      Json unused = Json::parse(text);
      (void)unused;
    } catch (const Json::exception& e) {
      return makeError(Code::kInvalidArgument, "parse {}: {}", what, e.what());
    }
    return makeError(Code::kInvalidArgument, "parse {}: invalid JSON", what);
  }
  return j;
}

namespace json {

std::string_view typeName(const Json& v) {
  switch (v.type()) {
    case Json::value_t::object: return "object";
    case Json::value_t::array: return "array";
    case Json::value_t::string: return "string";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "number";
    case Json::value_t::null: return "null";
    default: return "invalid value";
  }
}

std::string fieldPath(std::string_view where, std::string_view key) {
  if (where.empty()) return std::string(key);
  return fmt::format("{}.{}", where, key);
}

std::string indexPath(std::string_view where, size_t i) { return fmt::format("{}[{}]", where, i); }

Error typeError(std::string_view path, std::string_view want, const Json& v) {
  if (path.empty()) return makeError(Code::kInvalidArgument, "expected {}, got {}", want, typeName(v));
  return makeError(Code::kInvalidArgument, "{}: expected {}, got {}", path, want, typeName(v));
}

Result<const Json*> find(const Json& obj, std::string_view key, std::string_view where) {
  if (!obj.is_object()) return typeError(where, "object", obj);
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::string> asString(const Json& v, std::string_view path) {
  if (!v.is_string()) return typeError(path, "string", v);
  return v.get_ref<const std::string&>();
}

Result<int64_t> asInt(const Json& v, std::string_view path) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > uint64_t(INT64_MAX))
      return makeError(Code::kInvalidArgument, "{}: {} is out of range", path, u);
    return int64_t(u);
  }
  if (!v.is_number_integer()) return typeError(path, "integer", v);
  return v.get<int64_t>();
}

Result<uint64_t> asUint(const Json& v, std::string_view path) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer())
    return makeError(Code::kInvalidArgument, "{}: {} is negative", path, v.get<int64_t>());
  return typeError(path, "unsigned integer", v);
}

Result<bool> asBool(const Json& v, std::string_view path) {
  if (!v.is_boolean()) return typeError(path, "boolean", v);
  return v.get<bool>();
}

Result<std::vector<std::string>> asStrings(const Json& v, std::string_view path) {
  std::vector<std::string> out;
  if (v.is_null()) return out;
  if (!v.is_array()) return typeError(path, "array of strings", v);
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) out.push_back(TRY(asString(v[i], indexPath(path, i))));
  return out;
}

Result<std::map<std::string, std::string>> asStringMap(const Json& v, std::string_view path) {
  std::map<std::string, std::string> out;
  if (v.is_null()) return out;
  if (!v.is_object()) return typeError(path, "object of strings", v);
  for (auto it = v.begin(); it != v.end(); ++it)
    out[it.key()] = TRY(asString(it.value(), fieldPath(path, it.key())));
  return out;
}

Status checkObject(const Json& v, std::string_view path) {
  if (!v.is_null() && !v.is_object()) return typeError(path, "object", v);
  return {};
}

Status checkArray(const Json& v, std::string_view path) {
  if (!v.is_null() && !v.is_array()) return typeError(path, "array", v);
  return {};
}

namespace {

Result<const Json*> require(const Json& obj, std::string_view key, std::string_view where) {
  const Json* v = TRY(find(obj, key, where));
  if (!v) return makeError(Code::kInvalidArgument, "{}: missing", fieldPath(where, key));
  return v;
}

}  // namespace

Result<std::string> getString(const Json& obj, std::string_view key, std::string_view where) {
  const Json* v = TRY(require(obj, key, where));
  return asString(*v, fieldPath(where, key));
}

Result<int64_t> getInt(const Json& obj, std::string_view key, std::string_view where) {
  const Json* v = TRY(require(obj, key, where));
  return asInt(*v, fieldPath(where, key));
}

Result<const Json*> getObject(const Json& obj, std::string_view key, std::string_view where) {
  const Json* v = TRY(require(obj, key, where));
  if (!v->is_object()) return typeError(fieldPath(where, key), "object", *v);
  return v;
}

Result<const Json*> getArray(const Json& obj, std::string_view key, std::string_view where) {
  const Json* v = TRY(require(obj, key, where));
  if (!v->is_array()) return typeError(fieldPath(where, key), "array", *v);
  return v;
}

Result<std::string> optString(const Json& obj, std::string_view key, std::string_view where,
                              std::string dflt) {
  const Json* v = TRY(find(obj, key, where));
  if (!v) return dflt;
  return asString(*v, fieldPath(where, key));
}

Result<int64_t> optInt(const Json& obj, std::string_view key, std::string_view where,
                       int64_t dflt) {
  const Json* v = TRY(find(obj, key, where));
  if (!v) return dflt;
  return asInt(*v, fieldPath(where, key));
}

Result<uint64_t> optUint(const Json& obj, std::string_view key, std::string_view where,
                         uint64_t dflt) {
  const Json* v = TRY(find(obj, key, where));
  if (!v) return dflt;
  return asUint(*v, fieldPath(where, key));
}

Result<bool> optBool(const Json& obj, std::string_view key, std::string_view where, bool dflt) {
  const Json* v = TRY(find(obj, key, where));
  if (!v) return dflt;
  return asBool(*v, fieldPath(where, key));
}

Result<std::vector<std::string>> optStrings(const Json& obj, std::string_view key,
                                            std::string_view where) {
  const Json* v = TRY(find(obj, key, where));
  if (!v) return std::vector<std::string>{};
  return asStrings(*v, fieldPath(where, key));
}

Result<std::map<std::string, std::string>> optStringMap(const Json& obj, std::string_view key,
                                                        std::string_view where) {
  const Json* v = TRY(find(obj, key, where));
  if (!v) return std::map<std::string, std::string>{};
  return asStringMap(*v, fieldPath(where, key));
}

Result<const Json*> optObject(const Json& obj, std::string_view key, std::string_view where) {
  const Json* v = TRY(find(obj, key, where));
  if (v && !v->is_object()) return typeError(fieldPath(where, key), "object", *v);
  return v;
}

Result<const Json*> optArray(const Json& obj, std::string_view key, std::string_view where) {
  const Json* v = TRY(find(obj, key, where));
  if (v && !v->is_array()) return typeError(fieldPath(where, key), "array", *v);
  return v;
}

}  // namespace json
namespace {

// True when nlohmann writes `s` between quotes unchanged: printable ASCII, no '"' or '\\'.
bool plainAscii(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
  return true;
}

void appendString(std::string& out, const std::string& s, const Json* node) {
  if (plainAscii(s)) {
    out += '"';
    out += s;
    out += '"';
  } else if (node) {
    out += node->dump(-1, ' ', false, Json::error_handler_t::replace);
  } else {
    out += Json(s).dump(-1, ' ', false, Json::error_handler_t::replace);
  }
}

template <typename Int>
void appendInt(std::string& out, Int v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

}  // namespace

void appendCompactJson(std::string& out, const Json& j) {
  switch (j.type()) {
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (!first) out += ',';
        first = false;
        appendString(out, it.key(), nullptr);
        out += ':';
        appendCompactJson(out, it.value());
      }
      out += '}';
      return;
    }
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& v : j) {
        if (!first) out += ',';
        first = false;
        appendCompactJson(out, v);
      }
      out += ']';
      return;
    }
    case Json::value_t::string:
      appendString(out, j.get_ref<const std::string&>(), &j);
      return;
    case Json::value_t::number_integer:
      appendInt(out, j.get<int64_t>());
      return;
    case Json::value_t::number_unsigned:
      appendInt(out, j.get<uint64_t>());
      return;
    case Json::value_t::boolean:
      out += j.get<bool>() ? "true" : "false";
      return;
    case Json::value_t::null:
      out += "null";
      return;
    default:  // floats, binary, discarded: nlohmann's own formatting
      out += j.dump(-1, ' ', false, Json::error_handler_t::replace);
      return;
  }
}

}  // namespace berth
