// Tests of the Go-semantics JSON codec on small structs.
#include "api/types/json_codec.h"

#include <gtest/gtest.h>

namespace berth::api::codec {

struct Inner {
  std::string s;
  int64_t n = 0;
  bool operator==(const Inner&) const = default;
};

struct Outer {
  std::string name;
  std::optional<bool> flag;
  uint16_t port = 0;
  std::vector<std::string> list;
  std::map<std::string, std::string> env;
  std::optional<Inner> inner;
  Inner plain;
  std::vector<Inner> items;
  std::map<uint16_t, std::string> ports;
  std::chrono::nanoseconds dur{0};
  std::string ip;
  std::vector<std::string> ips;
  std::string mac;
  std::vector<std::string> always;
  bool operator==(const Outer&) const = default;
};

template <>
struct Schema<Inner> {
  static const FieldTable<Inner>& table() {
    static const FieldTable<Inner> t(
        {field<Inner, &Inner::s>("s", Omit::kEmpty), field<Inner, &Inner::n>("n", Omit::kEmpty)});
    return t;
  }
};

template <>
struct Schema<Outer> {
  static const FieldTable<Outer>& table() {
    static const FieldTable<Outer> t({
        field<Outer, &Outer::name>("name", Omit::kEmpty),
        field<Outer, &Outer::flag>("flag", Omit::kEmpty),
        field<Outer, &Outer::port>("port", Omit::kEmpty),
        field<Outer, &Outer::list>("list", Omit::kEmpty),
        field<Outer, &Outer::env>("env", Omit::kEmpty),
        field<Outer, &Outer::inner>("inner", Omit::kEmpty),
        field<Outer, &Outer::plain>("Plain", Omit::kEmpty),
        field<Outer, &Outer::items>("items", Omit::kEmpty),
        field<Outer, &Outer::ports>("ports", Omit::kEmpty),
        field<Outer, &Outer::dur>("Dur", Omit::kEmpty),
        field<Outer, &Outer::ip, Check::kIP>("ip", Omit::kEmpty),
        field<Outer, &Outer::ips, Check::kIP>("ips", Omit::kEmpty),
        field<Outer, &Outer::mac, Check::kMAC>("mac", Omit::kEmpty),
        field<Outer, &Outer::always>("always", Omit::kNever),
    });
    return t;
  }
};

namespace {

Result<Outer> decode(std::string_view text, Outer start = {}) {
  Json j = Json::parse(text);
  Path p;
  TRY(Codec<Outer>::decode(j, start, p));
  return start;
}

std::string decodeError(std::string_view text) {
  auto r = decode(text);
  EXPECT_FALSE(r.ok()) << text;
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  return r.error().message();
}

TEST(JsonCodec, DecodesKnownKeysAndIgnoresUnknownOnes) {
  auto r = decode(R"({"name":"a","flag":false,"port":80,"list":["x","y"],"env":{"K":"V"},
                      "inner":{"s":"i","n":-3},"Plain":{"n":4},"items":[{"s":"e"}],
                      "ports":{"53":"udp"},"Dur":5000000000,"unknown":{"deep":[1,2]}})");
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(r->name, "a");
  EXPECT_EQ(r->flag, std::optional<bool>(false));
  EXPECT_EQ(r->port, 80);
  EXPECT_EQ(r->list, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(r->env.at("K"), "V");
  EXPECT_EQ(r->inner, (Inner{"i", -3}));
  EXPECT_EQ(r->plain.n, 4);
  ASSERT_EQ(r->items.size(), 1u);
  EXPECT_EQ(r->ports.at(53), "udp");
  EXPECT_EQ(r->dur, std::chrono::seconds(5));
}

TEST(JsonCodec, KeysMatchCaseInsensitivelyPreferringExact) {
  auto r = decode(R"({"NAME":"a","plain":{"N":2},"dUR":7})");
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(r->name, "a");
  EXPECT_EQ(r->plain.n, 2);
  EXPECT_EQ(r->dur.count(), 7);
  // Go's simple folding: the Kelvin sign folds to k, the long s to s.
  EXPECT_EQ(foldKey("\xE2\x84\xAA"
                    "ey"),
            "key");
  r = decode("{\"li\xC5\xBFt\":[\"z\"]}");
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(r->list, std::vector<std::string>{"z"});
}

TEST(JsonCodec, RepeatedKeysDecodeAgainLikeGo) {
  // Two spellings of one field: maps merge, slices and scalars take the last one.
  auto r = decode(R"({"env":{"A":"1"},"ENV":{"B":"2"},"list":["a"],"LIST":["b"],"name":"x",
                      "Name":"y","inner":{"s":"s"},"Inner":{"n":1}})");
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(r->env.size(), 2u);
  EXPECT_EQ(r->list, std::vector<std::string>{"b"});
  EXPECT_EQ(r->name, "y");
  EXPECT_EQ(r->inner, (Inner{"s", 1}));
}

TEST(JsonCodec, NullKeepsScalarsAndClearsContainers) {
  Outer start;
  start.name = "keep";
  start.port = 9;
  start.flag = true;
  start.list = {"a"};
  start.env = {{"A", "1"}};
  start.inner = Inner{"x", 1};
  auto r = decode(R"({"name":null,"port":null,"flag":null,"list":null,"env":null,"inner":null,
                      "Plain":null})",
                  start);
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(r->name, "keep");
  EXPECT_EQ(r->port, 9);
  EXPECT_FALSE(r->flag.has_value());
  EXPECT_TRUE(r->list.empty());
  EXPECT_TRUE(r->env.empty());
  EXPECT_FALSE(r->inner.has_value());
}

