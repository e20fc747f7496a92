// YAML documents as JSON values, through libyaml: Kubernetes YAML in (kube play) and out
// (kube generate), written as podman's sigs.k8s.io/yaml (go-yaml v2) writes it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/result.h"

namespace berth::yaml {

// Caps on hostile input: the text, the values after alias expansion (a "billion laughs"
// document is refused, not expanded), and the nesting depth.
inline constexpr size_t kMaxYamlBytes = 16 << 20;
inline constexpr size_t kMaxYamlNodes = 1 << 20;
inline constexpr size_t kMaxYamlDepth = 256;

// Parses every document of `text` (YAML 1.1 plain-scalar typing, as go-yaml v2: null, ~,
// true/false/yes/no/on/off, integers in decimal/0x/0o/0b, floats; tags !!str, !!int, ...
// honoured; quoted scalars are strings). Empty documents are skipped. Mapping keys become
// strings. kInvalidArgument naming `what`, the line and column for a syntax error, a
// duplicate key, an undefined alias or a cap exceeded.
Result<std::vector<Json>> parseDocuments(std::string_view text, std::string_view what);

// One document in go-yaml v2's style: block collections, sequences inside mappings not
// indented, mapping keys in go-yaml's order (digit runs by value, non-letters before letters),
// empty collections as {} / [], strings quoted only where they would read back as another
// type or cannot be plain, lines folded at 80 columns as go-yaml does.
std::string emit(const Json& doc);

// go-yaml v2's mapping key order.
bool keyLess(std::string_view a, std::string_view b);

}  // namespace berth::yaml
