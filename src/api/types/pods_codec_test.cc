// Tests of the pod JSON: PodSpecGenerator bodies as podman's bindings send them, ListPodsReport
// and PodStatsReport round trips, and bad input refused naming the field.
#include <gtest/gtest.h>

#include "berth/api/pods.h"

namespace berth::api {
namespace {

TEST(PodSpecTest, DecodesPodmanBody) {
  // `podman --remote pod create --name p1 --label a=b -p 8080:80 --network n1 --share ipc,net`.
  auto j = parseJson(R"({"name":"p1","labels":{"a":"b"},"shared_namespaces":["ipc","net"],
    "share_parent":true,"infra_name":"p1-inf","infra_command":["/catatonit","-P"],
    "netns":{"nsmode":"bridge"},"portmappings":[{"container_port":80,"host_port":8080,"protocol":"tcp"}],
    "Networks":{"n1":{"aliases":["x"]}},"dns_server":["10.213.0.1"],"hostadd":["h:10.213.0.2"],
    "pod_create_command":["podman","pod","create"],"no_manage_hosts":false})",
                     "body");
  ASSERT_TRUE(j.ok());
  auto req = podSpecFromJson(*j);
  ASSERT_TRUE(req.ok()) << req.error().what();
  EXPECT_EQ(req->name, "p1");
  EXPECT_EQ(req->labels.at("a"), "b");
  ASSERT_TRUE(req->share.has_value());
  EXPECT_EQ(*req->share, "ipc,net");
  EXPECT_TRUE(req->infra);
  EXPECT_EQ(req->infra_name, "p1-inf");
  EXPECT_EQ(req->infra_command, (std::vector<std::string>{"/catatonit", "-P"}));
  EXPECT_TRUE(req->network.netns.is(NamespaceMode::kBridge));
  ASSERT_EQ(req->network.portmappings.size(), 1u);
  EXPECT_EQ(req->network.portmappings[0].host_port, 8080);
  EXPECT_EQ(req->network.networks.at("n1").aliases, std::vector<std::string>{"x"});
  EXPECT_EQ(req->network.dns_server, std::vector<std::string>{"10.213.0.1"});

  // Encoding gives the same request back.
  auto again = podSpecFromJson(podSpecToJson(*req));
  ASSERT_TRUE(again.ok()) << again.error().what();
  EXPECT_EQ(again->name, req->name);
  EXPECT_EQ(again->share, req->share);
  EXPECT_EQ(again->infra_command, req->infra_command);
  EXPECT_EQ(again->network, req->network);
}

TEST(PodSpecTest, DefaultsAndNoInfra) {
  auto req = podSpecFromJson(Json::object());
  ASSERT_TRUE(req.ok());
  EXPECT_TRUE(req->infra);
  EXPECT_TRUE(req->share_parent);
  EXPECT_FALSE(req->share.has_value());
  auto none = podSpecFromJson(Json{{"no_infra", true}});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->infra);
}

TEST(PodSpecTest, RefusesWrongTypesNamingTheField) {
  for (auto [body, field] : std::vector<std::pair<const char*, const char*>>{
           {R"({"name": 5})", "name"},
           {R"({"labels": ["a"]})", "labels"},
           {R"({"shared_namespaces": "ipc"})", "shared_namespaces"},
           {R"({"no_infra": "yes"})", "no_infra"},
           {R"({"portmappings": [{"host_port": "x"}]})", "portmappings[0].host_port"},
           {R"({"dns_server": ["not-an-ip"]})", "dns_server[0]"}}) {
    auto j = parseJson(body, "body");
    ASSERT_TRUE(j.ok()) << body;
    auto req = podSpecFromJson(*j);
    ASSERT_FALSE(req.ok()) << body;
    EXPECT_EQ(req.error().code(), Code::kInvalidArgument) << body;
    EXPECT_NE(req.error().what().find(field), std::string::npos) << req.error().what();
  }
  EXPECT_FALSE(podSpecFromJson(Json::array()).ok());
}

TEST(PodSummaryTest, RoundTrip) {
  PodSummary p;
  p.id = std::string(64, 'a');
  p.name = "p1";
  p.status = kPodRunning;
  p.infra_id = std::string(64, 'b');
  p.created = 1700000000123456789;
  p.labels = {{"k", "v"}};
  p.networks = {"podman"};
  p.containers = {{p.infra_id, "p1-infra", "running"}};
  Json j = podSummaryToJson(p);
  EXPECT_EQ(j["Containers"][0]["Names"], "p1-infra");
  auto back = podSummaryFromJson(j);
  ASSERT_TRUE(back.ok()) << back.error().what();
  EXPECT_EQ(back->id, p.id);
  EXPECT_EQ(back->created, p.created);
  EXPECT_EQ(back->labels, p.labels);
  EXPECT_EQ(back->networks, p.networks);
  ASSERT_EQ(back->containers.size(), 1u);
  EXPECT_EQ(back->containers[0].status, "running");
  EXPECT_FALSE(podSummaryFromJson(Json{{"Containers", Json{{"Id", 1}}}}).ok());
}

TEST(PodStatsTest, RoundTrip) {
  PodStatsReport r{"pod", "cid", "n", "1.00%", "1kB / 2kB", "1kB / 2kB", "50.00%", "0B / 0B", "0B / 0B", "3"};
  auto back = podStatsFromJson(podStatsToJson(r));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->cpu, "1.00%");
  EXPECT_EQ(back->pids, "3");
  EXPECT_FALSE(podStatsFromJson(Json{{"CPU", 1}}).ok());
}

}  // namespace
}  // namespace berth::api
