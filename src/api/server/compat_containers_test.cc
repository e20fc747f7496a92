// Docker create body -> SpecGenerator, and the Docker shapes.
#include <gtest/gtest.h>

#include "api/server/compat_containers.h"
#include "api/server/compat_images.h"

namespace berth::api::server {
namespace {

Result<SpecGenerator> convert(const char* text, std::vector<std::string>* w = nullptr) {
  std::vector<std::string> scratch;
  return specFromDockerCreate(Json::parse(text), "n1", w ? *w : scratch);
}

TEST(DockerCreate, ConfigAndHostConfig) {
  auto s = convert(R"({
    "Image": "busybox", "Cmd": ["sh", "-c", "echo hi"], "Entrypoint": "/init",
    "Env": ["A=1", "B=x=y", "C"], "Tty": true, "OpenStdin": true, "User": "1000:1000",
    "WorkingDir": "/w", "Hostname": "h", "Labels": {"k": "v"}, "StopSignal": "SIGINT", "StopTimeout": 3,
    "ExposedPorts": {"80/tcp": {}, "53/udp": {}},
    "Healthcheck": {"Test": ["CMD", "true"], "Interval": 1000000000, "Retries": 2},
    "HostConfig": {"Binds": ["/src:/dst:ro"], "AutoRemove": true, "Privileged": false, "ReadonlyRootfs": true,
                   "CapAdd": ["NET_ADMIN"], "CapDrop": ["MKNOD"], "ShmSize": 1048576,
                   "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 3},
                   "LogConfig": {"Type": "json-file", "Config": {}}, "NetworkMode": "host",
                   "PortBindings": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}]},
                   "Tmpfs": {"/run": "size=1m"}, "Memory": 10485760, "NanoCpus": 500000000, "PidsLimit": 64,
                   "Ulimits": [{"Name": "nofile", "Soft": 10, "Hard": 20}], "Dns": ["1.1.1.1"],
                   "ExtraHosts": ["a:1.2.3.4"], "PidMode": "host"}
  })");
  ASSERT_TRUE(s.ok()) << s.error().what();
  EXPECT_EQ(s->name, "n1");
  EXPECT_EQ(s->image, "busybox");
  EXPECT_EQ(s->command, (std::vector<std::string>{"sh", "-c", "echo hi"}));
  EXPECT_EQ(s->entrypoint, (std::vector<std::string>{"/init"}));
  EXPECT_EQ(s->env.at("A"), "1");
  EXPECT_EQ(s->env.at("B"), "x=y");
  EXPECT_EQ(s->env.at("C"), "");
  EXPECT_EQ(s->terminal, true);
  EXPECT_EQ(s->stdin, true);
  EXPECT_EQ(s->user, "1000:1000");
  EXPECT_EQ(s->work_dir, "/w");
  EXPECT_EQ(s->labels.at("k"), "v");
  EXPECT_EQ(s->stop_signal, 2);
  EXPECT_EQ(s->stop_timeout, 3u);
  EXPECT_EQ(s->expose.at(80), "tcp");
  EXPECT_EQ(s->expose.at(53), "udp");
  ASSERT_TRUE(s->healthconfig.has_value());
  EXPECT_EQ(s->healthconfig->interval, std::chrono::seconds(1));
  ASSERT_EQ(s->mounts.size(), 2u);
  EXPECT_EQ(s->mounts[0].source, "/src");
  EXPECT_EQ(s->mounts[0].destination, "/dst");
  EXPECT_NE(std::find(s->mounts[0].options.begin(), s->mounts[0].options.end(), "ro"), s->mounts[0].options.end());
  EXPECT_EQ(s->mounts[1].type, "tmpfs");
  EXPECT_EQ(s->remove, true);
  EXPECT_EQ(s->read_only_filesystem, true);
  EXPECT_EQ(s->cap_add, (std::vector<std::string>{"NET_ADMIN"}));
  EXPECT_EQ(s->shm_size, 1048576);
  EXPECT_EQ(s->restart_policy, "on-failure");
  EXPECT_EQ(s->restart_tries, 3u);
  ASSERT_TRUE(s->log_configuration.has_value());
  EXPECT_EQ(s->log_configuration->driver, "k8s-file");
  EXPECT_TRUE(s->netns.is(NamespaceMode::kHost));
  EXPECT_TRUE(s->pidns.is(NamespaceMode::kHost));
  ASSERT_EQ(s->portmappings.size(), 1u);
  EXPECT_EQ(s->portmappings[0].host_port, 8080);
  EXPECT_EQ(s->portmappings[0].container_port, 80);
  EXPECT_EQ(s->portmappings[0].host_ip, "127.0.0.1");
  ASSERT_TRUE(s->resource_limits && s->resource_limits->memory && s->resource_limits->cpu && s->resource_limits->pids);
  EXPECT_EQ(s->resource_limits->memory->limit, 10485760);
  EXPECT_EQ(s->resource_limits->cpu->quota, 50000);
  EXPECT_EQ(s->resource_limits->cpu->period, 100000u);
  EXPECT_EQ(s->resource_limits->pids->limit, 64);
  ASSERT_EQ(s->r_limits.size(), 1u);
  EXPECT_EQ(s->r_limits[0].type, "RLIMIT_NOFILE");
  EXPECT_EQ(s->dns_server, (std::vector<std::string>{"1.1.1.1"}));
  EXPECT_EQ(s->hostadd, (std::vector<std::string>{"a:1.2.3.4"}));
  EXPECT_FALSE(s->annotations.count(std::string(kDockerAttachAnnotation)));
}

