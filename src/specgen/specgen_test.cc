// Tests for generateSpec and parseSpecGenerator against podman 4.3.1's output.
#include "specgen/specgen.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdlib>

#include "base/fs.h"
#include "specgen/caps.h"

namespace berth::specgen {
namespace {

const std::string kId = "24dac6e8d7c302e571259332a311fa2abe8f1814717316b96941ccbafb0b953b";

class SpecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/specgen-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    ASSERT_TRUE(fs::mkdirAll(dir_ + "/rootfs/etc").ok());
    in_.passwd =
        "root:x:0:0:root:/root:/bin/sh\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
    in_.rootfs = dir_ + "/rootfs";
    in_.container_id = kId;
    // in_.group stays empty: no group file.
    in_.host_rlimit = [](int resource) -> std::optional<HostRlimit> {
      if (resource == RLIMIT_NOFILE) return HostRlimit{1024, 20000};
      if (resource == RLIMIT_NPROC) return HostRlimit{96365, 96365};
      return std::nullopt;
    };
    in_.device_lookup = [](const std::string& path) -> Result<HostDevice> {
      if (path == "/dev/fuse") return HostDevice{path, 'c', 10, 229, 020666, 0, 0};
      if (path == "/dev/null") return HostDevice{path, 'c', 1, 3, 020666, 0, 0};
      if (path == "/dev/sda") return HostDevice{path, 'b', 8, 0, 060660, 0, 6};
      return makeError(Code::kNotFound, "no device {}", path);
    };
    in_.list_host_devices = []() -> Result<std::vector<HostDevice>> {
      return std::vector<HostDevice>{{"/dev/null", 'c', 1, 3, 020666, 0, 0},
                                     {"/dev/sda", 'b', 8, 0, 060660, 0, 6}};
    };
    doc_ = Json::parse(R"({"command": ["/bin/true"]})");
    in_.bounding_set = allCapabilities(40);
  }
  void TearDown() override { (void)fs::removeAll(dir_); }

  // Decodes doc_ (a SpecGenerator body) into in_.specgen.
  void decodeDoc() {
    auto s = api::decodeSpecGenerator(doc_);
    ASSERT_TRUE(s.ok()) << s.error().what();
    in_.specgen = *s;
  }
  Json gen() {
    decodeDoc();
    auto r = generateSpec(in_);
    EXPECT_TRUE(r.ok()) << r.error().what();
    return r.ok() ? *r : Json();
  }
  Error genError() {
    decodeDoc();
    auto r = generateSpec(in_);
    EXPECT_FALSE(r.ok());
    return r.ok() ? Error(Code::kOk, "") : r.error();
  }
  static const Json* findMount(const Json& spec, std::string_view dest) {
    for (const auto& m : spec["mounts"])
      if (m["destination"] == dest) return &m;
    return nullptr;
  }
  static std::vector<std::string> dests(const Json& spec) {
    std::vector<std::string> out;
    for (const auto& m : spec["mounts"]) out.push_back(m["destination"]);
    return out;
  }

  std::string dir_;
  Json doc_;
  SpecInputs in_;
};

const Json kDefaultCaps = Json::parse(R"(["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER",
  "CAP_FSETID","CAP_KILL","CAP_NET_BIND_SERVICE","CAP_SETFCAP","CAP_SETGID","CAP_SETPCAP",
  "CAP_SETUID","CAP_SYS_CHROOT"])");

