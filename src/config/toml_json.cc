// The one translation unit that includes toml++ (it compiles slowly).
#include "config/toml_json.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <memory>
#include <sstream>

#include "base/escape.h"

namespace berth::config {

namespace {

template <typename T>
std::string streamed(const T& v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

Json toJson(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: {
      Json obj = Json::object();
      for (auto&& [key, value] : *node.as_table()) obj[std::string(key.str())] = toJson(value);
      return obj;
    }
    case toml::node_type::array: {
      Json arr = Json::array();
      for (const toml::node& value : *node.as_array()) arr.push_back(toJson(value));
      return arr;
    }
    case toml::node_type::string:
      return node.as_string()->get();
    case toml::node_type::integer:
      return node.as_integer()->get();
    case toml::node_type::floating_point:
      return node.as_floating_point()->get();
    case toml::node_type::boolean:
      return node.as_boolean()->get();
    case toml::node_type::date:
      return streamed(node.as_date()->get());
    case toml::node_type::time:
      return streamed(node.as_time()->get());
    case toml::node_type::date_time:
      return streamed(node.as_date_time()->get());
    case toml::node_type::none:
      break;
  }
  return nullptr;
}

// JSON -> TOML for tomlSet; null members are skipped.
std::unique_ptr<toml::node> toToml(const Json& j) {
  if (j.is_object()) {
    auto t = std::make_unique<toml::table>();
    for (auto& [k, v] : j.items()) {
      if (v.is_null()) continue;
      auto n = toToml(v);
      if (n) t->insert_or_assign(k, std::move(*n));
    }
    return t;
  }
  if (j.is_array()) {
    auto a = std::make_unique<toml::array>();
    for (auto& v : j) {
      auto n = toToml(v);
      if (n) a->push_back(std::move(*n));
    }
    return a;
  }
  if (j.is_string()) return std::make_unique<toml::value<std::string>>(j.get<std::string>());
  if (j.is_boolean()) return std::make_unique<toml::value<bool>>(j.get<bool>());
  if (j.is_number_integer() || j.is_number_unsigned()) return std::make_unique<toml::value<int64_t>>(j.get<int64_t>());
  if (j.is_number_float()) return std::make_unique<toml::value<double>>(j.get<double>());
  return nullptr;
}

}  // namespace

Result<std::string> tomlSet(std::string_view text, std::string_view what, const std::vector<std::string>& path,
                            const Json& value) {
  if (path.empty()) return makeError(Code::kInvalidArgument, "{}: empty key path", what);
  toml::table root;
  try {
    root = toml::parse(text, what);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    return makeError(Code::kInvalidArgument, "{}: line {}, column {}: {}", what, begin.line, begin.column,
                     e.description());
  }
  toml::table* t = &root;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    toml::node* n = t->get(path[i]);
    if (!n) {
      if (value.is_null()) return streamed(root) + "\n";
      t->insert_or_assign(path[i], toml::table{});
      n = t->get(path[i]);
    }
    if (!n->is_table())
      return makeError(Code::kInvalidArgument, "{}: {} is not a table", what, path[i]);
    t = n->as_table();
  }
  if (value.is_null()) {
    t->erase(path.back());
  } else {
    auto n = toToml(value);
    if (!n) return makeError(Code::kInvalidArgument, "{}: {}: unsupported value", what, path.back());
    t->insert_or_assign(path.back(), std::move(*n));
  }
  return streamed(root) + "\n";
}

Result<Json> parseToml(std::string_view text, std::string_view what) {
  try {
    toml::table table = toml::parse(text, what);
    return toJson(table);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    return makeError(Code::kInvalidArgument, "{}: line {}, column {}: {}", what, begin.line,
                     begin.column, e.description());
  }
}

std::string tomlQuote(std::string_view s) {
  // A JSON string literal is a TOML basic string with the same value.
  return jsonQuote(s);
}

}  // namespace berth::config
