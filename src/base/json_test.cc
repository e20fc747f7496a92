// Tests for the typed JSON accessors: wrong types are errors naming the field, never exceptions.
#include "base/json.h"
#include "base/json_access.h"
#include "base/json_compact.h"
#include "base/json_fast.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

namespace berth::json {
namespace {

Json doc() {
  return Json::parse(R"({"s":"x","i":-3,"u":7,"big":18446744073709551615,"f":1.5,"b":true,
    "n":null,"a":["p","q"],"ai":[1],"o":{"k":"v"},"oi":{"k":1}})");
}

std::string err(const Error& e) { return e.what(); }

TEST(JsonAccess, RightTypes) {
  Json j = doc();
  EXPECT_EQ(*getString(j, "s", ""), "x");
  EXPECT_EQ(*optString(j, "s", ""), "x");
  EXPECT_EQ(*optString(j, "missing", "", "d"), "d");
  EXPECT_EQ(*optString(j, "n", "", "d"), "d");  // null is absent
  EXPECT_EQ(*getInt(j, "i", ""), -3);
  EXPECT_EQ(*optInt(j, "u", ""), 7);
  EXPECT_EQ(*optUint(j, "u", ""), 7u);
  EXPECT_EQ(*optUint(j, "big", ""), UINT64_MAX);
  EXPECT_TRUE(*optBool(j, "b", ""));
  EXPECT_EQ(*optStrings(j, "a", ""), (std::vector<std::string>{"p", "q"}));
  EXPECT_TRUE(optStrings(j, "n", "")->empty());
  EXPECT_EQ(optStringMap(j, "o", "")->at("k"), "v");
  EXPECT_EQ(*optObject(j, "missing", ""), nullptr);
  EXPECT_NE(*optObject(j, "o", ""), nullptr);
  EXPECT_EQ((*getArray(j, "a", ""))->size(), 2u);
}

TEST(JsonAccess, WrongTypesNameTheField) {
  Json j = doc();
  auto s = optString(j, "i", "config");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(err(s.error()), "config.i: expected string, got number");
  EXPECT_EQ(err(getInt(j, "s", "").error()), "s: expected integer, got string");
  EXPECT_EQ(err(getInt(j, "f", "").error()), "f: expected integer, got number");
  EXPECT_EQ(err(optInt(j, "big", "").error()), "big: 18446744073709551615 is out of range");
  EXPECT_EQ(err(optUint(j, "i", "").error()), "i: -3 is negative");
  EXPECT_EQ(err(optBool(j, "s", "").error()), "s: expected boolean, got string");
  EXPECT_EQ(err(optStrings(j, "ai", "x").error()), "x.ai[0]: expected string, got number");
  EXPECT_EQ(err(optStrings(j, "s", "").error()), "s: expected array of strings, got string");
  EXPECT_EQ(err(optStringMap(j, "oi", "").error()), "oi.k: expected string, got number");
  EXPECT_EQ(err(optStringMap(j, "a", "").error()), "a: expected object of strings, got array");
  EXPECT_EQ(err(optObject(j, "a", "").error()), "a: expected object, got array");
  EXPECT_EQ(err(optArray(j, "o", "").error()), "o: expected array, got object");
  EXPECT_EQ(err(getString(j, "missing", "h[2]").error()), "h[2].missing: missing");
  EXPECT_EQ(err(getString(j, "n", "").error()), "n: missing");
}

TEST(JsonAccess, NonObjectContainers) {
  Json arr = Json::array({1, 2});
  EXPECT_EQ(err(optString(arr, "x", "").error()), "expected object, got array");
  EXPECT_EQ(err(optString(Json(5), "x", "history[0]").error()),
            "history[0]: expected object, got number");
  EXPECT_EQ(err(optString(Json(), "x", "h").error()), "h: expected object, got null");
}

TEST(JsonAccess, Paths) {
  EXPECT_EQ(fieldPath("", "a"), "a");
  EXPECT_EQ(fieldPath(indexPath("history", 2), "created"), "history[2].created");
}

TEST(JsonParse, ErrorsAreValues) {
  EXPECT_FALSE(parseJson("{", "doc").ok());
  EXPECT_EQ(parseJson("{", "doc").error().code(), Code::kInvalidArgument);
  EXPECT_FALSE(parseJson("", "doc").ok());
  EXPECT_FALSE(parseJson(std::string("\"\xff\""), "doc").ok());
  EXPECT_TRUE(parseJson("[1]", "doc").ok());
}

TEST(JsonParse, DepthIsCapped) {
  std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(parseJson(ok, "doc").ok());
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto r = parseJson(deep, "doc");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what(), "parse doc: nested deeper than 1000 levels");
  // Brackets inside strings do not count.
  std::string s = "[\"" + std::string(5000, '[') + "\\\"\"]";
  EXPECT_TRUE(parseJson(s, "doc").ok()) << s;
}


std::string nlohmannDump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string compact(const Json& j) {
  std::string out;
  appendCompactJson(out, j);
  return out;
}

