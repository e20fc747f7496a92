// Output helpers over the shared format engine.
#include "cli/output.h"

#include "cli/format/report.h"

namespace berth::cli {

bool isJsonFormat(const std::string& format) { return format::isJson(format); }

int printRows(Context& ctx, const std::string& fmt_, const std::string& default_table,
              std::vector<Json> rows, const std::map<std::string, std::string>& headers,
              bool noheading) {
  auto text = format::renderRowsOf(fmt_.empty() ? default_table : fmt_, default_table, ctx.holdRows(std::move(rows)),
                                   format::HeaderMap(headers.begin(), headers.end()), noheading);
  if (!text.ok()) return ctx.fail(text.error());
  ctx.out(*text);
  return 0;
}

int printTemplate(Context& ctx, const std::string& fmt_, const Json& data) {
  auto text = format::renderRows(fmt_, fmt_, {data}, {}, true);
  if (!text.ok()) return ctx.fail(text.error());
  ctx.out(*text);
  return 0;
}

std::string inspectFormat(const std::string& f, bool image) { return format::inspectNormalize(f, image); }

std::string shortId(const std::string& id) { return id.substr(0, 12); }

std::string multiError(const std::vector<std::string>& errs) {
  std::string s = errs.size() == 1 ? "1 error occurred:\n" : fmt::format("{} errors occurred:\n", errs.size());
  for (auto& e : errs) s += "\t* " + e + "\n";
  return s + "\n";
}

std::string joinErrors(const std::vector<std::string>& errs) {
  if (errs.size() <= 1) return errs.empty() ? "" : errs[0];
  std::string s = multiError(errs);
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

}  // namespace berth::cli
