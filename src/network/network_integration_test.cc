// Integration test (root, real netavark and aardvark-dns): two network namespaces on a
// private bridge network reach each other by address and by name, a published port is
// reachable on 127.0.0.1, and teardown leaves no netns mount, firewall rule or bridge.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include "base/fs.h"
#include "network/netavark.h"
#include "network/store.h"
#include "runtime/child_process.h"
#include "sys/netns.h"

namespace berth::network {
namespace {

std::mt19937& rng() {
  static std::mt19937 r(std::random_device{}());
  return r;
}

std::string randomHex(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += "0123456789abcdef"[rng()() % 16];
  return s;
}

// Runs f() in a thread that joined the network namespace at `ns`.
template <typename F>
auto inNetns(const std::string& ns, F f) -> decltype(f()) {
  decltype(f()) result{};
  std::thread t([&] {
    UniqueFd fd(::open(ns.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd || ::setns(fd.get(), CLONE_NEWNET) < 0) {
      ADD_FAILURE() << "setns " << ns << ": " << strerror(errno);
      return;
    }
    result = f();
  });
  t.join();
  return result;
}

// A listening TCP socket on port `port` (0 = any) of all addresses; returns fd.
int listenTcp(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 || ::listen(fd, 4) < 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Connects to ip:port, sends `msg`; true on success within 3 s.
bool sendTcp(const std::string& ip, int port, const std::string& msg) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{3, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            ::write(fd, msg.data(), msg.size()) == static_cast<ssize_t>(msg.size());
  ::close(fd);
  return ok;
}

// Accepts one connection on `lfd` within 3 s and returns what it sent.
std::string acceptOne(int lfd) {
  timeval tv{3, 0};
  ::setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int c = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
  if (c < 0) return "";
  ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[256];
  ssize_t n = ::read(c, buf, sizeof buf);
  ::close(c);
  return n > 0 ? std::string(buf, n) : "";
}

// Runs a command found in PATH; returns stdout and stderr.
std::string run(std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"/usr/bin/env", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"});
  auto r = runtime::runCaptured(argv);
  return r.ok() ? r->out + r->err : "";
}

class NetworkIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!findNetavark().ok()) GTEST_SKIP() << "netavark is not installed";
    char tmpl[] = "/tmp/berth-netit-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    StoreOptions o;
    o.config_dir = dir_ + "/conf";
    o.run_dir = dir_ + "/run";
    ASSERT_TRUE(fs::mkdirAll(dir_ + "/netns").ok());
    store_ = std::make_unique<Store>(o);
  }
  void TearDown() override {
    if (dir_.empty()) return;
    for (auto& ns : {dir_ + "/netns/a", dir_ + "/netns/b"}) (void)sys::removeNetns(ns);
    if (!net_.empty()) (void)store_->remove(net_);
    (void)fs::removeAll(dir_);
  }

  // A private network on a random subnet and bridge name.
  Network createNetwork(bool internal = false) {
    for (int i = 0; i < 20; ++i) {
      Network req;
      req.name = "bt-" + randomHex(8);
      req.network_interface = "bt" + randomHex(8);
      req.dns_enabled = true;
      req.internal = internal;
      auto subnet = fmt::format("10.{}.{}.0/24", 200 + rng()() % 50, rng()() % 256);
      req.subnets.push_back(Subnet{Cidr::parse(subnet).value(), std::nullopt, std::nullopt});
      auto n = store_->create(req);
      if (n.ok()) {
        net_ = n->name;
        return *n;
      }
    }
    ADD_FAILURE() << "could not create a network";
    return {};
  }

  SetupRequest request(const std::string& ns, const std::string& name, const Network& n) {
    SetupRequest r;
    r.container_id = randomHex(64);
    r.container_name = name;
    r.netns_path = dir_ + "/netns/" + ns;
    PerNetworkOptions per;
    per.interface_name = "eth0";
    per.aliases = {name + "-alias"};
    r.networks[n.name] = per;
    return r;
  }