TEST_F(SpecTest, DefaultsMatchPodman) {
  Json spec = gen();
  EXPECT_EQ(spec["ociVersion"], "1.0.2-dev");
  const Json& p = spec["process"];
  EXPECT_FALSE(p.contains("terminal"));
  EXPECT_EQ(p["user"], Json::parse(R"({"uid":0,"gid":0,"umask":18})"));
  EXPECT_EQ(p["args"], Json::parse(R"(["/bin/true"])"));
  EXPECT_EQ(p["env"], Json::parse(R"([
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "TERM=xterm", "container=podman", "HOME=/root", "HOSTNAME=24dac6e8d7c3"])"));
  EXPECT_EQ(p["cwd"], "/");
  EXPECT_EQ(
      p["capabilities"],
      (Json{{"bounding", kDefaultCaps}, {"effective", kDefaultCaps}, {"permitted", kDefaultCaps}}));
  EXPECT_FALSE(p.contains("noNewPrivileges"));
  EXPECT_EQ(spec["root"], (Json{{"path", in_.rootfs}}));
  EXPECT_EQ(spec["hostname"], "24dac6e8d7c3");

  EXPECT_EQ(dests(spec), (std::vector<std::string>{"/proc", "/dev", "/sys", "/dev/pts",
                                                   "/dev/mqueue", "/dev/shm", "/sys/fs/cgroup"}));
  EXPECT_EQ(*findMount(spec, "/proc"), Json::parse(R"({"destination":"/proc","type":"proc",
    "source":"proc","options":["nosuid","noexec","nodev"]})"));
  EXPECT_EQ(*findMount(spec, "/dev"), Json::parse(R"({"destination":"/dev","type":"tmpfs",
    "source":"tmpfs","options":["nosuid","noexec","strictatime","mode=755","size=65536k"]})"));
  EXPECT_EQ(*findMount(spec, "/sys"), Json::parse(R"({"destination":"/sys","type":"sysfs",
    "source":"sysfs","options":["nosuid","noexec","nodev","ro"]})"));
  EXPECT_EQ(*findMount(spec, "/dev/pts"), Json::parse(R"({"destination":"/dev/pts",
    "type":"devpts","source":"devpts",
    "options":["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620","gid=5"]})"));
  EXPECT_EQ(*findMount(spec, "/dev/mqueue"), Json::parse(R"({"destination":"/dev/mqueue",
    "type":"mqueue","source":"mqueue","options":["nosuid","noexec","nodev"]})"));
  EXPECT_EQ(*findMount(spec, "/dev/shm"), Json::parse(R"({"destination":"/dev/shm",
    "type":"tmpfs","source":"shm","options":["nosuid","noexec","nodev","mode=1777","size=65536k"]})"));
  EXPECT_EQ(*findMount(spec, "/sys/fs/cgroup"), Json::parse(R"({"destination":"/sys/fs/cgroup",
    "type":"cgroup","source":"cgroup",
    "options":["rprivate","nosuid","noexec","nodev","relatime","ro"]})"));

  const Json& l = spec["linux"];
  EXPECT_EQ(l["sysctl"], Json::parse(R"({"net.ipv4.ping_group_range":"0 0"})"));
  EXPECT_EQ(l["resources"]["devices"][0], Json::parse(R"({"allow":false,"access":"rwm"})"));
  EXPECT_EQ(l["resources"]["pids"], Json::parse(R"({"limit":2048})"));
  EXPECT_EQ(l["cgroupsPath"], "/berth_parent/berth-" + kId);
  EXPECT_EQ(l["namespaces"], Json::parse(R"([{"type":"pid"},{"type":"network"},{"type":"ipc"},
    {"type":"uts"},{"type":"mount"}])"));
  EXPECT_EQ(l["maskedPaths"], Json::parse(R"(["/proc/acpi","/proc/kcore","/proc/keys",
    "/proc/latency_stats","/proc/timer_list","/proc/timer_stats","/proc/sched_debug",
    "/proc/scsi","/sys/firmware","/sys/fs/selinux","/sys/dev/block"])"));
  EXPECT_EQ(l["readonlyPaths"], Json::parse(R"(["/proc/asound","/proc/bus","/proc/fs",
    "/proc/irq","/proc/sys","/proc/sysrq-trigger"])"));
  EXPECT_FALSE(l.contains("seccomp"));  // no seccomp_json_path given
  EXPECT_FALSE(l.contains("devices"));

  EXPECT_EQ(spec["annotations"], Json::parse(R"({"io.container.manager":"libpod",
    "io.kubernetes.cri-o.TTY":"false","io.podman.annotations.autoremove":"FALSE",
    "io.podman.annotations.init":"FALSE","io.podman.annotations.privileged":"FALSE",
    "io.podman.annotations.publish-all":"FALSE","org.opencontainers.image.stopSignal":"15"})"));
}

TEST_F(SpecTest, DefaultDeviceRulesAllowTheStandardNodes) {
  Json rules = gen()["linux"]["resources"]["devices"];
  auto allowed = [&](int major, int minor) {
    for (const auto& r : rules)
      if (r["allow"] == true && r.value("type", "") == "c" && r.value("major", -1) == major &&
          (r.value("minor", -1) == minor || !r.contains("minor")) && r["access"] == "rwm")
        return true;
    return false;
  };
  for (auto [ma, mi] : {std::pair{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 2}, {136, 4}})
    EXPECT_TRUE(allowed(ma, mi)) << ma << ":" << mi;
  EXPECT_FALSE(allowed(8, 0));
}

TEST_F(SpecTest, EngineBindsAndShm) {
  in_.resolv_conf_path = "/run/x/resolv.conf";
  in_.hosts_path = "/run/x/hosts";
  in_.hostname_path = "/run/x/hostname";
  in_.containerenv_path = "/run/x/.containerenv";
  in_.shm_path = "/var/x/shm";
  Json spec = gen();
  EXPECT_EQ(*findMount(spec, "/etc/resolv.conf"),
            Json::parse(R"({"destination":"/etc/resolv.conf","type":"bind",
              "source":"/run/x/resolv.conf","options":["bind","rprivate"]})"));
  EXPECT_EQ((*findMount(spec, "/etc/hosts"))["source"], "/run/x/hosts");
  EXPECT_EQ((*findMount(spec, "/etc/hostname"))["source"], "/run/x/hostname");
  EXPECT_EQ((*findMount(spec, "/run/.containerenv"))["source"], "/run/x/.containerenv");
  EXPECT_EQ(*findMount(spec, "/dev/shm"), Json::parse(R"({"destination":"/dev/shm",
    "type":"bind","source":"/var/x/shm","options":["bind","rprivate","nosuid","noexec","nodev"]})"));

  in_.shm_path.clear();
  doc_["shm_size"] = 1 << 30;
  EXPECT_EQ((*findMount(gen(), "/dev/shm"))["options"][4], "size=1048576k");
  doc_["ipcns"] = Json{{"nsmode", "host"}};
  EXPECT_EQ(genError().message(),  // podman refuses a size it cannot apply
            "invalid config provided: cannot set shmsize when running in the host IPC Namespace");
  doc_.erase("shm_size");
  EXPECT_EQ((*findMount(gen(), "/dev/shm"))["source"], "/dev/shm");
  doc_["ipcns"] = Json{{"nsmode", "none"}};
  EXPECT_EQ(findMount(gen(), "/dev/shm"), nullptr);
}

