// podman's --format rules (containers/common/pkg/report): json, table headers, row templates.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "cli/format/template.h"

namespace berth::format {

// Column titles by field name ({"ID", "IMAGE ID"}); podman upper-cases them.
using HeaderMap = std::map<std::string, std::string, std::less<>>;

// Fields whose object values are Go maps in podman's types (a missing key prints
// "<no value>" rather than failing): Labels, Annotations, Options, ...
ExecOptions podmanExecOptions();

// report.IsJSON: "json", "{{json}}" or "{{ json. }}", whitespace around allowed ("{{json .}}"
// is an ordinary template). The caller then prints the rows as JSON itself.
bool isJson(std::string_view format);

// report.HasTable: the format starts with "table ".
bool hasTable(std::string_view format);

// report.NormalizeFormat: for "table ..." drops every "table ", turns each space and each
// typed `\t` into a tab and `\n` into a newline; otherwise only `\t` and `\n` are turned
// into tab and newline. A trailing newline is added when missing.
std::string normalizeFormat(std::string_view format);

// podman's inspectNormalize (cmd/podman/inspect): "{{ .Id }}" becomes "{{.ID}}", and the
// Docker names .Src, .Dst and .ImageID become .Source, .Destination and .Image (plain
// text replacement, as strings.Replacer does); for image inspect also
// .Config.Healthcheck -> .HealthCheck.
std::string inspectNormalize(std::string_view format, bool image);

// report.EnforceRange: wraps the format in {{range .}}...{{end -}} unless it has a
// {{range .}}...{{end}} already.
std::string enforceRange(std::string_view format);

// camelcase.Split: "CreatedSince" -> {"Created", "Since"}, "PDFLoader" -> {"PDF", "Loader"}.
std::vector<std::string> camelCaseSplit(std::string_view s);

// The default column title of a field, as report.Headers makes it: words split at camel
// case, joined by spaces, upper-cased ("CreatedSince" -> "CREATED SINCE").
std::string headerName(std::string_view field);

// Renders rows the way podman's list commands do (report.Formatter):
//  - an empty format, or "table", uses default_table_format with podman's own rules;
//  - "table ..." prints a header row (unless noheading) and the rows through a
//    TabWriter(12, 2, 2, ' ', kStripEscape); each header cell is the template run over an
//    object mapping every field to its title (from `headers`, else headerName());
//  - any other user format prints one execution per row (wrapped in {{range .}} unless it
//    ranges itself), with no header and no column alignment;
//  - the format is normalized first (normalizeFormat); if the normalized text does not parse,
//    the original text is used, as podman does (so `{{printf "%s\n" .X}}` keeps its escape).
// Errors: kInvalidArgument for template syntax or execution errors. JSON output (isJson) is
// the caller's job. `inspect --format` is the same call with the inspected objects as rows.
Result<std::string> renderRows(std::string_view format, std::string_view default_table_format,
                               std::vector<Json> rows, const HeaderMap& headers,
                               bool noheading, const ExecOptions& options = podmanExecOptions());
// The same over rows the caller keeps (`data`, a JSON array), read and not changed.
Result<std::string> renderRowsOf(std::string_view format, std::string_view default_table_format,
                                 const Json& data, const HeaderMap& headers, bool noheading,
                                 const ExecOptions& options = podmanExecOptions());

}  // namespace berth::format
