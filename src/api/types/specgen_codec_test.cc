// Tests of the SpecGenerator codec: real bodies from podman 4.3.1's bindings decode without
// loss, every podman key maps to a field, and bad input is refused naming the field.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "berth/api/specgen.h"

namespace berth::api {
namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string testdata(const std::string& rel) { return std::string(BERTH_API_TESTDATA) + "/" + rel; }

// Go cannot tell an absent key from its zero value in a non-pointer field, so "no loss" means:
// equal after treating a missing key like null, "", 0, false, [] or {}.
bool isZero(const Json& v) {
  return v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty()) ||
         (v.is_number() && v.get<double>() == 0) || (v.is_boolean() && !v.get<bool>()) ||
         (v.is_array() && v.empty()) || (v.is_object() && v.empty());
}

// Returns "" when equal, else the path of the first difference.
std::string diff(const Json& a, const Json& b, const std::string& path = "") {
  if (a.is_object() && b.is_object()) {
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (!b.contains(it.key())) {
        if (!isZero(it.value())) return path + "." + it.key() + " (only in first)";
        continue;
      }
      if (auto d = diff(it.value(), b[it.key()], path + "." + it.key()); !d.empty()) return d;
    }
    for (auto it = b.begin(); it != b.end(); ++it)
      if (!a.contains(it.key()) && !isZero(it.value()))
        return path + "." + it.key() + " (only in second)";
    return "";
  }
  if (a.is_array() && b.is_array()) {
    if (a.size() != b.size()) return path + " (length)";
    for (size_t i = 0; i < a.size(); ++i)
      if (auto d = diff(a[i], b[i], path + "[" + std::to_string(i) + "]"); !d.empty()) return d;
    return "";
  }
  if (isZero(a) && isZero(b)) return "";
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>() ? "" : path;
  return a == b ? "" : path + ": " + a.dump() + " vs " + b.dump();
}

std::string decodeError(const std::string& text) {
  auto r = parseSpecGenerator(text);
  EXPECT_FALSE(r.ok()) << text;
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  return r.error().message();
}

class PodmanBodies : public ::testing::TestWithParam<std::string> {};

TEST_P(PodmanBodies, DecodeWithoutLoss) {
  std::string text = readFile(testdata("podman-4.3.1/" + GetParam() + ".json"));
  ASSERT_FALSE(text.empty()) << GetParam();
  Json original = Json::parse(text);
  auto spec = parseSpecGenerator(text);
  ASSERT_TRUE(spec.ok()) << spec.error().what();
  Json encoded = encodeSpecGenerator(*spec);
  EXPECT_EQ(diff(original, encoded), "") << GetParam();
  auto again = decodeSpecGenerator(encoded);
  ASSERT_TRUE(again.ok()) << again.error().what();
  EXPECT_TRUE(*again == *spec) << GetParam();
  // Every key podman sent is one we know (so nothing was ignored).
  for (auto it = original.begin(); it != original.end(); ++it)
    EXPECT_TRUE(encoded.contains(it.key()) || isZero(it.value())) << it.key();
}

INSTANTIATE_TEST_SUITE_P(Podman431, PodmanBodies,
                         ::testing::Values("minimal", "full", "network", "netns", "userns",
                                           "netcontainer", "envfile", "rootfs"));