TEST(JsonCodec, DefaultsSurviveWhenTheDocumentIsSilent) {
  Outer start;
  start.flag = true;
  start.name = "dflt";
  auto r = decode(R"({"port":1})", start);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->flag, std::optional<bool>(true));
  EXPECT_EQ(r->name, "dflt");
}

TEST(JsonCodec, WrongTypesNameThePath) {
  EXPECT_EQ(decodeError(R"({"name":5})"), "name: want string, got number 5");
  EXPECT_EQ(decodeError(R"({"flag":"true"})"), "flag: want boolean, got string");
  EXPECT_EQ(decodeError(R"({"list":"x"})"), "list: want array, got string");
  EXPECT_EQ(decodeError(R"({"list":["x",3]})"), "list[1]: want string, got number 3");
  EXPECT_EQ(decodeError(R"({"env":{"K":1}})"), "env[\"K\"]: want string, got number 1");
  EXPECT_EQ(decodeError(R"({"items":[{"s":"a"},{"n":"b"}]})"),
            "items[1].n: want integer, got string");
  EXPECT_EQ(decodeError(R"({"items":[null]})"), "items[0]: want object, got null");
  EXPECT_EQ(decodeError(R"({"Plain":[]})"), "Plain: want object, got array");
  EXPECT_EQ(decodeError(R"({"Dur":"5s"})"), "Dur: want integer (nanoseconds), got string");
  EXPECT_EQ(decodeError(R"([1])"), "want object, got array");
  // The canonical key is named even when the document spelt it otherwise.
  EXPECT_EQ(decodeError(R"({"NAME":true})"), "name: want string, got boolean");
}

TEST(JsonCodec, IntegersMustBeIntegralAndInRange) {
  EXPECT_EQ(decodeError(R"({"port":65536})"), "port: want integer in [0, 65535], got number 65536");
  EXPECT_EQ(decodeError(R"({"port":-1})"), "port: want integer in [0, 65535], got number -1");
  EXPECT_EQ(decodeError(R"({"port":1.5})"), "port: want integer in [0, 65535], got number 1.5");
  EXPECT_EQ(decodeError(R"({"port":1e2})"), "port: want integer in [0, 65535], got number 100.0");
  EXPECT_EQ(decodeError(R"({"plain":{"n":9223372036854775808}})"),
            "Plain.n: want integer, got number 9223372036854775808");
  EXPECT_EQ(decodeError(R"({"ports":{"http":"tcp"}})"),
            "ports[\"http\"]: key must be an integer in [0, 65535]");
  EXPECT_EQ(decodeError(R"({"ports":{"70000":"tcp"}})"),
            "ports[\"70000\"]: key must be an integer in [0, 65535]");
  auto r = decode(R"({"plain":{"n":-9223372036854775808},"port":65535})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->plain.n, INT64_MIN);
}

TEST(JsonCodec, IPAndMACAreCheckedAndCanonical) {
  auto r = decode(R"({"ip":"::ffff:10.1.2.3","ips":["FD00:0:0:0:0:0:0:1","192.168.1.1",""],
                      "mac":"02-42-AC-11-00-02"})");
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(r->ip, "10.1.2.3");
  EXPECT_EQ(r->ips, (std::vector<std::string>{"fd00::1", "192.168.1.1", ""}));
  EXPECT_EQ(r->mac, "02:42:ac:11:00:02");
  r = decode(R"({"mac":"0242.ac11.0002"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->mac, "02:42:ac:11:00:02");
  EXPECT_EQ(decodeError(R"({"ip":"1.2.3"})"), "ip: invalid IP address \"1.2.3\"");
  EXPECT_EQ(decodeError(R"({"ips":["1.2.3.4","01.2.3.4"]})"),
            "ips[1]: invalid IP address \"01.2.3.4\"");
  EXPECT_EQ(decodeError(R"({"ip":"fe80::1%eth0"})"), "ip: invalid IP address \"fe80::1%eth0\"");
  EXPECT_EQ(decodeError(R"({"mac":"02:42:ac:11:00"})"),
            "mac: invalid MAC address \"02:42:ac:11:00\"");
  EXPECT_EQ(decodeError(R"({"mac":"02:42-ac:11:00:02"})"),
            "mac: invalid MAC address \"02:42-ac:11:00:02\"");
}

TEST(JsonCodec, EncodesWithOmitemptyAndNilAsNull) {
  Outer o;
  Json j = Codec<Outer>::encode(o);
  // Only the value struct (never empty) and the always-written slice (nil -> null).
  EXPECT_EQ(j.dump(), R"({"Plain":{},"always":null})");
  o.flag = false;
  o.ports[8080] = "tcp";
  o.dur = std::chrono::milliseconds(1);
  o.always = {"x"};
  j = Codec<Outer>::encode(o);
  EXPECT_EQ(j.dump(),
            R"({"flag":false,"Plain":{},"ports":{"8080":"tcp"},"Dur":1000000,"always":["x"]})");
}

TEST(JsonCodec, RoundTrips) {
  auto r = decode(R"({"name":"a","flag":true,"port":1,"list":["x"],"env":{"K":"V"},
                      "inner":{"s":"i"},"Plain":{"n":4},"items":[{"s":"e","n":2}],
                      "ports":{"1":"a","2":"b"},"Dur":3,"ip":"::1","ips":["1.1.1.1"],
                      "mac":"aa:bb:cc:dd:ee:ff","always":["z"]})");
  ASSERT_TRUE(r.ok()) << r.error().what();
  Json j = Codec<Outer>::encode(*r);
  Outer back;
  Path p;
  ASSERT_TRUE(Codec<Outer>::decode(j, back, p).ok());
  EXPECT_EQ(back, *r);
}

}  // namespace
}  // namespace berth::api::codec