TEST(JsonCompact, SameBytesAsNlohmann) {
  Json doc = {
      {"Id", "0123abcd"},
      {"quote\"key", "tab\there"},
      {"ctl", std::string("a\x01b\x1f\x7f", 5)},
      {"utf8", "h\xc3\xa9llo \xe2\x82\xac"},
      {"bad utf8", std::string("x\xff\xfey")},
      {"slash", "a\\b/c"},
      {"nums", {0, -1, 42, std::numeric_limits<int64_t>::min(), std::numeric_limits<uint64_t>::max()}},
      {"floats", {0.5, -1.25e-7, 1e300, 3.0}},
      {"nan", std::numeric_limits<double>::quiet_NaN()},
      {"bools", {true, false, nullptr}},
      {"empty", {{"o", Json::object()}, {"a", Json::array()}, {"s", ""}}},
      {"nested", {{{"x", {{"y", {1, {2, {3}}}}}}}}},
  };
  EXPECT_EQ(compact(doc), nlohmannDump(doc));
  for (const Json& j : {Json(nullptr), Json(7), Json("s"), Json::array(), Json::object(), Json(1.5)})
    EXPECT_EQ(compact(j), nlohmannDump(j));
  // Random strings over every byte value, as keys and values.
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string s(size_t(rng() % 12), '\0');
    for (auto& ch : s) ch = char(rng() % 4 == 0 ? rng() % 256 : 0x20 + rng() % 95);
    Json j = {{s, s}, {"v", Json::array({s, int64_t(rng()) - (1 << 30)})}};
    ASSERT_EQ(compact(j), nlohmannDump(j)) << i;
  }
}

// parseJsonFast gives nlohmann's value for every text it accepts, and accepts what berth writes.
Json randomValue(std::mt19937& rng, int depth) {
  auto str = [&] {
    std::string s(size_t(rng() % 10), '\0');
    for (auto& ch : s) {
      unsigned r = rng() % 20;
      ch = r == 0 ? char(rng() % 0x20) : r == 1 ? char(0x80 + rng() % 0x80) : r == 2 ? '"' : r == 3 ? '\\' : char(0x20 + rng() % 95);
    }
    if (rng() % 8 == 0) s += "h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
    return s;
  };
  switch (depth > 4 ? rng() % 6 : rng() % 8) {
    case 0: return nullptr;
    case 1: return rng() % 2 == 0;
    case 2: return int64_t(rng()) - int64_t(rng()) * 4096;
    case 3: return uint64_t(rng()) << 32 | rng();
    case 4: return double(int(rng() % 2000000) - 1000000) / double(1 + rng() % 1000) * (rng() % 3 == 0 ? 1e200 : 1.0);
    case 5: return str();
    case 6: {
      Json a = Json::array();
      for (unsigned n = rng() % 5; n > 0; --n) a.push_back(randomValue(rng, depth + 1));
      return a;
    }
    default: {
      Json o = Json::object();
      for (unsigned n = rng() % 5; n > 0; --n) o[str()] = randomValue(rng, depth + 1);
      return o;
    }
  }
}

TEST(JsonFast, SameValueAsNlohmann) {
  std::mt19937 rng(11);
  int accepted = 0;
  for (int i = 0; i < 5000; ++i) {
    Json v = randomValue(rng, 0);
    for (int indent : {-1, 2}) {
      std::string text = v.dump(indent, ' ', false, Json::error_handler_t::replace);
      auto fast = parseJsonFast(text);
      Json slow = Json::parse(text, nullptr, false);
      if (fast) {
        ++accepted;
        ASSERT_FALSE(slow.is_discarded()) << text;
        ASSERT_EQ(fast->dump(), slow.dump()) << text;
        ASSERT_EQ(fast->type(), slow.type()) << text;
      }
      // Mutated texts: whatever the fast reader accepts, nlohmann reads the same.
      std::string bad = text;
      for (int k = 0; k < 3 && !bad.empty(); ++k) bad[rng() % bad.size()] = char(rng() % 256);
      if (auto f = parseJsonFast(bad)) {
        Json s = Json::parse(bad, nullptr, false);
        ASSERT_FALSE(s.is_discarded()) << bad;
        ASSERT_EQ(f->dump(), s.dump()) << bad;
      }
    }
  }
  EXPECT_GT(accepted, 9000);  // what berth writes is read by the fast path
}

TEST(JsonFast, RefusesWhatNlohmannMustDecide) {
  for (std::string_view t : {"", "{", "[1,]", "{\"a\":1,}", "01", "-", "1.", "1e", "\"\x01\"", "\"\xff\"",
                             "\"\\ud800\"", "\"\\x\"", "18446744073709551616", "{\"a\":1,\"a\":2}", "1 2", "nul",
                             "\"\xed\xa0\x80\""})
    EXPECT_FALSE(parseJsonFast(t).has_value()) << t;
  EXPECT_EQ(parseJsonTrusted("{\"a\":1,\"a\":2}").dump(), Json::parse("{\"a\":1,\"a\":2}").dump());
  EXPECT_TRUE(parseJsonTrusted("{").is_discarded());
  std::string deep(600, '[');
  deep += std::string(600, ']');
  EXPECT_FALSE(parseJsonFast(deep).has_value());
  EXPECT_EQ(parseJsonFast("-9223372036854775808")->get<int64_t>(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(parseJsonFast("18446744073709551615")->get<uint64_t>(), std::numeric_limits<uint64_t>::max());
  EXPECT_TRUE(parseJsonFast("-0")->is_number_integer());
}

}  // namespace
}  // namespace berth::json
