// A JSON codec for API structs with Go encoding/json semantics, driven by per-type field tables.
//
// A struct T gets a codec by specialising Schema<T> with a table of its fields (key, member,
// omitempty). Decoding then behaves like Go's json.Unmarshal into the struct: keys match
// exactly or else case-insensitively (Go's fold), unknown keys are ignored, null is a no-op
// for scalars and value structs and clears optionals, vectors and maps, integers must be
// integral and in range, and a wrong type is kInvalidArgument naming the field path
// ("mounts[2].options[0]: want string, got number 5"). Encoding writes the keys in table order
// and honours omitempty the way Go does (empty string, zero number, false, absent optional,
// empty vector or map; a struct value is never empty); a vector or map that is written although
// empty is written as null, as Go writes a nil slice.
#pragma once

#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "base/json.h"
#include "base/result.h"

namespace berth::api::codec {

// The field path being decoded, for error messages.
class Path {
 public:
  size_t mark() const { return s_.size(); }
  void reset(size_t mark) { s_.resize(mark); }
  void key(std::string_view k) {
    if (!s_.empty()) s_ += '.';
    s_ += k;
  }
  void index(size_t i) { s_ += fmt::format("[{}]", i); }
  void mapKey(std::string_view k) { s_ += fmt::format("[{:?}]", k); }
  const std::string& str() const { return s_; }

 private:
  std::string s_;
};

// "string", "array", "number 1.5", ... for error messages; never the content of a string,
// array or object (it may be large or hostile).
std::string describe(const Json& v);

// kInvalidArgument "PATH: want WANT, got DESCRIBE(GOT)".
Error typeError(const Path& p, std::string_view want, const Json& got);
// kInvalidArgument "PATH: WHAT".
Error valueError(const Path& p, std::string_view what);

// Go's case folding for field names (ASCII letters, and the Kelvin sign and long s that Go's
// simple folding maps to k and s): two keys match case-insensitively iff their folds are equal.
std::string foldKey(std::string_view key);

enum class Omit { kNever, kEmpty };

// Extra checks applied after decoding a string (or each string of a vector).
enum class Check {
  kNone,
  kIP,   // an IPv4 or IPv6 address, rewritten in Go's net.IP canonical form; "" allowed
  kMAC,  // a MAC address (Go net.ParseMAC forms), rewritten as lower-case colon form
};
Status checkIP(std::string& s, const Path& p);
Status checkMAC(std::string& s, const Path& p);

template <class T>
struct Schema;  // specialised per struct: static const FieldTable<T>& table();

template <class T>
struct Codec;  // decode/encode/empty per C++ type

template <class T>
concept HasSchema = requires {
  Schema<T>::table();
};

// One field of struct T.
template <class T>
struct Field {
  std::string_view key;
  Omit omit;
  Status (*decode)(T& obj, const Json& v, Path& p);
  bool (*empty)(const T& obj);
  Json (*encode)(const T& obj);
};

// The fields of T, with exact and folded key lookup.
template <class T>
class FieldTable {
 public:
  explicit FieldTable(std::vector<Field<T>> fields) : fields_(std::move(fields)) {
    for (size_t i = 0; i < fields_.size(); ++i) {
      exact_.emplace(fields_[i].key, i);
      folded_.emplace(foldKey(fields_[i].key), i);  // first field wins, as in Go
    }
  }
  const std::vector<Field<T>>& fields() const { return fields_; }
  // The field `key` decodes into: exact match first, then Go's case-insensitive match.
  const Field<T>* find(std::string_view key) const {
    if (auto it = exact_.find(std::string(key)); it != exact_.end()) return &fields_[it->second];
    if (auto it = folded_.find(foldKey(key)); it != folded_.end()) return &fields_[it->second];
    return nullptr;
  }

