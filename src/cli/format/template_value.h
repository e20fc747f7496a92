// Internal: values during template execution and the function registry.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "cli/format/template.h"

namespace berth::format::detail {

// A value during execution: a Json borrowed from the data or owned, or Go's invalid value
// ("<no value>", e.g. a missing map key). is_map marks objects with Go map semantics.
class Value {
 public:
  Value() = default;  // no value
  static Value ref(const Json& j, bool is_map = false) {
    Value v;
    v.ptr_ = &j;
    v.is_map_ = is_map;
    return v;
  }
  static Value own(Json j) {
    Value v;
    v.hold_ = std::make_shared<const Json>(std::move(j));
    v.ptr_ = v.hold_.get();
    return v;
  }
  // A part of this value's Json; shares ownership when this value owns its Json.
  Value child(const Json& j, bool is_map = false) const {
    Value v;
    v.hold_ = hold_;
    v.ptr_ = &j;
    v.is_map_ = is_map;
    return v;
  }
  bool valid() const { return ptr_ != nullptr; }
  const Json& json() const { return *ptr_; }
  bool isMap() const { return is_map_; }

 private:
  const Json* ptr_ = nullptr;
  std::shared_ptr<const Json> hold_;
  bool is_map_ = false;
};

// Go's truth: false, 0, "", empty arrays and objects, null and no value are false.
bool isTrue(const Value& v);

// Go-like type name of a value for error messages ("string", "int", "float64", ...).
std::string valueTypeName(const Value& v);

// A builtin function. Arguments are already evaluated; errors are plain messages that the
// executor wraps as `error calling <name>: ...`.
struct Function {
  int min_args;
  int max_args;  // -1: variadic
  Result<Value> (*call)(std::vector<Value>& args, const ExecOptions& options);
};

// Looks up a builtin other than the lazily evaluated "and" and "or".
const Function* findFunction(std::string_view name);

}  // namespace berth::format::detail