  std::string dir_, net_;
  std::unique_ptr<Store> store_;
};

TEST_F(NetworkIntegration, TwoNamespacesReachEachOtherAndTeardownLeavesNothing) {
  Network n = createNetwork();
  ASSERT_FALSE(n.name.empty());
  std::string subnet = n.subnets[0].subnet.str();
  auto ra = request("a", "ctr-a-" + randomHex(4), n);
  auto rb = request("b", "ctr-b-" + randomHex(4), n);
  int host_port = 20000 + static_cast<int>(rng()() % 20000);
  rb.port_mappings.push_back(PortMapping{"127.0.0.1", 8080, static_cast<uint16_t>(host_port), 1, "tcp"});
  ASSERT_TRUE(sys::createNetns(ra.netns_path).ok());
  ASSERT_TRUE(sys::createNetns(rb.netns_path).ok());
  EXPECT_TRUE(sys::isNetns(ra.netns_path));

  auto sa = store_->setup(ra);
  ASSERT_TRUE(sa.ok()) << sa.error().what();
  auto sb = store_->setup(rb);
  ASSERT_TRUE(sb.ok()) << sb.error().what();
  std::string ip_a = sa->at(n.name).interfaces.at("eth0").subnets.at(0).ipnet.ip().str();
  std::string ip_b = sb->at(n.name).interfaces.at("eth0").subnets.at(0).ipnet.ip().str();
  EXPECT_TRUE(n.subnets[0].subnet.contains(IpAddr::parse(ip_a).value()));
  EXPECT_NE(ip_a, ip_b);
  EXPECT_EQ(sa->at(n.name).dns_search_domains, std::vector<std::string>{"dns.podman"});

  // a -> b by address.
  int lb = inNetns(rb.netns_path, [] { return listenTcp(8080); });
  ASSERT_GE(lb, 0);
  std::thread recv([&] { EXPECT_EQ(acceptOne(lb), "hello-b"); });
  EXPECT_TRUE(inNetns(ra.netns_path, [&] { return sendTcp(ip_b, 8080, "hello-b"); }));
  recv.join();
  // host -> b through the published port on 127.0.0.1.
  std::thread recv2([&] { EXPECT_EQ(acceptOne(lb), "via-port"); });
  EXPECT_TRUE(sendTcp("127.0.0.1", host_port, "via-port"));
  recv2.join();
  ::close(lb);
  // b -> a by address (ICMP, busybox ping).
  std::string ping = run({"nsenter", "--net=" + rb.netns_path, "busybox", "ping", "-c", "1", "-W", "3", ip_a});
  EXPECT_NE(ping.find("1 packets received"), std::string::npos) << ping;
  // b resolves a's name and alias through aardvark-dns on the gateway.
  std::string gw = n.subnets[0].gateway->str();
  for (auto& name : {ra.container_name, ra.container_name + "-alias"}) {
    std::string look = run({"nsenter", "--net=" + rb.netns_path, "busybox", "nslookup", name, gw});
    EXPECT_NE(look.find("Address: " + ip_a), std::string::npos) << look;
  }
  std::string rules = run({"iptables-save"});
  EXPECT_NE(rules.find(subnet), std::string::npos);
  EXPECT_NE(rules.find(rb.container_id), std::string::npos);  // the port forwarding rule

  ASSERT_TRUE(store_->teardown(ra).ok());
  ASSERT_TRUE(store_->teardown(rb).ok());
  ASSERT_TRUE(sys::removeNetns(ra.netns_path).ok());
  ASSERT_TRUE(sys::removeNetns(rb.netns_path).ok());
  EXPECT_FALSE(fs::exists(ra.netns_path));
  auto mounts = fs::readFile("/proc/self/mountinfo");
  ASSERT_TRUE(mounts.ok());
  EXPECT_EQ(mounts->find(dir_), std::string::npos) << "a netns mount is left";
  rules = run({"iptables-save"});
  EXPECT_EQ(rules.find(subnet), std::string::npos) << rules;
  EXPECT_EQ(rules.find(rb.container_id), std::string::npos) << rules;
  EXPECT_EQ(rules.find(ra.container_id), std::string::npos) << rules;
  std::string links = run({"ip", "-o", "link", "show", n.network_interface});
  EXPECT_NE(links.find("does not exist"), std::string::npos) << "bridge left: " << links;
  // The addresses are free again.
  auto ipam = fs::readFile(dir_ + "/run/ipam.json");
  ASSERT_TRUE(ipam.ok());
  EXPECT_EQ(ipam->find(ra.container_id), std::string::npos);
  EXPECT_FALSE(sendTcp("127.0.0.1", host_port, "x"));
}

TEST_F(NetworkIntegration, StaticAddressConflictAndFailedSetupFreesAddresses) {
  Network n = createNetwork();
  ASSERT_FALSE(n.name.empty());
  auto ra = request("a", "sa", n);
  auto rb = request("b", "sb", n);
  IpAddr fixed = n.subnets[0].subnet.network().ip().next().next().next().next();  // .4
  ra.networks[n.name].static_ips = {fixed};
  rb.networks[n.name].static_ips = {fixed};
  ASSERT_TRUE(sys::createNetns(ra.netns_path).ok());
  ASSERT_TRUE(sys::createNetns(rb.netns_path).ok());
  auto sa = store_->setup(ra);
  ASSERT_TRUE(sa.ok()) << sa.error().what();
  EXPECT_EQ(sa->at(n.name).interfaces.at("eth0").subnets.at(0).ipnet.ip(), fixed);
  auto sb = store_->setup(rb);
  ASSERT_FALSE(sb.ok());
  EXPECT_EQ(sb.error().code(), Code::kAlreadyExists);
  // netavark refuses a bad MAC: the allocation made for the attempt is released.
  rb.networks[n.name].static_ips.clear();
  rb.networks[n.name].static_mac = MacAddr::parse("01:00:00:00:00:01").value();  // multicast
  auto bad = store_->setup(rb);
  ASSERT_FALSE(bad.ok());
  auto ipam = fs::readFile(dir_ + "/run/ipam.json");
  ASSERT_TRUE(ipam.ok());
  EXPECT_EQ(ipam->find(rb.container_id), std::string::npos) << *ipam;
  ASSERT_TRUE(store_->teardown(ra).ok());
  EXPECT_FALSE(run({"iptables-save"}).find(n.subnets[0].subnet.str()) != std::string::npos);
}

}  // namespace
}  // namespace berth::network
