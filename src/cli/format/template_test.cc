// Unit tests for the Go text/template subset.
#include "cli/format/template.h"

#include <gtest/gtest.h>

namespace berth::format {
namespace {

struct GoCase {
  const char* tmpl;
  const char* want;
};

constexpr const char* kGoData =
    R"G({"ID": "c061a0839e", "Name": "web", "Names": ["web", "app"], "Size": 1234, "Neg": -7, "Cpu": 12.5, "Big": 1e+21, "Tiny": 1e-07, "Mil": 1000000.0, "Ratio": 0.1, "On": true, "Off": false, "Nil": null, "Empty": "", "EmptyList": [], "EmptyMap": {}, "Labels": {"b": "2", "a": "1", "io.podman/x": "y"}, "Ports": [{"host": 8080, "ctr": 80}, {"host": 8443, "ctr": 443}], "Nested": {"Inner": {"Deep": "down"}, "List": [1, 2, 3]}, "Text": "Hello, W\u00f6rld <b>&'\"", "Mixed": [1, "a", null, true, 2.5, {"k": "v"}, [1, 2]], "Num": 3, "Unicode": "h\u00e9llo w\u00f6rld"})G";

// {template, output}: outputs recorded from Go 1.19 text/template with podman's funcs,
// the data decoded as map[string]interface{} (ints as int). "ERR:x" means an error whose
// message contains x.
const GoCase kGoCases[] = {
    {R"G(plain text)G", R"G(plain text)G"},
    {R"G(a {{- .Name -}} b)G", R"G(awebb)G"},
    {R"G(a  {{- .Name}}  b)G", R"G(aweb  b)G"},
    {R"G(x
  {{- .Name -}}
  y)G",
     R"G(xweby)G"},
    {R"G({{/* a comment */}}after)G", R"G(after)G"},
    {R"G(a {{- /* c */ -}} b)G", R"G(ab)G"},
    {R"G({{.ID}}	{{.Name}}
)G",
     R"G(c061a0839e	web
)G"},
    {R"G({{.}})G",
     R"G(map[Big:1e+21 Cpu:12.5 Empty: EmptyList:[] EmptyMap:map[] ID:c061a0839e Labels:map[a:1 b:2 io.podman/x:y] Mil:1e+06 Mixed:[1 a <nil> true 2.5 map[k:v] [1 2]] Name:web Names:[web app] Neg:-7 Nested:map[Inner:map[Deep:down] List:[1 2 3]] Nil:<nil> Num:3 Off:false On:true Ports:[map[ctr:80 host:8080] map[ctr:443 host:8443]] Ratio:0.1 Size:1234 Text:Hello, Wörld <b>&'" Tiny:1e-07 Unicode:héllo wörld])G"},
    {R"G({{.Names}}|{{.Size}}|{{.Neg}}|{{.Cpu}}|{{.Big}}|{{.Tiny}}|{{.Mil}}|{{.Ratio}}|{{.On}}|{{.Nil}}|{{.Missing}})G",
     R"G([web app]|1234|-7|12.5|1e+21|1e-07|1e+06|0.1|true|<no value>|<no value>)G"},
    {R"G({{.Labels}}|{{.Mixed}}|{{.EmptyList}}|{{.EmptyMap}}|{{.Nested}})G",
     R"G(map[a:1 b:2 io.podman/x:y]|[1 a <nil> true 2.5 map[k:v] [1 2]]|[]|map[]|map[Inner:map[Deep:down] List:[1 2 3]])G"},
    {R"G({{.Nested.Inner.Deep}}|{{.Nested.List}}|{{.Missing.Deeper}})G",
     R"G(down|[1 2 3]|<no value>)G"},
    {R"G({{.Labels.a}}{{.Labels.zz}})G", R"G(1<no value>)G"},
    {R"G({{"str"}}|{{`raw\n`}}|{{1}}|{{-5}}|{{1.5}}|{{1e3}}|{{0x1F}}|{{0o17}}|{{0b101}}|{{1_000}}|{{'a'}}|{{true}}|{{false}})G",
     R"G(str|raw\n|1|-5|1.5|1000|31|15|5|1000|97|true|false)G"},
    {R"G({{"esc\t\n\u00e9\x41\101"}})G",
     R"G(esc	
éAA)G"},
    {R"G({{$x := .Name}}{{$x}}-{{$.ID}})G", R"G(web-c061a0839e)G"},
    {R"G({{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}})G", R"G(2)G"},
    {R"G({{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}})G", R"G(21)G"},
    {R"G({{if .On}}yes{{else}}no{{end}}|{{if .Off}}yes{{else}}no{{end}}|{{if .Nil}}y{{else}}n{{end}}|{{if .Empty}}y{{else}}n{{end}}|{{if .EmptyList}}y{{else}}n{{end}}|{{if .Missing}}y{{else}}n{{end}})G",
     R"G(yes|no|n|n|n|n)G"},
    {R"G({{if .Off}}a{{else if .Nil}}b{{else if .Size}}c{{else}}d{{end}})G", R"G(c)G"},
    {R"G({{if and .On .Size}}and{{end}}|{{if or .Off .Nil}}or{{else}}none{{end}}|{{and .Size .Name}}|{{or .Empty .Name}}|{{and .Empty .Name}}|{{not .On}})G",
     R"G(and|none|web|web||false)G"},
    {R"G({{range .Names}}<{{.}}>{{end}})G", R"G(<web><app>)G"},
    {R"G({{range $i, $n := .Names}}{{$i}}={{$n}} {{end}})G", R"G(0=web 1=app )G"},
    {R"G({{range $n := .Names}}{{$n}};{{end}})G", R"G(web;app;)G"},
    {R"G({{range $k, $v := .Labels}}{{$k}}:{{$v}},{{end}})G", R"G(a:1,b:2,io.podman/x:y,)G"},
    {R"G({{range .Labels}}{{.}},{{end}})G", R"G(1,2,y,)G"},
    {R"G({{range .EmptyList}}x{{else}}empty{{end}}|{{range .Nil}}x{{else}}nil{{end}})G",
     R"G(empty|nil)G"},
    {R"G({{range .Ports}}{{.host}}->{{.ctr}} {{end}})G", R"G(8080->80 8443->443 )G"},
    {R"G({{range .Nested.List}}{{if eq . 2}}{{continue}}{{end}}{{.}}{{end}}|{{range .Nested.List}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}})G",
     R"G(13|1)G"},
    {R"G({{range $i, $e := .Names}}{{if $i}}, {{end}}{{$e}}{{end}})G", R"G(web, app)G"},
    {R"G({{range .Names}}{{$.ID}} {{.}};{{end}})G", R"G(c061a0839e web;c061a0839e app;)G"},
    {R"G({{with .Name}}[{{.}}]{{end}}|{{with .Empty}}x{{else}}none{{end}}|{{with $x := .Nested}}{{$x.Inner.Deep}}{{end}})G",
     R"G([web]|none|down)G"},
    {R"G({{.Name | upper}}|{{.Name | printf "%s-%s" "x"}}|{{join .Names ","}})G",
     R"G(WEB|x-web|web,app)G"},
    {R"G({{truncate .ID 5}})G", R"G(c061a)G"},
    {R"G({{(index .Ports 1).host}}|{{(len .Names)}}|{{len .Labels}}|{{len .Name}})G",
     R"G(8443|2|3|3)G"},
    {R"G({{json .}})G",
     R"G({"Big":1e+21,"Cpu":12.5,"Empty":"","EmptyList":[],"EmptyMap":{},"ID":"c061a0839e","Labels":{"a":"1","b":"2","io.podman/x":"y"},"Mil":1000000,"Mixed":[1,"a",null,true,2.5,{"k":"v"},[1,2]],"Name":"web","Names":["web","app"],"Neg":-7,"Nested":{"Inner":{"Deep":"down"},"List":[1,2,3]},"Nil":null,"Num":3,"Off":false,"On":true,"Ports":[{"ctr":80,"host":8080},{"ctr":443,"host":8443}],"Ratio":0.1,"Size":1234,"Text":"Hello, Wörld <b>&'\"","Tiny":1e-7,"Unicode":"héllo wörld"})G"},
    {R"G({{json .Labels}}|{{json .Text}}|{{json .Tiny}}|{{json .Big}}|{{json .Mil}}|{{json .Nil}}|{{json .Cpu}})G",
     R"G({"a":"1","b":"2","io.podman/x":"y"}|"Hello, Wörld <b>&'\""|1e-7|1e+21|1000000|null|12.5)G"},
    {R"G({{lower "ABC Déf"}}|{{upper .Unicode}}|{{title "hello wide-world foo_bar"}}|{{pad .Name 2 3}}|[{{pad .Empty 2 3}}])G",
     R"G(abc déf|HÉLLO WÖRLD|Hello Wide-World Foo_bar|  web   |[])G"},
    {R"G({{split "a,b,,c" ","}}|{{split "abc" ""}}|{{len (split "" ",")}}|{{truncate .ID 3}}|{{truncate .ID 99}})G",
     R"G([a b  c]|[a b c]|1|c06|c061a0839e)G"},
    {R"G({{index .Names 1}}|{{index .Labels "a"}}|{{index .Nested.List 2}}|{{index .Name 0}}|{{index .Mixed 6 1}})G",
     R"G(app|1|3|119|2)G"},
    {R"G({{slice .Name 1}}|{{slice .Name 1 2}}|{{slice .Names 1}}|{{slice .Nested.List 0 2}})G",
     R"G(eb|e|[app]|[1 2])G"},
    {R"G({{print .Name .Size .Size "x" .Nil}}|{{println .Name .Size}}|{{print}})G",
     R"G(web1234 1234x<nil>|web 1234
|)G"},
    {R"G({{printf "%s|%q|%v|%d|%5d|%-5d|%05d|%x|%X|%o|%b|%c|%U" .Name .Name .Names .Size .Size .Size .Size .Size .Size .Size .Size .Num .Size}})G",
     R"G(web|"web"|[web app]|1234| 1234|1234 |01234|4d2|4D2|2322|10011010010||U+04D2)G"},
    {R"G({{printf "%t|%v|%f|%.2f|%8.3f|%-8.2f|%e|%E|%g|%G|%.3g|%+d|% d|%+.1f" .On .Cpu .Cpu .Cpu .Cpu .Cpu .Cpu .Cpu .Big .Tiny .Cpu .Size .Size .Cpu}})G",
     R"G(true|12.5|12.500000|12.50|  12.500|12.50   |1.250000e+01|1.250000E+01|1e+21|1E-07|12.5|+1234| 1234|+12.5)G"},
    {R"G({{printf "%d %s" .Name .Size}}|{{printf "%d"}}|{{printf "x" 1 "a"}}|{{printf "%!"}}|{{printf "%%"}}|{{printf "%-10s|%10s|%.3s" .Name .Unicode .Unicode}})G",
     R"G(%!d(string=web) %!s(int=1234)|%!d(MISSING)|x%!(EXTRA int=1, string=a)|%!!(MISSING)|%|web       |héllo wörld|hél)G"},
    {R"G({{printf "%v %v" .Labels .Mixed}}|{{printf "%q" .Names}}|{{printf "%5s" .Names}}|{{printf "%T %T %T %T %T %T" .Name .Size .Cpu .On .Names .Labels}})G",
     R"G(map[a:1 b:2 io.podman/x:y] [1 a <nil> true 2.5 map[k:v] [1 2]]|["web" "app"]|[  web   app]|string int float64 bool []interface {} map[string]interface {})G"},
    {R"G({{printf "%[2]s %[1]s" .Name .ID}}|{{printf "%*d|%-*d|%.*f" 5 .Size 6 .Size 1 .Cpu}})G",
     R"G(c061a0839e web| 1234|1234  |12.5)G"},
    {R"G({{printf "%v|%d|%s" .Nil .Nil .Missing}})G", R"G(<nil>|%!d(<nil>)|%!s(<nil>))G"},
    {R"G({{html .Text}}|{{js .Text}}|{{urlquery .Text}}|{{html .Size .Name}})G",
     R"G(Hello, Wörld &lt;b&gt;&amp;&#39;&#34;|Hello, Wörld \u003Cb\u003E\u0026\'\"|Hello%2C+W%C3%B6rld+%3Cb%3E%26%27%22|1234web)G"},
    {R"G({{eq .Name "web"}}|{{eq .Size 1234}}|{{eq .Name "a" "b" "web"}}|{{ne .Size 1}}|{{lt .Size 2000}}|{{le .Size 1234}}|{{gt .Name "abc"}}|{{ge .Neg 0}}|{{eq .Missing .Nil}})G",
     R"G(true|true|true|true|true|true|true|false|true)G"},
    {R"G({{if eq .Num 3}}three{{end}}{{if lt .Cpu 20.0}} low{{end}})G", R"G(three low)G"},
    {R"G({{.Name.Foo}})G",
     R"G(ERR:template: format:1:7: executing "format" at <.Name.Foo>: can't evaluate field Foo in type interface {})G"},
    {R"G({{index .Names 5}})G",
     R"G(ERR:template: format:1:2: executing "format" at <index .Names 5>: error calling index: index out of range: 5)G"},
    {R"G({{len .Size}})G",
     R"G(ERR:template: format:1:2: executing "format" at <len .Size>: error calling len: len of type int)G"},
    {R"G({{eq .Name 1}})G",
     R"G(ERR:template: format:1:2: executing "format" at <eq .Name 1>: error calling eq: incompatible types for comparison)G"},
    {R"G({{lt .On .Off}})G",
     R"G(ERR:template: format:1:2: executing "format" at <lt .On .Off>: error calling lt: invalid type for comparison)G"},
    {R"G({{nosuchfunc .}})G", R"G(ERR:template: format:1: function "nosuchfunc" not defined)G"},
    {R"G({{.Name)G", R"G(ERR:template: format:1: unclosed action)G"},
    {R"G({{if .On}}x)G", R"G(ERR:template: format:1: unexpected EOF)G"},
    {R"G({{end}})G", R"G(ERR:template: format:1: unexpected {{end}})G"},
    {R"G({{$y}})G", R"G(ERR:template: format:1: undefined variable "$y")G"},
    {R"G({{range .Size}}x{{end}})G",
     R"G(xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx)G"},
    {R"G({{join .Name ","}})G",
     R"G(ERR:template: format:1:7: executing "format" at <.Name>: wrong type for value; expected []string; got string)G"},
    {R"G({{truncate .Name}})G",
     R"G(ERR:template: format:1:2: executing "format" at <truncate>: wrong number of args for truncate: want 2 got 1)G"},
    {R"G({{"unterminated}})G", R"G(ERR:template: format:1: unterminated quoted string)G"},
    {R"G({{.Name | 3}})G",
     R"G(ERR:template: format:1: non executable command in pipeline stage 2)G"},
    {R"G({{else}})G", R"G(ERR:template: format:1: unexpected {{else}})G"},
    {R"G({{(1).x}})G",
     R"G(ERR:template: format:1:3: executing "format" at <1>: can't evaluate field x in type int)G"},
    {R"G({{1 2}})G",
     R"G(ERR:template: format:1:2: executing "format" at <1>: can't give argument to non-function 1)G"},
    {R"G({{.Name 2}})G",
     R"G(ERR:template: format:1:2: executing "format" at <.Name>: Name is not a method but has arguments)G"},
    {R"G({{nil}})G",
     R"G(ERR:template: format:1:2: executing "format" at <nil>: nil is not a command)G"},
    {R"G({{break}})G", R"G(ERR:template: format:1: {{break}} outside {{range}})G"},
    {R"G({{range .Names}}{{else if .x}}{{end}})G",
     R"G(ERR:template: format:1: unexpected <if> in input)G"},
    {R"G({{printf}})G",
     R"G(ERR:template: format:1:2: executing "format" at <printf>: wrong number of args for printf: want at least 1 got 0)G"},
    {R"G({{ .Name | printf "%s" }})G", R"G(web)G"},
    {R"G({{- .Name -}})G", R"G(web)G"},
    {R"G({{-3}})G", R"G(-3)G"},
    {R"G({{ -3 }})G", R"G(-3)G"},
    {R"G({{with .Missing}}x{{else}}no{{end}})G", R"G(no)G"},
    {R"G({{range $i, $e := .Labels}}{{$i}}{{end}})G", R"G(abio.podman/x)G"},
    {R"G({{.Labels.a | printf "%s!"}}{{$v := .Size}}{{$v}})G", R"G(1!1234)G"},
};

