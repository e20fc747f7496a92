// Tests for validateSpec: the combinations and values podman refuses, with podman's messages.
#include <gtest/gtest.h>

#include "specgen/specgen.h"

namespace berth::specgen {
namespace {

api::SpecGenerator spec(std::string_view json) {
  auto s = api::parseSpecGenerator(json);
  EXPECT_TRUE(s.ok()) << json << ": " << (s.ok() ? "" : s.error().what());
  return s.ok() ? *s : api::SpecGenerator{};
}

std::string check(std::string_view json) {
  auto st = validateSpec(spec(json));
  if (st.ok()) return "ok";
  EXPECT_EQ(st.error().code(), Code::kInvalidArgument) << json;
  return st.error().message();
}

TEST(ValidateSpecTest, AcceptsWhatPodmansClientSends) {
  EXPECT_EQ(check(R"({"image":"alpine"})"), "ok");
  EXPECT_EQ(check(R"({"image":"alpine","hostname":"h","restart_policy":"on-failure",
                      "restart_tries":3,"remove":true,"log_configuration":{"driver":"k8s-file"},
                      "umask":"0022","systemd":"true","sdnotifyMode":"container",
                      "image_volume_mode":"anonymous","cgroups_mode":"enabled",
                      "pidns":{},"utsns":{"nsmode":"private"},"ipcns":{"nsmode":"shareable"},
                      "netns":{"nsmode":"none"},"userns":{"nsmode":"host"},
                      "portmappings":[{"container_port":80,"host_port":8080,"range":1,
                                       "protocol":"tcp,udp"}],
                      "expose":{"7000":"tcp"},"healthconfig":{"Test":["CMD-SHELL","true"]},
                      "health_check_on_failure_action":2})"),
            "ok");
  // The --rm/--restart rule lets on-failure through, as podman's does.
  EXPECT_EQ(check(R"({"remove":true,"restart_policy":"on-failure"})"), "ok");
  EXPECT_EQ(check(R"({"remove":true,"restart_policy":"no"})"), "ok");
  // Options podman's libpod ignores are not refused.
  EXPECT_EQ(check(R"({"log_configuration":{"options":{"frobnicate":"x","tag":"t"}}})"), "ok");
}

TEST(ValidateSpecTest, RestartPolicy) {
  EXPECT_EQ(check(R"({"remove":true,"restart_policy":"always"})"),
            "the --rm option conflicts with --restart, when the restartPolicy is not \"\" and "
            "\"no\"");
  EXPECT_EQ(check(R"({"restart_policy":"always","restart_tries":3})"),
            "restart policy retries can only be specified with on-failure restart policy");
  EXPECT_EQ(check(R"({"restart_tries":3})"),
            "restart policy retries can only be specified with on-failure restart policy");
  EXPECT_EQ(check(R"({"restart_policy":"never"})"),
            "running container create option: \"never\" is not a valid restart policy: invalid "
            "argument");
}

TEST(ValidateSpecTest, LogDriverAndUmask) {
  EXPECT_EQ(check(R"({"log_configuration":{"driver":"InvalidDriver"}})"),
            "running container create option: invalid log driver: invalid argument");
  for (const char* d : {"k8s-file", "json-file", "journald", "none", "passthrough"})
    EXPECT_EQ(check(fmt::format(R"({{"log_configuration":{{"driver":"{}"}}}})", d)), "ok") << d;
  EXPECT_EQ(check(R"({"umask":"999"})"),
            "running container create option: invalid umask string 999: invalid argument");
  EXPECT_EQ(check(R"({"umask":"0x22"})"),
            "running container create option: invalid umask string 0x22: invalid argument");
  EXPECT_EQ(check(R"({"umask":"00777"})"),
            "running container create option: invalid umask string 00777: invalid argument");
  EXPECT_EQ(check(R"({"stop_signal":99})"), "stop_signal: invalid signal number 99");
}

TEST(ValidateSpecTest, HostnameNeedsAPrivateUtsNamespace) {
  EXPECT_EQ(check(R"({"hostname":"h","utsns":{"nsmode":"host"}})"),
            "invalid config provided: cannot set hostname when running in the host UTS "
            "namespace: invalid configuration");
  EXPECT_EQ(check(R"({"hostname":"h","utsns":{"nsmode":"pod"}})"),
            "invalid config provided: cannot set hostname when joining the pod UTS namespace: "
            "invalid configuration");
  EXPECT_EQ(check(R"({"hostname":"h","utsns":{"nsmode":"default"}})"), "ok");
}

TEST(ValidateSpecTest, NamespaceModes) {
  EXPECT_EQ(check(R"({"pidns":{"nsmode":"bridge"}})"),
            "invalid config provided: cannot use network modes with non-network namespace");
  EXPECT_EQ(check(R"({"utsns":{"nsmode":"keep-id"}})"),
            "invalid config provided: invalid namespace type keep-id specified");
  EXPECT_EQ(check(R"({"netns":{"nsmode":"shareable"}})"),
            "invalid config provided: invalid network \"shareable\"");
  EXPECT_EQ(check(R"({"pidns":{"nsmode":"container"}})"),
            "invalid config provided: namespace mode container requires a value");
  EXPECT_EQ(check(R"({"pidns":{"nsmode":"host","value":"x"}})"),
            "invalid config provided: namespace value x cannot be provided with namespace mode "
            "host");
  EXPECT_EQ(check(R"({"utsns":{"nsmode":"path","value":"rel"}})"),
            "namespace path \"rel\" must be absolute");
  EXPECT_EQ(check(R"({"ipcns":{"nsmode":"none"},"userns":{"nsmode":"auto","value":"size=10"},
                      "netns":{"nsmode":"slirp4netns","value":"mtu=1500"}})"),
            "ok");
  EXPECT_EQ(check(R"({"userns":{"nsmode":"private"}})"),
            "invalid config provided: IDMappings are required when not creating a User "
            "namespace: invalid configuration");
  EXPECT_EQ(check(R"({"netns":{"nsmode":"host"},"Networks":{"n":{}}})"),
            "invalid config provided: networks and static ip/mac address can only be used with "
            "Bridge mode networking");
  EXPECT_EQ(check(R"({"Networks":{"n":{}}})"), "ok");  // default is bridge
}