TEST_F(SpecTest, EntrypointAndCommandRules) {
  struct Case {
    const char* name;
    const char* specgen;
    const char* image;
    const char* want;  // JSON array, or null for an error
  } cases[] = {
      {"image only", R"({})", R"({"Entrypoint":["/ep"],"Cmd":["c1","c2"]})",
       R"(["/ep","c1","c2"])"},
      {"command replaces Cmd", R"({"command":["x"]})", R"({"Entrypoint":["/ep"],"Cmd":["c"]})",
       R"(["/ep","x"])"},
      {"entrypoint drops Cmd", R"({"entrypoint":["/new"]})",
       R"({"Entrypoint":["/ep"],"Cmd":["c"]})", R"(["/new"])"},
      {"entrypoint and command", R"({"entrypoint":["/new"],"command":["a"]})",
       R"({"Entrypoint":["/ep"],"Cmd":["c"]})", R"(["/new","a"])"},
      {"empty-string entrypoint clears", R"({"entrypoint":[""],"command":["sh"]})",
       R"({"Entrypoint":["/ep"],"Cmd":["c"]})", R"(["sh"])"},
      {"empty-string entrypoint drops Cmd", R"({"entrypoint":[""]})",
       R"({"Entrypoint":["/ep"],"Cmd":["c"]})", "null"},
      {"empty entrypoint array is no entrypoint", R"({"entrypoint":[]})",
       R"({"Entrypoint":["/ep"],"Cmd":["c"]})", R"(["/ep","c"])"},
      {"Cmd only", R"({})", R"({"Cmd":["/bin/sh"]})", R"(["/bin/sh"])"},
      {"null image fields", R"({"command":["a"]})", R"({"Entrypoint":null,"Cmd":null})",
       R"(["a"])"},
      {"no image", R"({"command":["a","b"]})", "null", R"(["a","b"])"},
      {"nothing", R"({})", R"({})", "null"},
  };
  for (const auto& c : cases) {
    auto r = makeCommand(*api::parseSpecGenerator(c.specgen), Json::parse(c.image));
    Json want = Json::parse(c.want);
    if (want.is_null()) {
      ASSERT_FALSE(r.ok()) << c.name;
      EXPECT_EQ(r.error().code(), Code::kInvalidArgument) << c.name;
    } else {
      ASSERT_TRUE(r.ok()) << c.name << ": " << r.error().what();
      EXPECT_EQ(Json(*r), want) << c.name;
    }
  }
  doc_ = Json::object();
  in_.image_config = Json::parse(R"({"Cmd":["/bin/sh"],"WorkingDir":"/app","User":"nobody",
                                     "StopSignal":"SIGINT","Env":["PATH=/img","A=1"]})");
  Json spec = gen();
  EXPECT_EQ(spec["process"]["args"], Json::parse(R"(["/bin/sh"])"));
  EXPECT_EQ(spec["process"]["cwd"], "/app");
  EXPECT_EQ(spec["process"]["user"]["uid"], 65534);
  EXPECT_EQ(spec["annotations"]["org.opencontainers.image.stopSignal"], "2");
  in_.image_config = Json::parse(R"({"Cmd":"sh"})");
  EXPECT_EQ(genError().code(), Code::kInvalidArgument);
}

TEST_F(SpecTest, Environment) {
  in_.image_config = Json::parse(R"({"Env":["PATH=/img/bin","A=image","container=oci"]})");
  doc_["env"] = Json::parse(R"({"A":"spec","B":"b","HOME":"/h"})");
  doc_["terminal"] = true;
  Json spec = gen();
  EXPECT_EQ(spec["process"]["terminal"], true);
  EXPECT_EQ(spec["process"]["env"], Json::parse(R"(["PATH=/img/bin","TERM=xterm",
    "container=oci","A=spec","B=b","HOME=/h","HOSTNAME=24dac6e8d7c3"])"));

  doc_ = Json::parse(R"({"command":["x"],"unsetenv":["TERM"],"env_host":true,
                                "hostname":"box"})");
  in_.host_environ = {"HOSTVAR=1", "http_proxy=p"};
  EXPECT_EQ(gen()["process"]["env"], Json::parse(R"(["PATH=/img/bin","container=oci",
    "A=image","HOSTVAR=1","http_proxy=p","HOME=/root","HOSTNAME=box"])"));

  doc_ = Json::parse(R"({"command":["x"],"unsetenvall":true})");
  EXPECT_EQ(gen()["process"]["env"], Json::parse(R"(["http_proxy=p","HOME=/root",
    "HOSTNAME=24dac6e8d7c3"])"));
  doc_["httpproxy"] = false;
  EXPECT_EQ(gen()["process"]["env"].size(), 2u);
}