std::string run(std::string_view tmpl, const Json& data, const ExecOptions& opts = {}) {
  auto t = Template::parse(tmpl);
  if (!t.ok()) return "ERR:" + t.error().message();
  auto out = t->execute(data, opts);
  if (!out.ok()) return "ERR:" + out.error().message();
  return *out;
}

TEST(TemplateGo, MatchesGoOutput) {
  Json data = Json::parse(kGoData);
  ExecOptions maps;
  maps.objects_are_maps = true;
  for (const GoCase& c : kGoCases) {
    std::string got = run(c.tmpl, data, maps);
    std::string_view want = c.want;
    if (want.starts_with("ERR:")) {
      // Same message after the location (Go parse errors name the line only, ours line:col).
      std::string_view core = want.substr(want.find("format:") + 7);
      core = core.substr(core.find(' ') + 1);
      if (core.starts_with("executing")) core = core.substr(core.find(">: ") + 3);
      core = core.substr(0, core.find(" in type"));  // Go names its reflect types
      EXPECT_TRUE(std::string_view(got).starts_with("ERR:")) << c.tmpl << " => " << got;
      EXPECT_NE(got.find(core), std::string::npos) << c.tmpl << " => " << got;
    } else {
      EXPECT_EQ(got, want) << c.tmpl;
    }
  }
}

