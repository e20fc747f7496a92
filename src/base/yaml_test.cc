// YAML in and out: typing as go-yaml v2, go-yaml's output style, hostile documents refused.
#include "base/yaml.h"

#include <gtest/gtest.h>

namespace berth::yaml {
namespace {

Json one(std::string_view text) {
  auto d = parseDocuments(text, "test.yaml");
  EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().what());
  if (!d.ok() || d->size() != 1) return nullptr;
  return (*d)[0];
}

TEST(Yaml, ScalarTyping) {
  Json j = one("a: 1\nb: \"1\"\nc: yes\nd: ~\ne: 1.5\nf: 0x10\ng: text\nh: 'true'\ni: !!str 12\nj: -7\nk: 0777\n");
  EXPECT_EQ(j["a"], 1);
  EXPECT_EQ(j["b"], "1");
  EXPECT_EQ(j["c"], true);
  EXPECT_TRUE(j["d"].is_null());
  EXPECT_EQ(j["e"], 1.5);
  EXPECT_EQ(j["f"], 16);
  EXPECT_EQ(j["g"], "text");
  EXPECT_EQ(j["h"], "true");
  EXPECT_EQ(j["i"], "12");
  EXPECT_EQ(j["j"], -7);
  EXPECT_EQ(j["k"], 511);
}

TEST(Yaml, DocumentsAnchorsAndMerge) {
  auto d = parseDocuments("---\na: &x {p: 1}\nb: *x\nc:\n  <<: *x\n  q: 2\n---\n---\n- 1\n- [2, 3]\n", "t");
  ASSERT_TRUE(d.ok()) << d.error().what();
  ASSERT_EQ(d->size(), 2u);  // the empty document is skipped
  EXPECT_EQ((*d)[0]["b"]["p"], 1);
  EXPECT_EQ((*d)[0]["c"]["p"], 1);
  EXPECT_EQ((*d)[0]["c"]["q"], 2);
  EXPECT_EQ((*d)[1][1][1], 3);
}

TEST(Yaml, HostileDocumentsAreErrors) {
  auto bad = parseDocuments("a: [1, 2\n", "pod.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().what().find("pod.yaml: line"), std::string::npos) << bad.error().what();
  auto dup = parseDocuments("a: 1\na: 2\n", "pod.yaml");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().what().find("\"a\" already defined"), std::string::npos) << dup.error().what();
  EXPECT_FALSE(parseDocuments("a: *nope\n", "t").ok());
  // A billion laughs: nine levels of ten aliases each would be 10^9 values.
  std::string lol = "a: &a [x,x,x,x,x,x,x,x,x,x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string p(1, static_cast<char>(c - 1));
    lol += std::string(1, c) + ": &" + c + " [*" + p + ",*" + p + ",*" + p + ",*" + p + ",*" + p + ",*" + p + ",*" +
           p + ",*" + p + ",*" + p + ",*" + p + "]\n";
  }
  auto laughs = parseDocuments(lol, "t");
  ASSERT_FALSE(laughs.ok());
  EXPECT_NE(laughs.error().what().find("aliases expanded"), std::string::npos) << laughs.error().what();
  std::string deep(5000, '[');
  EXPECT_FALSE(parseDocuments(deep, "t").ok());
}

TEST(Yaml, EmitsGoYamlStyle) {
  Json doc = {{"kind", "Pod"},
              {"apiVersion", "v1"},
              {"metadata", {{"name", "p"}, {"annotations", {{"b/x", "FALSE"}, {"a", "false"}, {"c", "plain"}}}}},
              {"spec",
               {{"containers",
                 Json::array({{{"name", "c"}, {"command", {"sh", "-c", "echo hi"}}, {"resources", Json::object()}}})}}},
              {"n", "80"},
              {"e", ""},
              {"t", "- x"},
              {"m", "a\nb"}};
  EXPECT_EQ(emit(doc),
            "apiVersion: v1\n"
            "e: \"\"\n"
            "kind: Pod\n"
            "m: |-\n  a\n  b\n"
            "metadata:\n"
            "  annotations:\n"
            "    a: \"false\"\n"
            "    b/x: \"FALSE\"\n"
            "    c: plain\n"
            "  name: p\n"
            "\"n\": \"80\"\n"  // "n" is a YAML 1.1 boolean: go-yaml v2 quotes it as a key too
            "spec:\n"
            "  containers:\n"
            "  - command:\n"
            "    - sh\n"
            "    - -c\n"
            "    - echo hi\n"
            "    name: c\n"
            "    resources: {}\n"
            "t: '- x'\n");
  // And it reads back to the same values.
  Json back = one(emit(doc));
  EXPECT_EQ(back["metadata"]["annotations"]["b/x"], "FALSE");
  EXPECT_EQ(back["n"], "80");
  EXPECT_EQ(back["m"], "a\nb");
}

TEST(Yaml, KeyOrderIsGoYamls) {
  EXPECT_TRUE(keyLess("a10", "a9") == false);
  EXPECT_TRUE(keyLess("a9", "a10"));
  EXPECT_TRUE(keyLess("a.b", "ab"));  // non-letters first
  EXPECT_TRUE(keyLess("Z", "a"));
}

}  // namespace
}  // namespace berth::yaml