TEST_F(SpecTest, RlimitsClampedToHostHardLimits) {
  Json spec = gen();
  EXPECT_EQ(spec["process"]["rlimits"], Json::parse(R"([
    {"type":"RLIMIT_NOFILE","hard":20000,"soft":20000},
    {"type":"RLIMIT_NPROC","hard":96365,"soft":96365}])"));
  in_.pid_max = 32768;
  EXPECT_EQ(gen()["process"]["rlimits"][1]["hard"], 32768);
  in_.host_rlimit = [](int) {
    return std::optional<HostRlimit>(HostRlimit{RLIM_INFINITY, RLIM_INFINITY});
  };
  in_.pid_max = 0;
  EXPECT_EQ(gen()["process"]["rlimits"], Json::parse(R"([
    {"type":"RLIMIT_NOFILE","hard":1048576,"soft":1048576},
    {"type":"RLIMIT_NPROC","hard":4194304,"soft":4194304}])"));
  doc_["r_limits"] = Json::parse(R"([{"type":"nofile","soft":100,"hard":200},
                                            {"type":"RLIMIT_CORE","soft":0,"hard":0}])");
  EXPECT_EQ(gen()["process"]["rlimits"], Json::parse(R"([
    {"type":"RLIMIT_NOFILE","hard":200,"soft":100},
    {"type":"RLIMIT_CORE","hard":0,"soft":0},
    {"type":"RLIMIT_NPROC","hard":4194304,"soft":4194304}])"));
  doc_["r_limits"] = Json::parse(R"([{"type":"bogus","soft":1,"hard":1}])");
  EXPECT_EQ(genError().code(), Code::kInvalidArgument);
  doc_["r_limits"] = Json::parse(R"([{"type":"nofile","soft":2,"hard":1}])");
  EXPECT_EQ(genError().code(), Code::kInvalidArgument);
  // The real getrlimit is the default.
  doc_.erase("r_limits");
  in_.host_rlimit = nullptr;
  struct rlimit r {};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &r), 0);
  uint64_t want = r.rlim_max == RLIM_INFINITY ? 1048576 : std::min<uint64_t>(1048576, r.rlim_max);
  EXPECT_EQ(gen()["process"]["rlimits"][0]["hard"].get<uint64_t>(), want);
}

TEST_F(SpecTest, Capabilities) {
  doc_["cap_add"] = Json::parse(R"(["net_admin","CAP_SYS_ADMIN"])");
  doc_["cap_drop"] = Json::parse(R"(["chown"])");
  Json caps = gen()["process"]["capabilities"];
  Json want = Json::parse(R"(["CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_FSETID","CAP_KILL",
    "CAP_NET_ADMIN","CAP_NET_BIND_SERVICE","CAP_SETFCAP","CAP_SETGID","CAP_SETPCAP",
    "CAP_SETUID","CAP_SYS_ADMIN","CAP_SYS_CHROOT"])");
  EXPECT_EQ(caps["bounding"], want);
  EXPECT_EQ(caps["effective"], want);

  // A non-root user only gets the added capabilities (podman 4.3.1 output).
  doc_["user"] = "nobody";
  caps = gen()["process"]["capabilities"];
  Json added = Json::parse(R"(["CAP_NET_ADMIN","CAP_SYS_ADMIN"])");
  EXPECT_EQ(caps["bounding"], want);
  for (const char* k : {"effective", "inheritable", "permitted", "ambient"})
    EXPECT_EQ(caps[k], added) << k;
  doc_["cap_add"] = Json::array();
  doc_["cap_drop"] = Json::array();
  caps = gen()["process"]["capabilities"];
  EXPECT_EQ(caps["bounding"], kDefaultCaps);
  EXPECT_EQ(caps["effective"], Json::array());

  doc_ = Json::parse(R"({"command":["x"],"cap_drop":["ALL"],"cap_add":["kill"]})");
  EXPECT_EQ(gen()["process"]["capabilities"]["bounding"], Json::parse(R"(["CAP_KILL"])"));
  doc_ = Json::parse(R"({"command":["x"],"cap_add":["ALL"],"cap_drop":["sys_admin"]})");
  EXPECT_EQ(gen()["process"]["capabilities"]["bounding"].size(), 40u);

  doc_ = Json::parse(R"({"command":["x"],"cap_add":["FOO"]})");
  Error e = genError();
  EXPECT_EQ(e.code(), Code::kInvalidArgument);
  EXPECT_EQ(e.message(), "\"CAP_FOO\": unknown capability");
  doc_ = Json::parse(R"({"command":["x"],"cap_add":["all"],"cap_drop":["all"]})");
  EXPECT_EQ(genError().message(), "adding all caps and removing all caps not allowed");
  doc_ = Json::parse(R"({"command":["x"],"cap_add":["chown"],"cap_drop":["CHOWN"]})");
  EXPECT_EQ(genError().message(), "capability \"CAP_CHOWN\" cannot be dropped and added");
}

