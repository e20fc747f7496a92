// The one translation unit that includes toml++ (it compiles slowly).
#include "config/toml_json.h"

#include <fmt/format.h>
#include <toml++/toml.h>

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

}  // namespace

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