std::string run1(std::string_view tmpl, const Json& data, const ExecOptions& opts = {}) {
  return run(tmpl, data, opts);
}

// A template is user input: ranges that would run for hours end with an error.
TEST(Template, HugeRangesEndWithAnError) {
  for (const char* src : {"{{range $k, $:= 1999999999999999}}$v}};{{end}}",
                          "{{range 10000}}{{range 10000}}{{end}}{{end}}"}) {
    auto t = Template::parse(src);
    ASSERT_TRUE(t.ok()) << src;
    auto r = t->execute(Json::object());
    ASSERT_FALSE(r.ok()) << src;
    EXPECT_NE(r.error().message().find("more than 1048576 iterations"), std::string::npos) << r.error().message();
  }
  EXPECT_EQ(run1("{{range 3}}{{.}}{{end}}", Json::object()), "012");
}

TEST(Template, ObjectsAreStructsByDefault) {
  Json row = {{"Name", "web"}, {"Labels", {{"a", "1"}}}, {"State", {{"Status", "up"}}}};
  auto t = Template::parse("{{.Foo}}");
  ASSERT_TRUE(t.ok());
  auto r = t->execute(row);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.error().message(),
            "template: format:1:2: executing \"format\" at <.Foo>: can't evaluate field Foo in "
            "type object");
  EXPECT_TRUE(run1("{{.State.Nope}}", row).starts_with("ERR:"));
  EXPECT_EQ(run1("{{.State.Status}}", row), "up");
  // Fields named in map_fields are Go maps: a missing key prints "<no value>".
  ExecOptions opts;
  opts.map_fields = {"Labels"};
  EXPECT_EQ(run1("{{.Labels.a}}|{{.Labels.b}}|{{if .Labels.b}}y{{else}}n{{end}}", row, opts),
            "1|<no value>|n");
  EXPECT_TRUE(run1("{{.Labels.b}}", row).starts_with("ERR:"));
  // A null or missing receiver yields no value rather than an error.
  EXPECT_EQ(run1("{{.N.X}}", Json{{"N", nullptr}}), "<no value>");
}