TEST_F(SpecTest, Privileged) {
  in_.seccomp_json_path = "/usr/share/containers/seccomp.json";
  doc_["privileged"] = true;
  Json spec = gen();
  Json caps;
  Json all = Json(allCapabilities(40));
  EXPECT_EQ(all.size(), 41u);
  EXPECT_EQ(spec["process"]["capabilities"]["bounding"], all);
  EXPECT_EQ(spec["process"]["capabilities"]["effective"], all);
  const Json& l = spec["linux"];
  EXPECT_FALSE(l.contains("seccomp"));
  EXPECT_FALSE(l.contains("maskedPaths"));
  EXPECT_FALSE(l.contains("readonlyPaths"));
  EXPECT_EQ(l["resources"]["devices"], Json::parse(R"([{"allow":true,"access":"rwm"}])"));
  EXPECT_EQ(l["devices"], Json::parse(R"([
    {"path":"/dev/null","type":"c","major":1,"minor":3,"fileMode":8630,"uid":0,"gid":0},
    {"path":"/dev/sda","type":"b","major":8,"minor":0,"fileMode":25008,"uid":0,"gid":6}])"));
  EXPECT_EQ((*findMount(spec, "/sys"))["options"],
            Json::parse(R"(["rprivate","nosuid","noexec","nodev","rw"])"));
  EXPECT_EQ((*findMount(spec, "/sys/fs/cgroup"))["options"].back(), "rw");
  EXPECT_EQ(spec["annotations"]["io.podman.annotations.privileged"], "TRUE");
  // "All" is the host's bounding set (this sandbox lacks CAP_SYS_RESOURCE).
  in_.bounding_set = capabilitiesFromMask(0x1fffeffffffULL);
  caps = gen()["process"]["capabilities"]["bounding"];
  EXPECT_EQ(caps.size(), 40u);
  EXPECT_EQ(std::find(caps.begin(), caps.end(), "CAP_SYS_RESOURCE"), caps.end());
  // Added capabilities outside the bounding set are dropped, as podman does.
  doc_ = Json::parse(R"({"command":["x"],"cap_add":["sys_resource","net_raw"]})");
  caps = gen()["process"]["capabilities"]["bounding"];
  EXPECT_EQ(std::find(caps.begin(), caps.end(), "CAP_SYS_RESOURCE"), caps.end());
  EXPECT_NE(std::find(caps.begin(), caps.end(), "CAP_NET_RAW"), caps.end());
  // The default is this process's bounding set.
  in_.bounding_set.clear();
  doc_ = Json::parse(R"({"command":["x"],"privileged":true})");
  auto current = currentBoundingSet();
  ASSERT_TRUE(current.ok()) << current.error().what();
  EXPECT_EQ(gen()["process"]["capabilities"]["bounding"], Json(*current));
}

TEST_F(SpecTest, Seccomp) {
  const std::string real = "/usr/share/containers/seccomp.json";
  if (!fs::exists(real)) GTEST_SKIP() << "containers-common not installed";
  in_.seccomp_json_path = real;
  in_.arch = "amd64";
  Json sc = gen()["linux"]["seccomp"];
  EXPECT_EQ(sc["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ(sc["syscalls"].size(), 22u);  // podman 4.3.1 on this host
  bool read_allowed = false;
  for (const auto& r : sc["syscalls"])
    for (const auto& n : r["names"])
      if (n == "read" && r["action"] == "SCMP_ACT_ALLOW") read_allowed = true;
  EXPECT_TRUE(read_allowed);

  doc_["seccomp_profile_path"] = "unconfined";
  EXPECT_FALSE(gen()["linux"].contains("seccomp"));
  doc_["seccomp_profile_path"] = dir_ + "/custom.json";
  ASSERT_TRUE(fs::writeFileAtomic(dir_ + "/custom.json",
                                  R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
                                     {"names":["mount"],"action":"SCMP_ACT_ERRNO"}]})")
                  .ok());
  EXPECT_EQ(gen()["linux"]["seccomp"], Json::parse(R"({"defaultAction":"SCMP_ACT_ALLOW",
    "syscalls":[{"names":["mount"],"action":"SCMP_ACT_ERRNO"}]})"));
  doc_["privileged"] = true;  // an explicit profile still applies
  EXPECT_TRUE(gen()["linux"].contains("seccomp"));
  doc_["seccomp_profile_path"] = dir_ + "/missing.json";
  EXPECT_EQ(genError().code(), Code::kNotFound);
}