// docker-py's create without detach: the streams a later attach wants, kept for inspect.
TEST(DockerCreate, AttachFlagsKept) {
  auto s = convert(R"({"Image": "busybox", "AttachStdin": false, "AttachStdout": true, "AttachStderr": true})");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->annotations.at(std::string(kDockerAttachAnnotation)), "stdout,stderr");
  EXPECT_FALSE(convert(R"({"Image": "busybox", "AttachStdout": "yes"})").ok());
}

TEST(DockerCreate, WrongTypesNameTheField) {
  auto r = convert(R"({"Image": "busybox", "Cmd": 5})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_NE(r.error().message().find("Cmd"), std::string::npos) << r.error().message();
  r = convert(R"({"Image": "busybox", "HostConfig": {"Memory": "lots"}})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("Memory"), std::string::npos) << r.error().message();
  r = convert(R"({"Image": "busybox", "HostConfig": {"PortBindings": {"99999/tcp": []}}})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("PortBindings"), std::string::npos);
  r = convert(R"({"Image": "busybox", "HostConfig": {"Binds": ["./relative:/x"]}})");
  ASSERT_FALSE(r.ok());
  r = convert(R"({"Image": "busybox", "HostConfig": {"Binds": ["vol:x"]}})");
  ASSERT_FALSE(r.ok());
  r = convert(R"({"Image": "busybox", "NetworkingConfig": {"EndpointsConfig": {"n": {"Aliases": "a"}}}})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("Aliases"), std::string::npos) << r.error().message();
  r = convert(R"({"Image": "busybox", "Volumes": {"rel": {}}})");
  ASSERT_FALSE(r.ok());
  r = convert(R"({"Cmd": ["true"]})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("Image"), std::string::npos);
  r = convert(R"({"Image": "busybox", "Config": 1, "HostConfig": []})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("HostConfig"), std::string::npos);
}

TEST(DockerCreate, DefaultNetworkIsNoWarning) {
  std::vector<std::string> w;
  auto r = convert(R"({"Image": "busybox", "NetworkingConfig": {"EndpointsConfig": {"default": {}}}})", &w);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(w.empty());
  r = convert(R"({"Image": "busybox", "HostConfig": {"NetworkMode": "host"},
                  "NetworkingConfig": {"EndpointsConfig": {"host": {}}}})", &w);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(w.empty());
  EXPECT_TRUE(r->netns.is(NamespaceMode::kHost));
  EXPECT_TRUE(r->networks.empty());
}

// docker-compose 1.29's create body: the project network as NetworkMode and as the one
// endpoint with the service name as alias; named volumes in Binds, their targets again in
// Config.Volumes.
TEST(DockerCreate, ComposeNetworkAndNamedVolume) {
  std::vector<std::string> w;
  auto s = convert(R"({"Image": "busybox", "Volumes": {"/www": {}, "/anon/": {}},
    "HostConfig": {"NetworkMode": "proj_front", "Binds": ["proj_www:/www:rw,z"], "Links": [],
                   "VolumesFrom": ["other:ro"]},
    "NetworkingConfig": {"EndpointsConfig": {"proj_front": {"Aliases": ["web"], "IPAMConfig": {}}}}})", &w);
  ASSERT_TRUE(s.ok()) << s.error().what();
  EXPECT_TRUE(w.empty());
  EXPECT_TRUE(s->netns.is(NamespaceMode::kBridge));
  ASSERT_EQ(s->networks.size(), 1u);
  EXPECT_EQ(s->networks.at("proj_front").aliases, (std::vector<std::string>{"web"}));
  ASSERT_EQ(s->volumes.size(), 2u);
  EXPECT_EQ(s->volumes[0].name, "proj_www");
  EXPECT_EQ(s->volumes[0].dest, "/www");
  EXPECT_EQ(s->volumes[0].options, (std::vector<std::string>{"rw"}));
  EXPECT_FALSE(s->volumes[0].is_anonymous);
  EXPECT_EQ(s->volumes[1].name, "");
  EXPECT_EQ(s->volumes[1].dest, "/anon");
  EXPECT_TRUE(s->volumes[1].is_anonymous);
  EXPECT_TRUE(s->mounts.empty());
  EXPECT_EQ(s->volumes_from, (std::vector<std::string>{"other:ro"}));
}

TEST(DockerCreate, NetworksFromModeAndEndpoints) {
  // A named mode alone is that network.
  auto s = convert(R"({"Image": "busybox", "HostConfig": {"NetworkMode": "n1"}})");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->netns.is(NamespaceMode::kBridge));
  ASSERT_EQ(s->networks.size(), 1u);
  EXPECT_TRUE(s->networks.count("n1"));
  // "bridge" is the default network, given to the engine as "default".
  s = convert(R"({"Image": "busybox", "HostConfig": {"NetworkMode": "bridge"},
                  "NetworkingConfig": {"EndpointsConfig": {"bridge": {"Aliases": ["x"]}}}})");
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->networks.size(), 1u);
  EXPECT_EQ(s->networks.at("default").aliases, (std::vector<std::string>{"x"}));
  // Static addresses and MAC of an endpoint.
  s = convert(R"({"Image": "busybox", "NetworkingConfig": {"EndpointsConfig": {"n2": {
                  "IPAMConfig": {"IPv4Address": "10.9.0.5"}, "MacAddress": "02:00:00:00:00:01"}}}})");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->networks.at("n2").static_ips, (std::vector<std::string>{"10.9.0.5"}));
  EXPECT_EQ(s->networks.at("n2").static_mac, "02:00:00:00:00:01");
  // No mode, no endpoints: the engine's default.
  s = convert(R"({"Image": "busybox"})");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->netns.isDefault());
  EXPECT_TRUE(s->networks.empty());
  // Mounts of type volume: named and anonymous.
  s = convert(R"({"Image": "busybox", "HostConfig": {"Mounts": [
                  {"Type": "volume", "Source": "v1", "Target": "/a", "ReadOnly": true},
                  {"Type": "volume", "Target": "/b"}]}})");
  ASSERT_TRUE(s.ok()) << s.error().what();
  ASSERT_EQ(s->volumes.size(), 2u);
  EXPECT_EQ(s->volumes[0].name, "v1");
  EXPECT_EQ(s->volumes[0].options, (std::vector<std::string>{"ro"}));
  EXPECT_TRUE(s->volumes[1].is_anonymous);
}