// Printed whole, a struct is "{v1 v2}" (values in stored order) and a map "map[k:v]", as Go's
// %v prints them; what is a map follows map_fields, as field access does.
TEST(Template, PrintsStructsAndMapsAsGoDoes) {
  Json row = {{"InfraConfig",
               {{"PortBindings", {{"8080/tcp", {{{"HostIp", ""}, {"HostPort", "8080"}}}}}},
                {"Labels", {{"b", "2"}, {"a", "1"}}},
                {"Mounts", {{{"Type", "bind"}, {"Options", {{"z", "1"}}}, {"RW", true}}}}}}};
  ExecOptions opts;
  opts.map_fields = {"PortBindings", "Labels", "Options"};
  EXPECT_EQ(run1("{{.InfraConfig.PortBindings}}", row, opts), "map[8080/tcp:[{ 8080}]]");
  EXPECT_EQ(run1("{{.InfraConfig.Labels}}", row, opts), "map[a:1 b:2]");
  EXPECT_EQ(run1("{{.InfraConfig.Mounts}}", row, opts), "[{bind map[z:1] true}]");
  // Data decoded from arbitrary JSON is all maps.
  opts.objects_are_maps = true;
  EXPECT_EQ(run1("{{.InfraConfig.Mounts}}", row, opts), "[map[Options:map[z:1] RW:true Type:bind]]");
}