TEST_F(SpecTest, UserMountsAndVolumes) {
  in_.hosts_path = "/run/x/hosts";
  in_.volume_paths = {{"data", "/var/lib/berth/volumes/data/_data"}};
  doc_["mounts"] = Json::parse(R"([
    {"destination":"/a/b","type":"bind","source":"/src","options":["ro","z"]},
    {"destination":"/a","type":"bind","source":"/src","options":[]},
    {"destination":"/etc/hosts","type":"bind","source":"/my/hosts"},
    {"destination":"/t","type":"tmpfs","source":"tmpfs","options":["size=1m"]},
    {"destination":"/nc","type":"tmpfs","options":["notmpcopyup","exec"]}])");
  doc_["volumes"] = Json::parse(R"([
    {"Name":"data","Dest":"/data","Options":[]},
    {"Name":"data","Dest":"/d2","Options":["ro","noexec"],"SubPath":"sub"}])");
  Json spec = gen();
  EXPECT_EQ(*findMount(spec, "/a/b"), Json::parse(R"({"destination":"/a/b","type":"bind",
    "source":"/src","options":["ro","rprivate","rbind"]})"));
  EXPECT_EQ((*findMount(spec, "/a"))["options"], Json::parse(R"(["rw","rprivate","rbind"])"));
  EXPECT_EQ(*findMount(spec, "/t"), Json::parse(R"({"destination":"/t","type":"tmpfs",
    "source":"tmpfs","options":["size=1m","rw","rprivate","nosuid","nodev","tmpcopyup"]})"));
  EXPECT_EQ((*findMount(spec, "/nc"))["options"],
            Json::parse(R"(["exec","rw","rprivate","nosuid","nodev"])"));
  EXPECT_EQ(*findMount(spec, "/data"), Json::parse(R"({"destination":"/data","type":"bind",
    "source":"/var/lib/berth/volumes/data/_data",
    "options":["rw","rprivate","nosuid","nodev","rbind"]})"));
  EXPECT_EQ(*findMount(spec, "/d2"), Json::parse(R"({"destination":"/d2","type":"bind",
    "source":"/var/lib/berth/volumes/data/_data/sub",
    "options":["ro","noexec","rprivate","nosuid","nodev","rbind"]})"));
  // The caller's /etc/hosts supersedes the engine's; parents mount first.
  EXPECT_EQ((*findMount(spec, "/etc/hosts"))["source"], "/my/hosts");
  auto d = dests(spec);
  EXPECT_EQ(std::count(d.begin(), d.end(), "/etc/hosts"), 1);
  EXPECT_LT(std::find(d.begin(), d.end(), "/a") - d.begin(),
            std::find(d.begin(), d.end(), "/a/b") - d.begin());

  doc_["volumes"] = Json::parse(R"([{"Name":"nosuch","Dest":"/x"}])");
  EXPECT_EQ(genError().code(), Code::kNotFound);
  doc_["volumes"] = Json::parse(R"([{"Name":"","Dest":"/x","IsAnonymous":true}])");
  EXPECT_EQ(genError().code(), Code::kInvalidArgument);
  doc_["volumes"] = Json::parse(R"([{"Name":"data","Dest":"/x","SubPath":"../../etc"}])");
  EXPECT_EQ(genError().code(), Code::kInvalidArgument);
  doc_.erase("volumes");
  doc_["mounts"] = Json::parse(R"([{"destination":"/a","source":"/s"},
                                          {"destination":"/a/","source":"/t"}])");
  EXPECT_EQ(genError().code(), Code::kInvalidArgument);  // duplicate destination
  doc_["mounts"] = Json::parse(R"([{"destination":"/a","type":"bind","source":"rel"}])");
  EXPECT_EQ(genError().code(), Code::kInvalidArgument);
  doc_["mounts"] =
      Json::parse(R"([{"destination":"/a","source":"/s","options":["ro","rw"]}])");
  EXPECT_EQ(genError().code(), Code::kInvalidArgument);
}

TEST_F(SpecTest, ReadOnlyRootfs) {
  doc_["read_only_filesystem"] = true;
  doc_["mounts"] = Json::parse(R"([{"destination":"/run","type":"bind","source":"/r"}])");
  Json spec = gen();
  EXPECT_EQ(spec["root"]["readonly"], true);
  EXPECT_EQ(*findMount(spec, "/tmp"), Json::parse(R"({"destination":"/tmp","type":"tmpfs",
    "source":"tmpfs","options":["rw","rprivate","nosuid","nodev","tmpcopyup"]})"));
  EXPECT_NE(findMount(spec, "/var/tmp"), nullptr);
  EXPECT_EQ((*findMount(spec, "/run"))["type"], "bind");
  doc_["read_write_tmpfs"] = false;
  EXPECT_EQ(findMount(gen(), "/tmp"), nullptr);
}

TEST_F(SpecTest, Namespaces) {
  in_.namespace_paths = {{"network", "/run/netns/berth-1"}};
  Json spec = gen();
  EXPECT_EQ(spec["linux"]["namespaces"][1],
            Json::parse(R"({"type":"network","path":"/run/netns/berth-1"})"));

  in_.namespace_paths.clear();
  in_.host_hostname = "vm";
  doc_ = Json::parse(R"({"command":["x"],"netns":{"nsmode":"host"},
    "pidns":{"nsmode":"host"},"ipcns":{"nsmode":"host"},"utsns":{"nsmode":"host"}})");
  spec = gen();
  EXPECT_EQ(spec["linux"]["namespaces"], Json::parse(R"([{"type":"mount"}])"));
  EXPECT_FALSE(spec.contains("hostname"));
  EXPECT_FALSE(spec["linux"].contains("sysctl"));  // net sysctls skipped with host netns
  auto env = spec["process"]["env"];
  EXPECT_NE(std::find(env.begin(), env.end(), "HOSTNAME=vm"), env.end());

  doc_["hostname"] = "h";
  EXPECT_EQ(genError().code(), Code::kInvalidArgument);
  doc_.erase("hostname");
  doc_["sysctl"] = Json{{"net.ipv4.ip_forward", "1"}};
  EXPECT_EQ(genError().code(), Code::kInvalidArgument);
  doc_.erase("sysctl");
  doc_["init"] = true;
  EXPECT_EQ(genError().message(), "cannot add init binary as PID 1 (PID namespace isn't private)");

  doc_ = Json::parse(R"({"command":["x"],"netns":{"nsmode":"none"},
    "cgroupns":{"nsmode":"private"},"ipcns":{"nsmode":"path","value":"/proc/1/ns/ipc"},
    "sysctl":{"net.core.somaxconn":"1024","kernel.msgmax":"1"}})");
  spec = gen();
  EXPECT_EQ(spec["linux"]["namespaces"], Json::parse(R"([{"type":"pid"},{"type":"network"},
    {"type":"ipc","path":"/proc/1/ns/ipc"},{"type":"uts"},{"type":"mount"},{"type":"cgroup"}])"));
  EXPECT_EQ(spec["linux"]["sysctl"], Json::parse(R"({"kernel.msgmax":"1",
    "net.core.somaxconn":"1024","net.ipv4.ping_group_range":"0 0"})"));

  doc_ = Json::parse(R"({"command":["x"],"netns":{"nsmode":"container","value":"abc"}})");
  EXPECT_EQ(genError().code(), Code::kFailedPrecondition);
  in_.namespace_paths["network"] = "/proc/42/ns/net";
  EXPECT_EQ(gen()["linux"]["namespaces"][1]["path"], "/proc/42/ns/net");
  EXPECT_EQ(api::parseSpecGenerator(R"({"pidns":{"nsmode":"bogus"}})").error().code(),
            Code::kInvalidArgument);
  doc_ = Json::parse(R"({"command":["x"],"pidns":{"nsmode":"path","value":"rel"}})");
  EXPECT_EQ(genError().code(), Code::kInvalidArgument);
}