TEST(DockerShapes, InspectReportsJsonFileAndDockerState) {
  Json p = {{"Id", "abc"}, {"Name", "n"}, {"Image", "1234"},
            {"State", {{"Status", "configured"}, {"Running", false}, {"ExitCode", 0}}},
            {"HostConfig", {{"LogConfig", {{"Type", "k8s-file"}, {"Path", "/x"}}}, {"RestartPolicy", {{"Name", ""}}}}},
            {"Config", {{"Tty", true}, {"StopSignal", 15}, {"Entrypoint", ""}}}};
  p["Mounts"] = Json::array({Json{{"Type", "volume"}, {"Name", "v1"}, {"Source", "/s"}, {"Destination", "/d"},
                                  {"Driver", "local"}, {"RW", true}},
                             Json{{"Type", "bind"}, {"Source", "/h"}, {"Destination", "/b"}, {"Driver", ""}}});
  Json d = dockerContainerInspect(p);
  EXPECT_EQ(d["Mounts"][0]["Name"], "v1");
  EXPECT_EQ(d["Mounts"][0]["Driver"], "local");
  EXPECT_FALSE(d["Mounts"][1].contains("Name"));
  EXPECT_FALSE(d["Mounts"][1].contains("Driver"));
  EXPECT_EQ(d["HostConfig"]["LogConfig"]["Type"], "json-file");
  EXPECT_EQ(d["HostConfig"]["RestartPolicy"]["Name"], "no");
  EXPECT_EQ(d["State"]["Status"], "created");
  EXPECT_EQ(d["Name"], "/n");
  EXPECT_EQ(d["Image"], "sha256:1234");
  EXPECT_EQ(d["Config"]["Tty"], true);
  EXPECT_EQ(d["Config"]["StopSignal"], "15");
  EXPECT_EQ(d["Config"]["AttachStdout"], false);
  p["Config"]["Annotations"] = {{std::string(kDockerAttachAnnotation), "stdout,stderr"}};
  d = dockerContainerInspect(p);
  EXPECT_EQ(d["Config"]["AttachStdin"], false);
  EXPECT_EQ(d["Config"]["AttachStdout"], true);
  EXPECT_EQ(d["Config"]["AttachStderr"], true);
  EXPECT_FALSE(d["Config"].contains("Annotations"));
  EXPECT_TRUE(d["Config"]["Entrypoint"].is_null());
}

