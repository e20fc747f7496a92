// A subset of Go's text/template evaluated over Json data, for --format flags.
#pragma once

#include <memory>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/result.h"

namespace berth::format {

namespace detail {
struct Tree;
}

// How execution treats Json objects. Go distinguishes structs (an unknown field is an error)
// from maps (a missing key prints "<no value>"); Json objects are structs unless reached
// through a field whose name is in map_fields (e.g. "Labels").
struct ExecOptions {
  std::set<std::string, std::less<>> map_fields;
  bool objects_are_maps = false;  // every object is a map (data decoded from arbitrary JSON)
  // Go field name -> JSON key, for struct fields whose JSON tag differs from the field name
  // (podman's `ID string json:"Id"`): {{.ID}} reads "Id" when the object has no "ID" key.
  std::map<std::string, std::string, std::less<>> field_aliases;
  // Struct fields the JSON omits when empty (Go's omitempty) and their zero values: a struct
  // object without the key reads this instead of failing ({{.Config.Env}} of an image
  // without Env prints [], as Go prints a nil slice). `json` still shows the object as stored.
  std::map<std::string, Json, std::less<>> field_defaults;
};

// A parsed template. Supported: text, {{ }} actions with {{- -}} trimming, comments,
// pipelines, variables ($, $x := / =), if / else if / else, range (arrays, objects in
// sorted key order, integers; $i, $v :=; else; break; continue), with / else with / else,
// literals (strings, raw strings, chars, numbers, true, false, nil), field chains on dot,
// variables and parenthesized pipelines, and the functions listed in template.cc.
class Template {
 public:
  // Parses `text`. A syntax error is kInvalidArgument: "template: <name>:<line>:<col>: ...".
  static Result<Template> parse(std::string_view text, std::string_view name = "format");

  // Runs the template with `data` as dot and $. Errors are kInvalidArgument in Go's form:
  // `template: <name>:1:2: executing "<name>" at <.Foo>: can't evaluate field Foo in type ...`.
  Result<std::string> execute(const Json& data, const ExecOptions& options = {}) const;

  // Names of fields read from the row: from dot at the top level of the template and inside
  // `{{range .}}` bodies ("{{.ID}}", "{{.Labels.x}}" -> "ID", "Labels"), in order of first
  // use. Used to build table headers.
  std::vector<std::string> referencedFields() const;

  const std::string& name() const;

 private:
  explicit Template(std::shared_ptr<const detail::Tree> tree) : tree_(std::move(tree)) {}
  std::shared_ptr<const detail::Tree> tree_;
};

}  // namespace berth::format