// A struct's omitempty field reads its zero value; json shows the object as it is.
TEST(Template, FieldDefaultsForOmittedStructFields) {
  Json row = {{"Config", {{"Cmd", {"sh"}}}}};
  ExecOptions opts;
  opts.map_fields = {"Labels"};
  opts.field_defaults = {{"Env", Json::array()}, {"Labels", Json::object()}};
  EXPECT_EQ(run1("{{.Config.Env}}|{{.Config.Labels}}|{{.Config.Cmd}}|{{json .Config}}", row, opts),
            "[]|map[]|[sh]|{\"Cmd\":[\"sh\"]}");
  EXPECT_TRUE(run1("{{.Config.Nope}}", row, opts).starts_with("ERR:"));
}

TEST(Template, ModernGoControlFlow) {
  Json d = {{"A", nullptr}, {"B", "b"}, {"N", 3}, {"L", {1, 2, 3, 4}}};
  EXPECT_EQ(run1("{{with .A}}a{{else with .B}}{{.}}{{else}}none{{end}}", d), "b");
  EXPECT_EQ(run1("{{range .N}}{{.}}{{end}}", d), "012");
  EXPECT_EQ(run1("{{range $i, $v := .L}}{{if eq $v 3}}{{break}}{{end}}{{$i}}{{end}}", d), "01");
  EXPECT_EQ(
      run1("{{range .L}}{{range $.L}}{{if gt . 1}}{{break}}{{end}}{{.}}{{end}}{{.}};{{end}}", d),
      "11;12;13;14;");
  // Variables declared in a body do not leak; assignments reach the outer variable.
  EXPECT_EQ(run1("{{$x := 0}}{{range .L}}{{$x = .}}{{$y := .}}{{end}}{{$x}}", d), "4");
  EXPECT_TRUE(run1("{{range .L}}{{$y := .}}{{end}}{{$y}}", d).starts_with("ERR:"));
  // A value from a function outlives the range that produced it.
  EXPECT_EQ(run1("{{$k := \"\"}}{{range split \"a,b\" \",\"}}{{$k = .}}{{end}}{{$k}}", d), "b");
}