TEST(ValidateSpecTest, Combinations) {
  EXPECT_EQ(check(R"({"shm_size":1048576,"ipcns":{"nsmode":"host"}})"),
            "invalid config provided: cannot set shmsize when running in the host IPC Namespace");
  EXPECT_EQ(check(R"({"init":true,"pidns":{"nsmode":"host"}})"),
            "cannot add init binary as PID 1 (PID namespace isn't private)");
  EXPECT_EQ(check(R"({"netns":{"nsmode":"container","value":"x"},"hostadd":["a:1.2.3.4"]})"),
            "invalid config provided: cannot set extra host entries when the container is "
            "joined to another containers network namespace: invalid configuration");
  EXPECT_EQ(check(R"({"use_image_hosts":true,"hostadd":["a:1.2.3.4"]})"),
            "invalid config provided: UseImageHosts and HostAdd are mutually exclusive options");
  EXPECT_EQ(check(R"({"use_image_resolve_conf":true,"dns_search":["x"]})"),
            "invalid config provided: UseImageResolvConf and DNSSearch are mutually exclusive "
            "options");
  EXPECT_EQ(check(R"({"image":"a","rootfs":"/r"})"),
            "invalid config provided: both image and rootfs cannot be simultaneously: invalid "
            "configuration");
  EXPECT_EQ(check(R"({"systemd":"maybe"})"),
            "invalid config provided: --systemd values must be one of \"true, false, always\": "
            "invalid configuration");
  EXPECT_EQ(check(R"({"sdnotifyMode":"x"})"),
            "invalid config provided: invalid argument: invalid sdnotify value \"x\": must be "
            "container, conmon or ignore");
  EXPECT_EQ(check(R"({"image_volume_mode":"bind"})"),
            "invalid config provided: invalid ImageVolumeMode \"bind\", value must be one of "
            "ignore,tmpfs,anonymous");
  EXPECT_EQ(check(R"({"pod":"p","netns":{"nsmode":"pod"},"portmappings":[{"container_port":1}]})"),
            "invalid config provided: published or exposed ports must be defined when the pod is "
            "created: network cannot be configured when it is shared with a pod");
}

TEST(ValidateSpecTest, Sysctls) {
  EXPECT_EQ(check(R"({"sysctl":{"net.ipv4.ip_forward":"1"},"netns":{"nsmode":"host"}})"),
            "sysctl net.ipv4.ip_forward=1 can't be set since Network Namespace set to host: "
            "invalid argument");
  EXPECT_EQ(check(R"({"sysctl":{"fs.mqueue.msg_max":"1"},"ipcns":{"nsmode":"host"}})"),
            "sysctl fs.mqueue.msg_max=1 can't be set since IPC Namespace set to host: invalid "
            "argument");
  EXPECT_EQ(check(R"({"sysctl":{"kernel.hostname":"x"},"utsns":{"nsmode":"host"}})"),
            "sysctl kernel.hostname=x can't be set since UTS Namespace set to host: invalid "
            "argument");
  EXPECT_EQ(check(R"({"sysctl":{"kernel.msgmax":"1"},"ipcns":{"nsmode":"host"}})"), "ok");
}

