// Call helpers: typed query parameters and bodies, errors.
#include "api/server/call.h"

#include <cctype>

#include <charconv>

#include "api/server/errors.h"

namespace berth::api::server {

namespace {

const char* typeName(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "object";
    case Json::value_t::array: return "array";
    case Json::value_t::string: return "string";
    case Json::value_t::boolean: return "bool";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "number";
    case Json::value_t::number_float: return "number";
    default: return "value";
  }
}

Error wrongType(std::string_view field, const char* want, const Json& got) {
  // The wording of Go's encoding/json, which podman's clients know.
  return makeError(Code::kInvalidArgument, "json: cannot unmarshal {} into Go struct field {} of type {}",
                   typeName(got), field, want);
}

}  // namespace

const std::string& Call::param(const std::string& name) const {
  static const std::string kEmpty;
  auto it = params.find(name);
  return it == params.end() ? kEmpty : it->second;
}

Result<engine::Engine*> Call::engine() {
  if (!lease_) lease_.emplace(TRY(pool_.acquire()));
  return lease_->get();
}

Call::QueryIt Call::findParam(std::string_view name) const {
  auto it = req.query.find(std::string(name));
  if (it != req.query.end()) return it;
  // gorilla/schema, which podman's service decodes queries with, matches names without
  // regard to case, and podman's bindings send lower-cased field names ("leaverunning").
  auto same = [&](const std::string& k) {
    if (k.size() != name.size()) return false;
    for (size_t i = 0; i < k.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(k[i])) != std::tolower(static_cast<unsigned char>(name[i])))
        return false;
    return true;
  };
  for (auto i = req.query.begin(); i != req.query.end(); ++i)
    if (same(i->first)) return i;
  return req.query.end();
}

bool Call::has(std::string_view name) const { return findParam(name) != req.query.end(); }

std::string Call::str(std::string_view name, std::string_view dflt) const {
  auto it = findParam(name);
  if (it == req.query.end() || it->second.empty()) return std::string(dflt);
  return it->second.front();
}

std::vector<std::string> Call::all(std::string_view name) const {
  auto it = findParam(name);
  if (it == req.query.end()) return {};
  return it->second;
}

Result<bool> Call::boolean(std::string_view name, bool dflt) const {
  auto it = findParam(name);
  if (it == req.query.end() || it->second.empty()) return dflt;
  const std::string& v = it->second.front();
  // Go's strconv.ParseBool, as gorilla/schema uses it; "" counts as unset.
  if (v.empty()) return dflt;
  if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") return true;
  if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False") return false;
  return makeError(Code::kInvalidArgument, "failed to parse parameters for {:?}: {:?} is not a boolean",
                   std::string(name), v);
}

Result<std::optional<int64_t>> Call::optInteger(std::string_view name) const {
  auto it = findParam(name);
  if (it == req.query.end() || it->second.empty() || it->second.front().empty()) return std::optional<int64_t>();
  const std::string& v = it->second.front();
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size())
    return makeError(Code::kInvalidArgument, "failed to parse parameters for {:?}: {:?} is not an integer",
                     std::string(name), v);
  return std::optional<int64_t>(out);
}

Result<int64_t> Call::integer(std::string_view name, int64_t dflt) const {
  auto v = TRY(optInteger(name));
  return v.value_or(dflt);
}

Result<std::map<std::string, std::string>> Call::stringMap(std::string_view name) const {
  std::map<std::string, std::string> out;
  std::string text = str(name);
  if (text.empty()) return out;
  auto j = parseJson(text, fmt::format("query parameter {:?}", std::string(name)));
  if (!j.ok() || !(j->is_object() || j->is_null()))
    return makeError(Code::kInvalidArgument, "failed to parse parameters for {:?}: want a JSON object of strings",
                     std::string(name));
  if (j->is_null()) return out;
  Json wrap = {{std::string(name), *j}};
  TRY(getStringMap(wrap, name, out));
  return out;
}