TEST(Template, TrimMarkersNeedASpace) {
  Json d = {{"X", 5}};
  EXPECT_EQ(run1("a {{-3}} b", d), "a -3 b");
  EXPECT_EQ(run1("a\n\t {{- .X -}} \n b", d), "a5b");
  EXPECT_EQ(run1("{{.X -}}\n\n  x", d), "5x");
  EXPECT_TRUE(run1("{{.X-}}", d).starts_with("ERR:"));
}

TEST(Template, JsonFunctionMatchesGoMarshal) {
  Json d = {{"S", "tab\t<&>\x01\b\xe2\x80\xa8\xff"},
            {"F", 0.000001},
            {"G", 1e-7},
            {"I", -3},
            {"U", 18446744073709551615ull},
            {"O", {{"z", 1}, {"a", 2}}}};
  EXPECT_EQ(run1("{{json .S}}", d), R"("tab\t<&>\u0001\b\u2028\ufffd")");
  EXPECT_EQ(run1("{{json .F}} {{json .G}} {{json .I}} {{json .U}}", d),
            "0.000001 1e-7 -3 18446744073709551615");
  // Struct-like objects keep their order; map fields are sorted like Go maps.
  EXPECT_EQ(run1("{{json .O}}", d), R"({"z":1,"a":2})");
  ExecOptions opts;
  opts.map_fields = {"O"};
  EXPECT_EQ(run1("{{json .O}} {{json .}}", Json{{"O", {{"z", 1}, {"a", 2}}}}, opts),
            R"({"a":2,"z":1} {"O":{"a":2,"z":1}})");
}

TEST(Template, ReferencedFields) {
  auto t = Template::parse(
      "{{range .}}{{.ID}}\t{{.Labels.x}}\t{{with .Inner}}{{.Skip}}{{end}}{{if .Cond}}{{.InIf}}"
      "{{end}}{{printf \"%s\" (upper .Name)}}{{range .List}}{{.Elem}}{{end}}{{end}}");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->referencedFields(),
            (std::vector<std::string>{"ID", "Labels", "Inner", "Cond", "InIf", "Name", "List"}));
}

TEST(Template, ParseErrorsNamePosition) {
  auto t = Template::parse("line one\n{{.A | }}{{if}}", "images");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(t.error().message(), "template: images:2:13: missing value for if");
  EXPECT_EQ(Template::parse("{{define \"x\"}}{{end}}").error().message(),
            "template: format:1:2: {{define}} is not supported");
}

}  // namespace
}  // namespace berth::format