TEST_F(SpecTest, UserNamespace) {
  doc_ = Json::parse(R"({"command":["x"],"userns":{"nsmode":"auto"}})");
  EXPECT_EQ(genError().code(), Code::kInvalidArgument);
  doc_["idmappings"] = Json::parse(R"({
    "UIDMap":[{"container_id":0,"host_id":100000,"size":65536}],
    "GIDMap":[{"container_id":0,"host_id":100000,"size":4}]})");
  Json spec = gen();
  EXPECT_EQ(spec["linux"]["uidMappings"],
            Json::parse(R"([{"containerID":0,"hostID":100000,"size":65536}])"));
  EXPECT_EQ(spec["linux"]["namespaces"].back(), Json::parse(R"({"type":"user"})"));
  EXPECT_EQ((*findMount(spec, "/dev/pts"))["options"].back(), "mode=0620");  // no gid 5
  EXPECT_EQ(spec["linux"]["resources"]["devices"].size(), 0u);  // no device cgroup in a userns
}

TEST_F(SpecTest, ProcessSettings) {
  in_.group = "wheel:x:10:nobody\nstaff:x:50:\n";
  doc_ = Json::parse(R"({"command":["x"],"user":"nobody","groups":["staff","7"],
    "work_dir":"/w","umask":"0077","no_new_privileges":true,"oom_score_adj":100,
    "annotations":{"a":"b"},"remove":true,"stop_signal":9,"init":true,
    "procfs_opts":["nosuid"],"mask":["/secret"],"unmask":["/proc/k*:/sys/firmware"]})");
  Json spec = gen();
  const Json& p = spec["process"];
  EXPECT_EQ(p["user"], Json::parse(R"({"uid":65534,"gid":65534,"umask":63,
    "additionalGids":[65534,10,50,7]})"));
  EXPECT_EQ(p["cwd"], "/w");
  EXPECT_EQ(p["noNewPrivileges"], true);
  EXPECT_EQ(p["oomScoreAdj"], 100);
  EXPECT_EQ(p["args"], Json::parse(R"(["/run/podman-init","--","x"])"));
  EXPECT_EQ(*findMount(spec, "/run/podman-init"), Json::parse(R"({"destination":
    "/run/podman-init","type":"bind","source":"/usr/libexec/podman/catatonit",
    "options":["bind","ro","rprivate"]})"));
  EXPECT_EQ((*findMount(spec, "/proc"))["options"], Json::parse(R"(["nosuid"])"));
  EXPECT_EQ(spec["annotations"]["a"], "b");
  EXPECT_EQ(spec["annotations"]["io.podman.annotations.autoremove"], "TRUE");
  EXPECT_EQ(spec["annotations"]["io.podman.annotations.init"], "TRUE");
  EXPECT_EQ(spec["annotations"]["org.opencontainers.image.stopSignal"], "9");
  const Json& masked = spec["linux"]["maskedPaths"];
  EXPECT_EQ(std::find(masked.begin(), masked.end(), "/proc/kcore"), masked.end());
  EXPECT_EQ(std::find(masked.begin(), masked.end(), "/sys/firmware"), masked.end());
  EXPECT_NE(std::find(masked.begin(), masked.end(), "/proc/acpi"), masked.end());
  EXPECT_EQ(masked.back(), "/secret");

  doc_["unmask"] = Json::parse(R"(["ALL"])");
  EXPECT_EQ(gen()["linux"]["maskedPaths"], Json::parse(R"(["/secret"])"));
  doc_["user"] = "ghost";
  EXPECT_EQ(genError().message(), "unable to find user ghost: no matching entries in passwd file");
  doc_["user"] = "nobody";
  doc_["groups"] = Json::parse(R"(["nogroup"])");
  EXPECT_EQ(genError().code(), Code::kInvalidArgument);
  doc_["groups"] = Json::parse(R"(["keep-groups"])");
  EXPECT_EQ(gen()["annotations"]["run.oci.keep_original_groups"], "1");
  doc_["work_dir"] = "rel";
  EXPECT_EQ(genError().code(), Code::kInvalidArgument);
}

