// podman's --format rules (containers/common/pkg/report).
#include "cli/format/report.h"

#include <algorithm>
#include <span>

#include "cli/format/tabwriter.h"
#include "base/utf8.h"

namespace berth::format {
namespace {

// RE2's \s.
bool isReSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

size_t skipSpace(std::string_view s, size_t i) {
  while (i < s.size() && isReSpace(s[i])) ++i;
  return i;
}

bool consume(std::string_view s, size_t& i, std::string_view word) {
  if (s.substr(i).starts_with(word)) {
    i += word.size();
    return true;
  }
  return false;
}

// Matches `{{\s*range\s*\.\s*}}` at i; returns the end or npos.
size_t matchRangeDot(std::string_view s, size_t i) {
  if (!consume(s, i, "{{")) return std::string_view::npos;
  i = skipSpace(s, i);
  if (!consume(s, i, "range")) return std::string_view::npos;
  i = skipSpace(s, i);
  if (!consume(s, i, ".")) return std::string_view::npos;
  i = skipSpace(s, i);
  if (!consume(s, i, "}}")) return std::string_view::npos;
  return i;
}

// Matches `{{\s*end\s*-?\s*}}` at i.
bool matchEnd(std::string_view s, size_t i) {
  if (!consume(s, i, "{{")) return false;
  i = skipSpace(s, i);
  if (!consume(s, i, "end")) return false;
  i = skipSpace(s, i);
  consume(s, i, "-");
  i = skipSpace(s, i);
  return consume(s, i, "}}");
}

std::string asciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c -= 32;
  }
  return out;
}

}  // namespace

std::string inspectNormalize(std::string_view format, bool image) {
  // {{\s*\.Id\s*}} -> {{.ID}}
  std::string row;
  for (size_t i = 0; i < format.size();) {
    if (format.compare(i, 2, "{{") == 0) {
      size_t k = skipSpace(format, i + 2);
      if (format.compare(k, 3, ".Id") == 0) {
        size_t e = skipSpace(format, k + 3);
        if (format.compare(e, 2, "}}") == 0) {
          row += "{{.ID}}";
          i = e + 2;
          continue;
        }
      }
    }
    row += format[i++];
  }
  // .State.Healthcheck: podman 4.3's name for State.Health (a method of its inspect state).
  static const std::pair<std::string_view, std::string_view> kCommon[] = {
      {".Src", ".Source"}, {".Dst", ".Destination"}, {".ImageID", ".Image"}, {".State.Healthcheck", ".State.Health"}};
  static const std::pair<std::string_view, std::string_view> kImage[] = {
      {".Src", ".Source"}, {".Dst", ".Destination"}, {".ImageID", ".Image"}, {".Config.Healthcheck", ".HealthCheck"}};
  std::span<const std::pair<std::string_view, std::string_view>> pairs(kCommon);
  if (image) pairs = kImage;
  std::string out;
  for (size_t i = 0; i < row.size();) {
    bool hit = false;
    for (auto& [from, to] : pairs)
      if (row.compare(i, from.size(), from) == 0) {
        out += to;
        i += from.size();
        hit = true;
        break;
      }
    if (!hit) out += row[i++];
  }
  return out;
}

ExecOptions podmanExecOptions() {
  ExecOptions o;
  // Fields whose Go type is a map (only what they hold as objects matters here).
  o.map_fields = {"Annotations", "Attributes", "Data",    "DriverOpts", "ExposedPorts", "GraphOptions",
                  "GraphStatus", "IPAMOptions", "Labels", "Networks",   "Options",      "PortBindings",
                  "Ports",       "StorageOpt",  "Sysctls", "Tmpfs",     "Volumes"};
  // podman's types name the field ID and tag it json:"Id" (containers, images, pods, volumes).
  o.field_aliases = {{"ID", "Id"}};
  // omitempty fields of the OCI ImageConfig inside image inspect's Config (Go zero values).
  for (const char* k : {"Env", "Entrypoint", "Cmd"}) o.field_defaults[k] = Json::array();
  for (const char* k : {"ExposedPorts", "Volumes", "Labels"}) o.field_defaults[k] = Json::object();
  for (const char* k : {"User", "WorkingDir", "StopSignal"}) o.field_defaults[k] = "";
  return o;
}

bool isJson(std::string_view format) {
  size_t i = skipSpace(format, 0);
  size_t end = format.size();
  while (end > i && isReSpace(format[end - 1])) --end;
  std::string_view body = format.substr(i, end - i);
  if (body == "json") return true;
  size_t k = 0;
  if (!consume(body, k, "{{")) return false;
  k = skipSpace(body, k);
  if (!consume(body, k, "json")) return false;
  consume(body, k, ".");
  k = skipSpace(body, k);
  return consume(body, k, "}}") && k == body.size();
}

bool hasTable(std::string_view format) { return format.starts_with("table "); }