 private:
  std::vector<Field<T>> fields_;
  std::unordered_map<std::string, size_t> exact_;
  std::unordered_map<std::string, size_t> folded_;
};

template <Check C, class V>
Status applyCheck(V& v, Path& p) {
  if constexpr (C == Check::kNone) {
    return okStatus();
  } else if constexpr (std::is_same_v<V, std::string>) {
    return C == Check::kIP ? checkIP(v, p) : checkMAC(v, p);
  } else {
    static_assert(std::is_same_v<V, std::vector<std::string>>, "checks apply to strings");
    for (size_t i = 0; i < v.size(); ++i) {
      size_t m = p.mark();
      p.index(i);
      TRY(C == Check::kIP ? checkIP(v[i], p) : checkMAC(v[i], p));
      p.reset(m);
    }
    return okStatus();
  }
}

// field<T, &T::member>("key", omit[, check]): a table entry. The member may belong to a base
// of T (Go's embedded structs).
template <class T, auto M, Check C = Check::kNone>
Field<T> field(std::string_view key, Omit omit = Omit::kNever) {
  using V = std::remove_cvref_t<decltype(std::declval<T&>().*M)>;
  return Field<T>{
      key,
      omit,
      [](T& obj, const Json& v, Path& p) -> Status {
        TRY(Codec<V>::decode(v, obj.*M, p));
        return applyCheck<C>(obj.*M, p);
      },
      [](const T& obj) { return Codec<V>::empty(obj.*M); },
      [](const T& obj) { return Codec<V>::encode(obj.*M); },
  };
}

// ---- codecs ------------------------------------------------------------------------------

template <>
struct Codec<std::string> {
  static Status decode(const Json& v, std::string& out, Path& p) {
    if (v.is_null()) return okStatus();
    if (!v.is_string()) return typeError(p, "string", v);
    out = v.get_ref<const std::string&>();
    return okStatus();
  }
  static bool empty(const std::string& s) { return s.empty(); }
  static Json encode(const std::string& s) { return s; }
};

template <>
struct Codec<bool> {
  static Status decode(const Json& v, bool& out, Path& p) {
    if (v.is_null()) return okStatus();
    if (!v.is_boolean()) return typeError(p, "boolean", v);
    out = v.get<bool>();
    return okStatus();
  }
  static bool empty(bool b) { return !b; }
  static Json encode(bool b) { return b; }
};

// What an integer type accepts, for messages: "integer", "non-negative integer",
// "integer in [0, 65535]".
template <class I>
std::string integerWant() {
  if constexpr (std::is_same_v<I, int64_t>) return "integer";
  if constexpr (std::is_same_v<I, uint64_t>) return "non-negative integer";
  return fmt::format("integer in [{}, {}]", int64_t(std::numeric_limits<I>::min()),
                     uint64_t(std::numeric_limits<I>::max()));
}

template <class I>
requires(std::integral<I> && !std::same_as<I, bool>) struct Codec<I> {
  static Status decode(const Json& v, I& out, Path& p) {
    if (v.is_null()) return okStatus();
    if (v.is_number_unsigned()) {
      uint64_t u = v.get<uint64_t>();
      if (u > uint64_t(std::numeric_limits<I>::max())) return typeError(p, integerWant<I>(), v);
      out = static_cast<I>(u);
      return okStatus();
    }
    if (v.is_number_integer()) {
      int64_t s = v.get<int64_t>();
      if constexpr (std::is_unsigned_v<I>) {
        if (s < 0) return typeError(p, integerWant<I>(), v);
        if (uint64_t(s) > uint64_t(std::numeric_limits<I>::max()))
          return typeError(p, integerWant<I>(), v);
      } else {
        if (s < int64_t(std::numeric_limits<I>::min()) ||
            s > int64_t(std::numeric_limits<I>::max()))
          return typeError(p, integerWant<I>(), v);
      }
      out = static_cast<I>(s);
      return okStatus();
    }
    return typeError(p, integerWant<I>(), v);
  }
  static bool empty(I i) { return i == 0; }
  static Json encode(I i) { return i; }
};

// time.Duration: integer nanoseconds.
template <>
struct Codec<std::chrono::nanoseconds> {
  static Status decode(const Json& v, std::chrono::nanoseconds& out, Path& p) {
    if (v.is_null()) return okStatus();
    if (!v.is_number_integer() ||
        (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX)))
      return typeError(p, "integer (nanoseconds)", v);
    out = std::chrono::nanoseconds(v.get<int64_t>());
    return okStatus();
  }
  static bool empty(std::chrono::nanoseconds d) { return d.count() == 0; }
  static Json encode(std::chrono::nanoseconds d) { return int64_t(d.count()); }
};