TEST_F(SpecTest, DevicesAndResources) {
  doc_["devices"] =
      Json::parse(R"([{"path":"/dev/fuse"},{"path":"/dev/null:/dev/mynull:r"}])");
  doc_["device_cgroup_rule"] =
      Json::parse(R"([{"allow":true,"type":"c","major":42,"access":"rw"}])");
  doc_["resource_limits"] = Json::parse(R"({"memory":{"limit":67108864},
    "cpu":{"shares":512,"quota":150000,"period":100000},"pids":{"limit":10}})");
  doc_["throttleReadBpsDevice"] = Json::parse(R"({"/dev/sda":{"rate":1048576}})");
  doc_["cgroup_parent"] = "/mine";
  Json spec = gen();
  const Json& l = spec["linux"];
  EXPECT_EQ(l["devices"], Json::parse(R"([
    {"path":"/dev/fuse","type":"c","major":10,"minor":229,"fileMode":8630,"uid":0,"gid":0},
    {"path":"/dev/mynull","type":"c","major":1,"minor":3,"fileMode":8630,"uid":0,"gid":0}])"));
  const Json& rules = l["resources"]["devices"];
  size_t n = rules.size();
  EXPECT_EQ(rules[n - 3],
            Json::parse(R"({"allow":true,"type":"c","major":10,"minor":229,"access":"rwm"})"));
  EXPECT_EQ(rules[n - 2],
            Json::parse(R"({"allow":true,"type":"c","major":1,"minor":3,"access":"r"})"));
  EXPECT_EQ(rules[n - 1], Json::parse(R"({"allow":true,"type":"c","major":42,"access":"rw"})"));
  EXPECT_EQ(l["resources"]["memory"], Json::parse(R"({"limit":67108864})"));
  EXPECT_EQ(l["resources"]["cpu"]["quota"], 150000);
  EXPECT_EQ(l["resources"]["pids"]["limit"], 10);
  EXPECT_EQ(l["resources"]["blockIO"], Json::parse(R"({"throttleReadBpsDevice":
    [{"major":8,"minor":0,"rate":1048576}]})"));
  EXPECT_EQ(l["cgroupsPath"], "/mine/berth-" + kId);
  // --memory=0: no limit, so none is passed (crun would write the 0 and fail).
  doc_["resource_limits"] = Json::parse(R"({"memory":{"limit":0,"swap":0}})");
  EXPECT_FALSE(gen()["linux"]["resources"].contains("memory"));
  doc_["resource_limits"] = Json::parse(R"({"memory":{"limit":0,"swappiness":0}})");
  EXPECT_EQ(gen()["linux"]["resources"]["memory"], Json::parse(R"({"swappiness":0})"));

  in_.systemd_cgroup = true;
  doc_.erase("cgroup_parent");
  EXPECT_EQ(gen()["linux"]["cgroupsPath"], "machine.slice:berth:" + kId);
  doc_["cgroups_mode"] = "disabled";
  spec = gen();
  EXPECT_FALSE(spec["linux"].contains("resources"));
  EXPECT_FALSE(spec["linux"].contains("cgroupsPath"));

  doc_["devices"] = Json::parse(R"([{"path":"/dev/nosuch"}])");
  EXPECT_EQ(genError().code(), Code::kNotFound);
  doc_["devices"] = Json::parse(R"([{"path":"/dev/fuse:/dev/f:rwx"}])");
  EXPECT_EQ(genError().code(), Code::kInvalidArgument);
}

TEST_F(SpecTest, InputChecks) {
  in_.rootfs = "relative";
  EXPECT_EQ(genError().code(), Code::kInvalidArgument);
  in_.rootfs = dir_;
  in_.container_id.clear();
  EXPECT_EQ(genError().code(), Code::kInvalidArgument);
  in_.container_id = kId;
  doc_["umask"] = "999";
  EXPECT_EQ(genError().code(), Code::kInvalidArgument);
}

TEST(SignalTest, Parse) {
  EXPECT_EQ(*parseSignal("SIGTERM"), 15);
  EXPECT_EQ(*parseSignal("term"), 15);
  EXPECT_EQ(*parseSignal("9"), 9);
  EXPECT_EQ(*parseSignal("SIGRTMIN+3"), 37);
  EXPECT_EQ(*parseSignal("RTMAX-1"), 63);
  EXPECT_FALSE(parseSignal("SIGFOO").ok());
  EXPECT_FALSE(parseSignal("0").ok());
  EXPECT_FALSE(parseSignal("65").ok());
  EXPECT_FALSE(parseSignal("").ok());
  // podman's texts; one leading dash is dropped.
  EXPECT_EQ(*parseSignal("-1"), 1);
  EXPECT_EQ(*parseSignal("-SIGUSR1"), 10);
  EXPECT_EQ(parseSignal("0").error().what(), "invalid signal: 0");
  EXPECT_EQ(parseSignal("-BADSIG").error().what(), "invalid signal: BADSIG");
  EXPECT_EQ(parseSignal("-").error().what(), "invalid signal: ");
  EXPECT_EQ(parseSignal("-65").error().what(), "valid signals are 1 through 64");
  EXPECT_EQ(parseSignal("99999999999").error().what(), "valid signals are 1 through 64");
}

TEST(ImageVolumesTest, Destinations) {
  auto s = *api::parseSpecGenerator(R"({"mounts":[{"destination":"/a"}],"volumes":[{"Dest":"/b"}]})");
  Json img = Json::parse(R"({"Volumes":{"/a":{},"/b/":{},"/c":{},"/d/":{}}})");
  EXPECT_EQ(imageVolumeDestinations(s, img), (std::vector<std::string>{"/c", "/d"}));
  EXPECT_TRUE(imageVolumeDestinations(s, Json()).empty());
}

}  // namespace
}  // namespace berth::specgen