TEST(ValidateSpecTest, ContainerRules) {
  EXPECT_EQ(check(R"({"health_check_on_failure_action":2})"),
            "cannot set on-failure action to kill without a health check");
  EXPECT_EQ(check(R"({"healthconfig":{"Test":["RUN","x"]}})"),
            "healthconfig.Test: the first element must be CMD, CMD-SHELL or NONE, not \"RUN\"");
  EXPECT_EQ(check(R"({"healthconfig":{"Test":["CMD"]}})"),
            "healthconfig.Test: CMD needs a command");
  EXPECT_EQ(check(R"({"healthconfig":{"Test":["NONE"]}})"), "ok");
  EXPECT_EQ(check(R"({"healthconfig":{"Test":["CMD","x"],"Interval":-1}})"),
            "healthconfig.Interval must not be negative");
  EXPECT_EQ(check(R"({"cgroups_mode":"split","cgroup_parent":"/x"})"),
            "cannot specify --cgroup-mode=split with a cgroup-parent: invalid argument");
  EXPECT_EQ(check(R"({"cgroups_mode":"disabled","cgroup_parent":"/x"})"),
            "cannot set cgroup parent if not creating cgroups: invalid argument");
  EXPECT_EQ(check(R"({"cgroups_mode":"disabled","pidns":{"nsmode":"host"}})"),
            "containers not creating Cgroups must create a private PID namespace: invalid "
            "argument");
  EXPECT_EQ(check(R"({"cgroups_mode":"sometimes"})"),
            "invalid cgroup mode \"sometimes\": must be enabled, disabled, no-conmon or split");
  EXPECT_EQ(check(R"({"init_container_type":"always"})"),
            "init containers must be created in a pod: invalid argument");
  EXPECT_EQ(check(R"({"volumes":[{"Name":"a","Dest":"/d"}],
                      "image_volumes":[{"Source":"i","Destination":"/d"}]})"),
            "/d: duplicate mount destination");
}

TEST(ValidateSpecTest, StorageAndProcess) {
  EXPECT_EQ(check(R"({"mounts":[{"destination":"rel","type":"tmpfs"}]})"),
            "invalid container path \"rel\", must be an absolute path");
  EXPECT_EQ(check(R"({"mounts":[{"destination":"/a","type":"tmpfs"},
                                {"destination":"/a/","type":"tmpfs"}]})"),
            "/a: duplicate mount destination");
  EXPECT_EQ(check(R"({"mounts":[{"destination":"/a","type":"bind","source":"rel"}]})"),
            "bind mount /a: source \"rel\" must be an absolute path");
  EXPECT_EQ(check(R"({"mounts":[{"destination":"/a","source":"/s","options":["ro","rw"]}]})"),
            "mount /a: cannot set ro or rw more than once");
  EXPECT_EQ(check(R"({"volumes":[{"Name":"v","Dest":"/v","SubPath":"../../etc"}]})"),
            "volume v subpath \"../../etc\" must not contain ..");
  EXPECT_EQ(check(R"({"devices":[{"path":"/dev/fuse:/dev/f:rwx"}]})"),
            "invalid device \"/dev/fuse:/dev/f:rwx\"");
  EXPECT_EQ(check(R"({"mask":["proc/x"]})"), "mask path \"proc/x\" must be absolute");
  EXPECT_EQ(check(R"({"work_dir":"rel"})"), "workdir \"rel\" must be an absolute path");
  EXPECT_EQ(check(R"({"r_limits":[{"type":"bogus","soft":1,"hard":1}]})"),
            "r_limits: invalid ulimit type \"bogus\"");
  EXPECT_EQ(check(R"({"r_limits":[{"type":"nofile","soft":2,"hard":1}]})"),
            "r_limits RLIMIT_NOFILE: soft limit 2 is above hard limit 1");
  EXPECT_EQ(check(R"({"portmappings":[{"container_port":0}]})"),
            "container port number must be non-0");
  EXPECT_EQ(check(R"({"portmappings":[{"container_port":65535,"range":2}]})"),
            "container port range exceeds maximum allowable port number");
  EXPECT_EQ(check(R"({"portmappings":[{"container_port":80,"protocol":"icmp"}]})"),
            "unrecognized protocol \"icmp\" in port mapping");
  EXPECT_EQ(check(R"({"expose":{"80":"sctp"}})"),
            "validating protocols for exposed port 80: protocol SCTP is not allowed for exposed "
            "ports");
  EXPECT_EQ(check(R"({"expose":{"0":"tcp"}})"), "cannot expose 0 as it is not a valid port number");
}

TEST(ValidateSpecTest, GenerateRunsIt) {
  SpecInputs in;
  in.specgen = spec(R"({"command":["x"],"restart_policy":"sometimes"})");
  in.rootfs = "/tmp";
  in.container_id = std::string(64, 'a');
  auto r = generateSpec(in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "running container create option: \"sometimes\" is not a valid restart policy: "
            "invalid argument");
}

TEST(ValidateSpecTest, KeepGroupsGoesAlone) {
  EXPECT_EQ(check(R"({"groups":["keep-groups"]})"), "ok");
  EXPECT_EQ(check(R"({"groups":["keep-groups","457"]})"),
            "the '--group-add keep-groups' option is not allowed with any other --group-add options");
}

TEST(SystemdModeTest, AlwaysOrAnInitCommand) {
  api::SpecGenerator s;
  EXPECT_FALSE(systemdMode(s, {"sleep", "1"}));
  EXPECT_TRUE(systemdMode(s, {"/sbin/init"}));
  EXPECT_TRUE(systemdMode(s, {"/bin/sh", "-c", "/usr/lib/systemd/systemd"}));
  s.systemd = "always";
  EXPECT_TRUE(systemdMode(s, {"sleep", "1"}));
  s.systemd = "false";
  EXPECT_FALSE(systemdMode(s, {"/sbin/init"}));
}

}  // namespace
}  // namespace berth::specgen
