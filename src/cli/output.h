// Shared output helpers: --format handling and podman's JSON shapes.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/json.h"
#include "cli/context.h"

namespace berth::cli {

// Renders rows with a --format value ("" = default table; "json" handled by
// the caller) through the shared template engine and writes them to stdout.
int printRows(Context& ctx, const std::string& format, const std::string& default_table,
              std::vector<Json> rows, const std::map<std::string, std::string>& headers,
              bool noheading);
bool isJsonFormat(const std::string& format);
// Executes a plain (non-table) template once over `data`, newline appended.
int printTemplate(Context& ctx, const std::string& format, const Json& data);
// --format of the inspect commands, normalized as podman does (format::inspectNormalize).
std::string inspectFormat(const std::string& format, bool image);
std::string shortId(const std::string& id);
// hashicorp/go-multierror's text: "N errors occurred:\n\t* a\n\t* b\n\n".
std::string multiError(const std::vector<std::string>& errs);
// podman's errorhandling.JoinErrors: one error as it is, more as multiError without the
// trailing blank lines. "" for none.
std::string joinErrors(const std::vector<std::string>& errs);

}  // namespace berth::cli