Result<std::vector<std::string>> Call::filters(std::string_view name) const {
  std::vector<std::string> out;
  std::string text = str(name);
  if (text.empty()) return out;
  auto j = parseJson(text, fmt::format("query parameter {:?}", std::string(name)));
  if (!j.ok())
    return makeError(Code::kInvalidArgument, "failed to parse filters for {:?}: {}", text, j.error().message());
  if (j->is_null()) return out;
  if (!j->is_object()) return makeError(Code::kInvalidArgument, "failed to parse filters: want a JSON object, got {}", text);
  for (auto& [k, v] : j->items()) {
    if (v.is_array()) {
      for (auto& e : v) {
        if (!e.is_string()) return makeError(Code::kInvalidArgument, "failed to parse filters: {:?}: values must be strings", k);
        out.push_back(k + "=" + e.get<std::string>());
      }
    } else if (v.is_object()) {  // Docker's older map form {"label":{"a=b":true}}
      for (auto& [val, on] : v.items())
        if (!on.is_boolean() || on.get<bool>()) out.push_back(k + "=" + val);
    } else if (v.is_string()) {
      out.push_back(k + "=" + v.get<std::string>());
    } else {
      return makeError(Code::kInvalidArgument, "failed to parse filters: {:?}: want a list of strings", k);
    }
  }
  return out;
}

Result<Json> Call::jsonBody(Json dflt) const {
  bool blank = true;
  for (char c : req.body)
    if (!std::isspace(static_cast<unsigned char>(c))) {
      blank = false;
      break;
    }
  if (blank) return dflt;
  auto j = parseJson(req.body, "request body");
  if (!j.ok()) return makeError(Code::kInvalidArgument, "decode request body: {}", j.error().message());
  return std::move(*j);
}

Result<Json> Call::objectBody() const {
  Json body = TRY(jsonBody());
  if (!body.is_object()) return makeError(Code::kInvalidArgument, "decode request body: want a JSON object");
  return body;
}

bool Call::versionAtLeast(int major, int minor) const {
  if (version.empty()) return true;
  int ma = 0, mi = 0, pa = 0;
  if (!parseVersion(version, ma, mi, pa)) return true;
  return ma > major || (ma == major && mi >= minor);
}

Status Call::fail(const Error& e, int status) {
  int st = status ? status : httpStatus(e.code());
  if (res.started()) return {};  // mid-stream: nothing more can be said in HTTP terms
  res.header(kErrorCodeHeader, std::string(codeName(e.code())));
  return res.json(st, errorBody(tree, st, e));
}

// --- typed body reads ---------------------------------------------------------------

Status getString(const Json& obj, std::string_view field, std::string& out) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return {};
  if (!it->is_string()) return wrongType(field, "string", *it);
  out = it->get<std::string>();
  return {};
}

Status getBool(const Json& obj, std::string_view field, bool& out) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return {};
  if (!it->is_boolean()) return wrongType(field, "bool", *it);
  out = it->get<bool>();
  return {};
}

Status getInt(const Json& obj, std::string_view field, int64_t& out) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return {};
  if (it->is_number_integer() || it->is_number_unsigned()) {
    if (it->is_number_unsigned() && it->get<uint64_t>() > uint64_t(INT64_MAX)) return wrongType(field, "int64", *it);
    out = it->get<int64_t>();
    return {};
  }
  if (it->is_number_float()) {
    double d = it->get<double>();
    if (d == double(int64_t(d))) {
      out = int64_t(d);
      return {};
    }
  }
  return wrongType(field, "int64", *it);
}

Status getStrings(const Json& obj, std::string_view field, std::vector<std::string>& out) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return {};
  if (!it->is_array()) return wrongType(field, "[]string", *it);
  std::vector<std::string> v;
  for (auto& e : *it) {
    if (!e.is_string()) return wrongType(field, "[]string", e);
    v.push_back(e.get<std::string>());
  }
  out = std::move(v);
  return {};
}

Status getStringOrStrings(const Json& obj, std::string_view field, std::vector<std::string>& out) {
  auto it = obj.find(field);
  if (it != obj.end() && it->is_string()) {
    out = {it->get<std::string>()};
    return {};
  }
  return getStrings(obj, field, out);
}

Status getStringMap(const Json& obj, std::string_view field, std::map<std::string, std::string>& out) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return {};
  if (!it->is_object()) return wrongType(field, "map[string]string", *it);
  std::map<std::string, std::string> m;
  for (auto& [k, v] : it->items()) {
    if (!v.is_string()) return wrongType(std::string(field) + "." + k, "string", v);
    m[k] = v.get<std::string>();
  }
  out = std::move(m);
  return {};
}

Result<const Json*> getObject(const Json& obj, std::string_view field) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return static_cast<const Json*>(nullptr);
  if (!it->is_object()) return wrongType(field, "object", *it);
  return &*it;
}

}  // namespace berth::api::server