TEST(DockerShapes, ListAndStatus) {
  ContainerSummary s;
  s.id = "abc";
  s.names = {"web"};
  s.image_id = "ff";
  s.command = {"sh", "-c", "x"};
  s.status = ContainerStatus::kExited;
  s.exit_code = 3;
  s.created = 1000000000000000000;
  s.exited_at = 1000000000000000000;
  s.networks = {"podman"};
  Json d = dockerContainerSummary(s, 1000000000000000000 + 120 * 1000000000LL, "podman");
  EXPECT_TRUE(d["NetworkSettings"]["Networks"].contains("bridge"));
  EXPECT_EQ(d["HostConfig"]["NetworkMode"], "default");
  s.networks = {"proj_front"};
  Json n = dockerContainerSummary(s, 1000000000000000000, "podman");
  EXPECT_TRUE(n["NetworkSettings"]["Networks"].contains("proj_front"));
  EXPECT_EQ(n["HostConfig"]["NetworkMode"], "proj_front");
  EXPECT_EQ(d["Names"][0], "/web");
  EXPECT_EQ(d["State"], "exited");
  EXPECT_EQ(d["Status"], "Exited (3) 2 minutes ago");
  EXPECT_EQ(d["Command"], "sh -c x");
  EXPECT_EQ(d["ImageID"], "sha256:ff");
  EXPECT_EQ(dockerState("configured"), "created");
  EXPECT_EQ(dockerState("stopped"), "exited");
}

TEST(DockerHub, Normalization) {
  auto none = [](const std::string&) { return false; };
  EXPECT_EQ(*normalizeToDockerHub("busybox", none), "docker.io/library/busybox");
  EXPECT_EQ(*normalizeToDockerHub("a/b:1", none), "docker.io/a/b:1");
  EXPECT_EQ(*normalizeToDockerHub("quay.io/x/y", none), "quay.io/x/y");
  auto local = [](const std::string& n) { return n == "busybox"; };
  EXPECT_EQ(*normalizeToDockerHub("busybox", local), "busybox");
  EXPECT_FALSE(normalizeToDockerHub("Bad Name", none).ok());
}

}  // namespace
}  // namespace berth::api::server