TEST(SpecGeneratorCodec, FullPodmanBodyHasTheTypedValues) {
  auto s = parseSpecGenerator(readFile(testdata("podman-4.3.1/full.json")));
  ASSERT_TRUE(s.ok()) << s.error().what();
  EXPECT_EQ(s->name, "full");
  EXPECT_EQ(s->command, (std::vector<std::string>{"sh", "-c", "echo <hi> & bye"}));
  EXPECT_EQ(s->terminal, std::optional<bool>(true));
  EXPECT_EQ(s->stop_signal, std::optional<int64_t>(2));
  EXPECT_EQ(s->stop_timeout, std::optional<uint64_t>(30));
  EXPECT_EQ(s->restart_policy, "on-failure");
  EXPECT_EQ(s->restart_tries, std::optional<uint64_t>(3));
  ASSERT_TRUE(s->log_configuration);
  EXPECT_EQ(s->log_configuration->driver, "json-file");
  EXPECT_EQ(s->log_configuration->size, 10000000);
  EXPECT_TRUE(s->pidns.is(NamespaceMode::kHost));
  EXPECT_TRUE(s->utsns.is(NamespaceMode::kUnset));
  EXPECT_TRUE(s->ipcns.is(NamespaceMode::kPrivate));
  ASSERT_EQ(s->volumes.size(), 2u);
  EXPECT_EQ(s->volumes[0].name, "named");
  EXPECT_EQ(s->volumes[1].dest, "/anon");
  ASSERT_EQ(s->devices.size(), 1u);
  EXPECT_EQ(s->devices[0].path, "/dev/null:/dev/mynull:rw");
  EXPECT_EQ(s->shm_size, std::optional<int64_t>(134217728));
  ASSERT_EQ(s->portmappings.size(), 2u);
  EXPECT_EQ(s->portmappings[1].host_ip, "127.0.0.1");
  EXPECT_EQ(s->portmappings[1].range, 2);
  EXPECT_EQ(s->portmappings[1].protocol, "udp");
  EXPECT_EQ(s->expose.at(7000), "tcp");
  EXPECT_EQ(s->dns_server, std::vector<std::string>{"1.1.1.1"});
  ASSERT_TRUE(s->resource_limits && s->resource_limits->cpu);
  EXPECT_EQ(s->resource_limits->cpu->quota, std::optional<int64_t>(150000));
  EXPECT_EQ(s->resource_limits->pids->limit, std::optional<int64_t>(100));
  EXPECT_EQ(s->resource_limits->block_io->weight, std::optional<uint16_t>(300));
  ASSERT_EQ(s->r_limits.size(), 1u);
  EXPECT_EQ(s->r_limits[0].type, "nofile");
  EXPECT_EQ(s->throttle_read_bps_device.at("/dev/null").rate, 1048576u);
  ASSERT_TRUE(s->healthconfig);
  EXPECT_EQ(s->healthconfig->test, (std::vector<std::string>{"CMD-SHELL", "true"}));
  EXPECT_EQ(s->healthconfig->interval, std::chrono::seconds(5));
  EXPECT_EQ(s->healthconfig->start_period, std::chrono::seconds(1));
  EXPECT_EQ(s->health_check_on_failure_action, HealthCheckOnFailureAction::kKill);
  EXPECT_EQ(s->use_image_hosts, std::optional<bool>(false));
  EXPECT_EQ(s->manage_password, std::optional<bool>(true));
  EXPECT_FALSE(s->privileged.has_value());
  EXPECT_TRUE(s->networks.empty());
}

TEST(SpecGeneratorCodec, NetworkBodyHasPerNetworkOptions) {
  auto s = parseSpecGenerator(readFile(testdata("podman-4.3.1/network.json")));
  ASSERT_TRUE(s.ok()) << s.error().what();
  EXPECT_TRUE(s->netns.is(NamespaceMode::kBridge));
  const auto& n = s->networks.at("default");
  EXPECT_EQ(n.static_ips, std::vector<std::string>{"10.88.0.5"});
  EXPECT_EQ(n.aliases, (std::vector<std::string>{"foo", "bar"}));
  EXPECT_EQ(n.static_mac, "92:d0:c6:0a:29:33");
  EXPECT_EQ(s->publish_image_ports, std::optional<bool>(true));
  EXPECT_EQ(s->use_image_hosts, std::optional<bool>(true));
}

