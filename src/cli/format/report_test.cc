// Unit tests for podman's --format rules; expectations follow containers/common's tests.
#include "cli/format/report.h"

#include <gtest/gtest.h>

namespace berth::format {
namespace {

TEST(Report, IsJson) {
  for (const char* yes : {"json", " json", " json ", "  json   ", "{{json}}", "{{json }}",
                          "{{json.}}", "{{ json. }}"}) {
    EXPECT_TRUE(isJson(yes)) << yes;
  }
  for (const char* no : {"{{ json .}}", "{{ json . }}", "  {{   json   .  }}  ", "{{ json .",
                         "json . }}", "{{.ID }} json .", "json .", "table json", ""}) {
    EXPECT_FALSE(isJson(no)) << no;
  }
}

TEST(Report, HasTable) {
  EXPECT_TRUE(hasTable("table foobar"));
  EXPECT_FALSE(hasTable("foobar"));
  EXPECT_FALSE(hasTable("table"));
}

TEST(Report, NormalizeFormat) {
  EXPECT_EQ(normalizeFormat("{{.ID}}\t{{.ID}}"), "{{.ID}}\t{{.ID}}\n");
  EXPECT_EQ(normalizeFormat(R"({{.ID}}\t{{.ID}})"), "{{.ID}}\t{{.ID}}\n");
  EXPECT_EQ(normalizeFormat(R"({{.ID}} {{.ID}})"), "{{.ID}} {{.ID}}\n");
  EXPECT_EQ(normalizeFormat(R"(table {{.ID}}\t{{.ID}})"), "{{.ID}}\t{{.ID}}\n");
  EXPECT_EQ(normalizeFormat(R"(table {{.ID}} {{.ID}})"), "{{.ID}}\t{{.ID}}\n");
  EXPECT_EQ(normalizeFormat(R"(a\nb)"), "a\nb\n");
  EXPECT_EQ(normalizeFormat("x\n"), "x\n");
}

TEST(Report, InspectNormalize) {
  EXPECT_EQ(inspectNormalize("{{ .Id }} {{.Id}}", false), "{{.ID}} {{.ID}}");
  EXPECT_EQ(inspectNormalize("{{.Id.X}} {{ .Idx }}", false), "{{.Id.X}} {{ .Idx }}");
  EXPECT_EQ(inspectNormalize("{{.ImageID}} {{range .Mounts}}{{.Src}}:{{.Dst}}{{end}}", false),
            "{{.Image}} {{range .Mounts}}{{.Source}}:{{.Destination}}{{end}}");
  EXPECT_EQ(inspectNormalize("{{.Config.Healthcheck}}", false), "{{.Config.Healthcheck}}");
  EXPECT_EQ(inspectNormalize("{{.Config.Healthcheck}}", true), "{{.HealthCheck}}");
}

TEST(Report, IdFieldAlias) {
  // podman's structs name the field ID with the JSON tag "Id": both spellings work.
  std::vector<Json> rows = {Json{{"Id", "abc"}, {"Labels", {{"Id", "l"}}}}};
  auto out = renderRows("{{.ID}} {{.Id}} {{.Labels.Id}} {{.Labels.ID}}", "", rows, {}, false);
  ASSERT_TRUE(out.ok()) << out.error().what();
  EXPECT_EQ(*out, "abc abc l <no value>\n");
  out = renderRows("{{.ID}}", "", {Json{{"Name", "x"}}}, {}, false);
  EXPECT_FALSE(out.ok());
}

TEST(Report, EnforceRange) {
  std::string r = "{{range .}}foobar was here{{end -}}";
  EXPECT_EQ(enforceRange(r), r);
  EXPECT_EQ(enforceRange("foobar was here"), r);
  EXPECT_EQ(enforceRange("{{range .}}x{{end}}"), "{{range .}}x{{end}}");
  EXPECT_EQ(enforceRange("{{ range . }}x{{ end - }}"), "{{ range . }}x{{ end - }}");
  EXPECT_EQ(enforceRange("{{range .Names}}x{{end}}"),
            "{{range .}}{{range .Names}}x{{end}}{{end -}}");
}

TEST(Report, CamelCaseSplit) {
  using V = std::vector<std::string>;
  EXPECT_EQ(camelCaseSplit(""), V{});
  EXPECT_EQ(camelCaseSplit("lowercase"), V{"lowercase"});
  EXPECT_EQ(camelCaseSplit("MyClass"), (V{"My", "Class"}));
  EXPECT_EQ(camelCaseSplit("MyC"), (V{"My", "C"}));
  EXPECT_EQ(camelCaseSplit("HTML"), V{"HTML"});
  EXPECT_EQ(camelCaseSplit("PDFLoader"), (V{"PDF", "Loader"}));
  EXPECT_EQ(camelCaseSplit("AString"), (V{"A", "String"}));
  EXPECT_EQ(camelCaseSplit("SimpleXMLParser"), (V{"Simple", "XML", "Parser"}));
  EXPECT_EQ(camelCaseSplit("vimRPCPlugin"), (V{"vim", "RPC", "Plugin"}));
  EXPECT_EQ(camelCaseSplit("GL11Version"), (V{"GL", "11", "Version"}));
  EXPECT_EQ(camelCaseSplit("99Bottles"), (V{"99", "Bottles"}));
  EXPECT_EQ(camelCaseSplit("May5"), (V{"May", "5"}));
  EXPECT_EQ(camelCaseSplit("BFG9000"), (V{"BFG", "9000"}));
  EXPECT_EQ(camelCaseSplit("Two  spaces"), (V{"Two", "  ", "spaces"}));
  EXPECT_EQ(camelCaseSplit("BadUTF8\xe2\xe2\xa1"), V{"BadUTF8\xe2\xe2\xa1"});
}

TEST(Report, HeaderName) {
  EXPECT_EQ(headerName("FieldA"), "FIELD A");
  EXPECT_EQ(headerName("Fieldb"), "FIELDB");
  EXPECT_EQ(headerName("fieldC"), "FIELD C");
  EXPECT_EQ(headerName("CreatedSince"), "CREATED SINCE");
  EXPECT_EQ(headerName("ID"), "ID");
  EXPECT_EQ(headerName("CPUPerc"), "CPU PERC");
}

std::vector<Json> idRows() {
  return {Json{{"ID", "c061a0839e"}, {"Value", "one"}},
          Json{{"ID", "f10fc2e11057"}, {"Value", "two"}},
          Json{{"ID", "1eb6fab5aa8f4b5cbfd3e66aa35e9b2a"}, {"Value", "three"}}};
}

std::string render(std::string_view format, std::string_view dflt = "", bool noheading = false) {
  auto r = renderRows(format, dflt, idRows(), {{"ID", "Identity"}}, noheading);
  return r.ok() ? *r : "ERR:" + r.error().message();
}

// containers/common TestFormatter_ParseTable, with headers upper-cased as report.Headers does.
TEST(Report, PodmanParseTableCases) {
  const std::string ids = "IDENTITY\nc061a0839e\nf10fc2e11057\n1eb6fab5aa8f4b5cbfd3e66aa35e9b2a\n";
  EXPECT_EQ(render("table {{ .ID}}"), ids);
  EXPECT_EQ(render("table {{ .ID}}\n"), ids);
  EXPECT_EQ(render(R"(table {{ .ID}}\n)"), ids);
  EXPECT_EQ(render("table {{.ID}}"), ids);
  EXPECT_EQ(render("table {{.ID}}\t{{.Value}}"),
            "IDENTITY                          VALUE\n"
            "c061a0839e                        one\n"
            "f10fc2e11057                      two\n"
            "1eb6fab5aa8f4b5cbfd3e66aa35e9b2a  three\n");
  EXPECT_EQ(render("{{range .}}{{.ID}}\tID{{end}}"),
            "c061a0839e\tIDf10fc2e11057\tID1eb6fab5aa8f4b5cbfd3e66aa35e9b2a\tID\n");
  // A podman (default) format that is not a table still gets the header pass and alignment.
  EXPECT_EQ(render("", "Value\tIdent\n{{range .}}{{.ID}}\tID{{end}}"),
            "Value       Ident\nIDENTITY    ID\nValue       Ident\n"
            "c061a0839e  IDf10fc2e11057  ID1eb6fab5aa8f4b5cbfd3e66aa35e9b2a  ID\n");
  EXPECT_EQ(render("{{range .}}{{.ID}}\tID\n{{end}}"),
            "c061a0839e\tID\nf10fc2e11057\tID\n1eb6fab5aa8f4b5cbfd3e66aa35e9b2a\tID\n\n");
  EXPECT_EQ(render("{{range .}}{{.ID}}{{end -}}"),
            "c061a0839ef10fc2e110571eb6fab5aa8f4b5cbfd3e66aa35e9b2a");
  // podman#13446: the normalized "\n" breaks the string literal, so the raw text is used.
  EXPECT_EQ(render(R"({{range .}}{{printf "\n"}}{{end -}})"), "\n\n\n");
}

TEST(Report, UserFormatsArePerRowWithoutHeader) {
  EXPECT_EQ(render("ID\t{{.ID}}"),
            "ID\tc061a0839e\nID\tf10fc2e11057\nID\t1eb6fab5aa8f4b5cbfd3e66aa35e9b2a\n");
  EXPECT_EQ(render(R"({{.ID}}\t{{.Value}})"),
            "c061a0839e\tone\nf10fc2e11057\ttwo\n1eb6fab5aa8f4b5cbfd3e66aa35e9b2a\tthree\n");
  EXPECT_EQ(render("{{.Value}}\n"), "one\ntwo\nthree\n");
  EXPECT_EQ(render(R"({{printf "%s\n" .Value}})"), "one\ntwo\nthree\n");
}

TEST(Report, TableKeywordAndDefaults) {
  const std::string dflt = "table {{.ID}}\t{{.Value}}";
  const std::string table =
      "IDENTITY                          VALUE\n"
      "c061a0839e                        one\n"
      "f10fc2e11057                      two\n"
      "1eb6fab5aa8f4b5cbfd3e66aa35e9b2a  three\n";
  EXPECT_EQ(render("", dflt), table);
  EXPECT_EQ(render("table", dflt), table);
  EXPECT_EQ(render(" table ", dflt), table);
  // Spaces in a table format separate columns.
  EXPECT_EQ(render("table {{.ID}} {{.Value}}"), table);
  EXPECT_EQ(render("", dflt, /*noheading=*/true),
            "c061a0839e                        one\n"
            "f10fc2e11057                      two\n"
            "1eb6fab5aa8f4b5cbfd3e66aa35e9b2a  three\n");
}

TEST(Report, HeadersFromOverridesFieldNamesAndFunctions) {
  std::vector<Json> rows = {Json{{"Repository", "quay.io/podman/hello"},
                                 {"Tag", "latest"},
                                 {"ID", "5dd467fce50b"},
                                 {"CreatedSince", "2 weeks ago"},
                                 {"ReadOnly", false},
                                 {"Names", {"a", "b"}}}};
  HeaderMap headers = {{"ID", "image id"}, {"CreatedSince", "CREATED"}};
  auto out =
      renderRows("table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.ReadOnly}}", "",
                 rows, headers, false);
  ASSERT_TRUE(out.ok()) << out.error().what();
  EXPECT_EQ(*out,
            "REPOSITORY            TAG         IMAGE ID      CREATED      READ ONLY\n"
            "quay.io/podman/hello  latest      5dd467fce50b  2 weeks ago  false\n");
  // The header gets a title for an unknown field; the rows then fail on it.
  out = renderRows("table {{.Unknown}}", "", rows, headers, false);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message().find("can't evaluate field Unknown"), std::string::npos);
  // Functions run over the header text too, as in podman.
  out = renderRows("table {{join .Names \",\"}}\t{{lower .Tag}}", "", rows, headers, false);
  ASSERT_FALSE(out.ok());  // join of the header string "NAMES" fails, as podman's does
  out = renderRows("table {{.Tag | lower}}\t{{json .ID}}", "", rows, headers, false);
  ASSERT_TRUE(out.ok()) << out.error().what();
  EXPECT_EQ(*out, "tag         \"IMAGE ID\"\nlatest      \"5dd467fce50b\"\n");
  // Headers also appear with no rows.
  out = renderRows("table {{.ID}}\t{{.Tag}}", "", {}, headers, false);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "IMAGE ID    TAG\n");
}

TEST(Report, MapFieldsAndErrors) {
  std::vector<Json> rows = {Json{{"Name", "web"}, {"Labels", {{"app", "x"}}}}};
  auto out = renderRows("{{.Labels.app}}|{{.Labels.missing}}|{{index .Labels \"nope\"}}", "", rows,
                        {}, false);
  ASSERT_TRUE(out.ok()) << out.error().what();
  EXPECT_EQ(*out, "x|<no value>|\n");
  out = renderRows("{{.Nope}}", "", rows, {}, false);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code(), Code::kInvalidArgument);
  EXPECT_NE(out.error().message().find("can't evaluate field Nope"), std::string::npos);
  out = renderRows("{{if .Name}}", "", rows, {}, false);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(out.error().message(), "template: format:1:32: unexpected EOF");
}

TEST(Report, JsonFunctionOnRows) {
  std::vector<Json> rows = {Json{{"ID", {"ident1", "ident2", "ident3"}}}};
  auto out = renderRows("{{json .ID}}", "", rows, {}, false);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "[\"ident1\",\"ident2\",\"ident3\"]\n");
}

}  // namespace
}  // namespace berth::format