std::string normalizeFormat(std::string_view format) {
  bool table = hasTable(format);
  std::string out;
  for (size_t i = 0; i < format.size();) {
    std::string_view rest = format.substr(i);
    if (table && rest.starts_with("table ")) {
      i += 6;
    } else if (rest.starts_with("\\t")) {
      out += '\t';
      i += 2;
    } else if (rest.starts_with("\\n")) {
      out += '\n';
      i += 2;
    } else if (table && rest[0] == ' ') {
      out += '\t';
      i += 1;
    } else {
      out += rest[0];
      i += 1;
    }
  }
  if (!out.ends_with('\n')) out += '\n';
  return out;
}

std::string enforceRange(std::string_view format) {
  for (size_t i = format.find("{{"); i != std::string_view::npos; i = format.find("{{", i + 1)) {
    size_t after = matchRangeDot(format, i);
    if (after == std::string_view::npos) continue;
    for (size_t j = format.find("{{", after); j != std::string_view::npos;
         j = format.find("{{", j + 1)) {
      if (matchEnd(format, j)) return std::string(format);
    }
    break;
  }
  return "{{range .}}" + std::string(format) + "{{end -}}";
}

std::vector<std::string> camelCaseSplit(std::string_view src) {
  if (!validUtf8(src)) return {std::string(src)};
  std::vector<std::string> runs;
  std::vector<int> classes;
  int last = 0;
  for (size_t i = 0; i < src.size();) {
    DecodedRune d = decodeRune(src, i);
    char32_t r = d.rune;
    int cls = (r >= 'a' && r <= 'z')   ? 1
              : (r >= 'A' && r <= 'Z') ? 2
              : (r >= '0' && r <= '9') ? 3
                                       : 4;
    if (cls == last) {
      runs.back().append(src.substr(i, d.size));
    } else {
      runs.emplace_back(src.substr(i, d.size));
      classes.push_back(cls);
    }
    last = cls;
    i += d.size;
  }
  // "PDFL" + "oader" -> "PDF" + "Loader": the last upper-case letter starts the next word.
  for (size_t i = 0; i + 1 < runs.size(); ++i) {
    if (classes[i] == 2 && classes[i + 1] == 1) {
      runs[i + 1].insert(runs[i + 1].begin(), runs[i].back());
      runs[i].pop_back();
    }
  }
  std::erase_if(runs, [](const std::string& s) { return s.empty(); });
  return runs;
}

std::string headerName(std::string_view field) {
  std::vector<std::string> words = camelCaseSplit(field);
  std::string joined;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) joined += ' ';
    joined += words[i];
  }
  return asciiUpper(joined);
}

Result<std::string> renderRows(std::string_view format, std::string_view default_table_format,
                               std::vector<Json> rows, const HeaderMap& headers,
                               bool noheading, const ExecOptions& options) {
  const Json data(std::move(rows));  // moved, not copied: a thousand rows of ps are many objects
  return renderRowsOf(format, default_table_format, data, headers, noheading, options);
}

Result<std::string> renderRowsOf(std::string_view format, std::string_view default_table_format,
                                 const Json& data, const HeaderMap& headers, bool noheading,
                                 const ExecOptions& options) {
  std::string_view text = format;
  bool user = true;
  size_t b = skipSpace(format, 0), e = format.size();
  while (e > b && isReSpace(format[e - 1])) --e;
  std::string_view trimmed = format.substr(b, e - b);
  if (trimmed.empty() || trimmed == "table") {
    text = default_table_format;
    user = false;
  }
  bool table = hasTable(text);
  if (user && !table) noheading = true;  // a custom non-table format prints no header

  std::string norm, raw;
  if (table) {
    norm = "{{range .}}" + normalizeFormat(text) + "{{end -}}";
    raw = "{{range .}}" + std::string(text.substr(6)) + "{{end -}}";
  } else if (user) {
    norm = enforceRange(normalizeFormat(text));
    raw = enforceRange(text);
  } else {
    norm = normalizeFormat(text);
    raw = std::string(text);
  }
  auto parsed = Template::parse(norm);
  if (!parsed.ok()) parsed = Template::parse(raw);
  if (!parsed.ok()) return std::move(parsed).error();
  const Template& tmpl = *parsed;

  bool aligned = table || !user;
  std::string header;
  if (aligned && !noheading) {
    Json titles = Json::object();
    auto add = [&](const std::string& field) {
      if (titles.contains(field)) return;
      auto it = headers.find(field);
      titles[field] = it != headers.end() ? asciiUpper(it->second) : headerName(field);
    };
    for (const std::string& f : tmpl.referencedFields()) add(f);
    if (data.is_array() && !data.empty() && data.front().is_object()) {
      for (auto it = data.front().begin(); it != data.front().end(); ++it) add(it.key());
    }
    for (const auto& [field, title] : headers) add(field);
    header = TRY(tmpl.execute(Json::array({titles}), options));
  }
  std::string body = TRY(tmpl.execute(data, options));
  if (!aligned) return body;
  TabWriter tw(12, 2, 2, ' ', TabWriter::kStripEscape);
  tw.write(header);
  tw.write(body);
  tw.flush();
  return tw.takeOutput();
}

}  // namespace berth::format