TEST(SpecGeneratorCodec, EveryPodmanKeyMapsToAField) {
  // One of every key of podman 4.3.1 and later, each with a non-zero value.
  std::string text = readFile(testdata("synthetic/all_fields.json"));
  Json original = Json::parse(text);
  auto s = parseSpecGenerator(text);
  ASSERT_TRUE(s.ok()) << s.error().what();
  Json encoded = encodeSpecGenerator(*s);
  EXPECT_EQ(encoded.size(), original.size());
  for (auto it = original.begin(); it != original.end(); ++it)
    EXPECT_TRUE(encoded.contains(it.key())) << it.key();
  EXPECT_EQ(diff(original, encoded), "");
  // Exact equality too, modulo key order: nothing normalised away.
  EXPECT_EQ(nlohmann::json::parse(original.dump()), nlohmann::json::parse(encoded.dump()));
  auto again = decodeSpecGenerator(encoded);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(*again == *s);
  EXPECT_EQ(s->userns.nsmode, NamespaceMode::kAuto);
  EXPECT_EQ(s->health_check_on_failure_action, HealthCheckOnFailureAction::kRestart);
  ASSERT_TRUE(s->startup_health_config);
  EXPECT_EQ(s->startup_health_config->successes, 6);
  EXPECT_EQ(s->startup_health_config->interval.count(), 3);
  EXPECT_EQ(s->libpod_namespace, "ns1");
  EXPECT_EQ(s->volatile_storage, std::optional<bool>(true));
  EXPECT_EQ(s->expose.at(53), "udp");
}

TEST(SpecGeneratorCodec, CaseInsensitiveKeysAsGoDecodes) {
  auto s = parseSpecGenerator(
      R"({"IMAGE":"alpine","Name":"c","networks":{"n":{}},"HealthConfig":{"interval":5},
          "RESOURCE_LIMITS":{"Memory":{"LIMIT":1}},"Pidns":{"NSMode":"host"}})");
  ASSERT_TRUE(s.ok()) << s.error().what();
  EXPECT_EQ(s->image, "alpine");
  EXPECT_EQ(s->name, "c");
  EXPECT_EQ(s->networks.count("n"), 1u);
  EXPECT_EQ(s->healthconfig->interval.count(), 5);
  EXPECT_EQ(s->resource_limits->memory->limit, std::optional<int64_t>(1));
  EXPECT_TRUE(s->pidns.is(NamespaceMode::kHost));
}

TEST(SpecGeneratorCodec, RefusesWrongTypesNamingTheField) {
  EXPECT_EQ(decodeError(R"({"healthconfig":{"Interval":"5s"}})"),
            "healthconfig.Interval: want integer (nanoseconds), got string");
  EXPECT_EQ(decodeError(R"({"env":["A=1"]})"), "env: want object, got array");
  EXPECT_EQ(decodeError(R"({"terminal":"yes"})"), "terminal: want boolean, got string");
  EXPECT_EQ(decodeError(R"({"stop_timeout":-1})"),
            "stop_timeout: want non-negative integer, got number -1");
  EXPECT_EQ(decodeError(R"({"stop_signal":"SIGTERM"})"), "stop_signal: want integer, got string");
  EXPECT_EQ(decodeError(R"({"portmappings":[{"container_port":80},{"host_port":70000}]})"),
            "portmappings[1].host_port: want integer in [0, 65535], got number 70000");
  EXPECT_EQ(decodeError(R"({"mounts":[{"destination":"/a","options":"ro"}]})"),
            "mounts[0].options: want array, got string");
  EXPECT_EQ(decodeError(R"({"volumes":[null]})"), "volumes[0]: want object, got null");
  EXPECT_EQ(decodeError(R"({"resource_limits":{"memory":{"limit":"1g"}}})"),
            "resource_limits.memory.limit: want integer, got string");
  EXPECT_EQ(decodeError(R"({"resource_limits":{"blockIO":{"weight":70000}}})"),
            "resource_limits.blockIO.weight: want integer in [0, 65535], got number 70000");
  EXPECT_EQ(decodeError(R"({"weightDevice":{"/dev/sda":{"weight":-5}}})"),
            "weightDevice[\"/dev/sda\"].weight: want integer in [0, 65535], got number -5");
  EXPECT_EQ(decodeError(R"({"idmappings":{"UIDMap":[{"container_id":"0"}]}})"),
            "idmappings.UIDMap[0].container_id: want integer, got string");
  EXPECT_EQ(decodeError(R"({"pidns":"host"})"), "pidns: want object, got string");
  EXPECT_EQ(decodeError(R"("alpine")"), "want object, got string");
}