// A Go pointer: null clears it; a value decodes onto the existing one (Go reuses the pointee).
template <class T>
struct Codec<std::optional<T>> {
  static Status decode(const Json& v, std::optional<T>& out, Path& p) {
    if (v.is_null()) {
      out.reset();
      return okStatus();
    }
    if (!out) out.emplace();
    return Codec<T>::decode(v, *out, p);
  }
  static bool empty(const std::optional<T>& o) { return !o.has_value(); }
  static Json encode(const std::optional<T>& o) { return o ? Codec<T>::encode(*o) : Json(); }
};

// A Go slice: the array replaces the content. Elements must not be null (podman's pointer
// elements would be nil and crash it; a struct element would silently be zero).
template <class T>
struct Codec<std::vector<T>> {
  static Status decode(const Json& v, std::vector<T>& out, Path& p) {
    if (v.is_null()) {
      out.clear();
      return okStatus();
    }
    if (!v.is_array()) return typeError(p, "array", v);
    std::vector<T> tmp(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      size_t m = p.mark();
      p.index(i);
      if (v[i].is_null()) return typeError(p, elementWant(), v[i]);
      TRY(Codec<T>::decode(v[i], tmp[i], p));
      p.reset(m);
    }
    out = std::move(tmp);
    return okStatus();
  }
  static bool empty(const std::vector<T>& x) { return x.empty(); }
  static Json encode(const std::vector<T>& x) {
    if (x.empty()) return Json();
    Json a = Json::array();
    for (const auto& e : x) a.push_back(Codec<T>::encode(e));
    return a;
  }

 private:
  static std::string elementWant() {
    if constexpr (std::is_same_v<T, std::string>) return "string";
    if constexpr (HasSchema<T>) return "object";
    return "a value";
  }
};

// Map keys: strings as they are, integers in decimal (Go's rule for integer-keyed maps).
template <class K>
struct MapKey;
template <>
struct MapKey<std::string> {
  static Status parse(const std::string& s, std::string& out, const Path& p) {
    out = s;
    return okStatus();
  }
  static std::string str(const std::string& k) { return k; }
};
template <>
struct MapKey<uint16_t> {
  static Status parse(const std::string& s, uint16_t& out, const Path& p);
  static std::string str(uint16_t k) { return std::to_string(k); }
};

// A Go map: entries are added to the existing map (Go keeps a non-nil map and assigns into
// it); each value decodes from zero.
template <class K, class V>
struct Codec<std::map<K, V>> {
  static Status decode(const Json& v, std::map<K, V>& out, Path& p) {
    if (v.is_null()) {
      out.clear();
      return okStatus();
    }
    if (!v.is_object()) return typeError(p, "object", v);
    for (auto it = v.begin(); it != v.end(); ++it) {
      size_t m = p.mark();
      p.mapKey(it.key());
      K key{};
      TRY(MapKey<K>::parse(it.key(), key, p));
      V val{};
      TRY(Codec<V>::decode(it.value(), val, p));
      out[key] = std::move(val);
      p.reset(m);
    }
    return okStatus();
  }
  static bool empty(const std::map<K, V>& x) { return x.empty(); }
  static Json encode(const std::map<K, V>& x) {
    if (x.empty()) return Json();
    Json o = Json::object();
    for (const auto& [k, val] : x) o[MapKey<K>::str(k)] = Codec<V>::encode(val);
    return o;
  }
};

// A struct with a Schema: its fields decode key by key in document order.
template <class T>
requires HasSchema<T>
struct Codec<T> {
  static Status decode(const Json& v, T& out, Path& p) {
    if (v.is_null()) return okStatus();
    if (!v.is_object()) return typeError(p, "object", v);
    const FieldTable<T>& table = Schema<T>::table();
    for (auto it = v.begin(); it != v.end(); ++it) {
      const Field<T>* f = table.find(it.key());
      if (!f) continue;  // unknown keys are ignored, as Go does
      size_t m = p.mark();
      p.key(f->key);
      TRY(f->decode(out, it.value(), p));
      p.reset(m);
    }
    return okStatus();
  }
  static bool empty(const T&) { return false; }
  static Json encode(const T& x) {
    Json o = Json::object();
    for (const auto& f : Schema<T>::table().fields()) {
      if (f.omit == Omit::kEmpty && f.empty(x)) continue;
      o[std::string(f.key)] = f.encode(x);
    }
    return o;
  }
};

}  // namespace berth::api::codec