TEST(SpecGeneratorCodec, RefusesUnknownValues) {
  EXPECT_EQ(decodeError(R"({"pidns":{"nsmode":"hots"}})"),
            "pidns.nsmode: unknown namespace mode \"hots\"");
  EXPECT_EQ(decodeError(R"({"health_check_on_failure_action":1})"),
            "health_check_on_failure_action: unknown on-failure action 1: want 0 (none), 2 "
            "(kill), 3 (restart) or 4 (stop)");
  EXPECT_EQ(decodeError(R"({"health_check_on_failure_action":"kill"})"),
            "health_check_on_failure_action: want integer, got string");
  EXPECT_EQ(decodeError(R"({"dns_server":["8.8.8.8","dns.google"]})"),
            "dns_server[1]: invalid IP address \"dns.google\"");
  EXPECT_EQ(decodeError(R"({"Networks":{"n":{"static_ips":["10.0.0.300"]}}})"),
            "Networks[\"n\"].static_ips[0]: invalid IP address \"10.0.0.300\"");
  EXPECT_EQ(decodeError(R"({"Networks":{"n":{"static_mac":"zz:zz:zz:zz:zz:zz"}}})"),
            "Networks[\"n\"].static_mac: invalid MAC address \"zz:zz:zz:zz:zz:zz\"");
  EXPECT_EQ(decodeError(R"({"expose":{"http":"tcp"}})"),
            "expose[\"http\"]: key must be an integer in [0, 65535]");
}

TEST(SpecGeneratorCodec, SyntaxErrorsAreInvalidArgument) {
  auto r = parseSpecGenerator(R"({"name": )");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
}

TEST(SpecGeneratorCodec, EncodesLikePodmansClient) {
  SpecGenerator s;
  s.image = "alpine";
  s.command = {"true"};
  s.terminal = false;
  Json j = encodeSpecGenerator(s);
  // Always-written keys (no omitempty in podman) and the explicitly set pointer field.
  EXPECT_EQ(j.dump(), R"({"command":["true"],"terminal":false,"pidns":{},"utsns":{},)"
                      R"("init_container_type":"","image":"alpine","ipcns":{},"userns":{},)"
                      R"("cgroupns":{},"netns":{},"Networks":null})");
  s.healthconfig = Schema2HealthConfig{{"CMD", "true"}, {}, {}, std::chrono::seconds(30), {}, 3};
  s.health_check_on_failure_action = HealthCheckOnFailureAction::kStop;
  s.netns = {NamespaceMode::kPath, "/run/netns/x"};
  s.expose = {{80, "tcp"}};
  j = encodeSpecGenerator(s);
  EXPECT_EQ(j["healthconfig"].dump(),
            R"({"Test":["CMD","true"],"Interval":30000000000,"Retries":3})");
  EXPECT_EQ(j["health_check_on_failure_action"], 4);
  EXPECT_EQ(j["netns"].dump(), R"({"nsmode":"path","value":"/run/netns/x"})");
  EXPECT_EQ(j["expose"].dump(), R"({"80":"tcp"})");
}

TEST(SpecGeneratorCodec, NamespaceHelpers) {
  EXPECT_EQ(parseNamespaceMode("keep-id"), NamespaceMode::kKeepId);
  EXPECT_EQ(parseNamespaceMode("nomap"), std::nullopt);
  EXPECT_EQ(namespaceModeName(NamespaceMode::kNoMap), "no-map");
  EXPECT_EQ((Namespace{NamespaceMode::kContainer, "abc"}).str(), "container:abc");
  EXPECT_TRUE(Namespace{}.isDefault());
  EXPECT_TRUE((Namespace{NamespaceMode::kDefault, ""}).isDefault());
  EXPECT_EQ(parseHealthOnFailure("restart"), HealthCheckOnFailureAction::kRestart);
  EXPECT_EQ(parseHealthOnFailure("invalid"), std::nullopt);
}

}  // namespace
}  // namespace berth::api
