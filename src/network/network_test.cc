// Unit tests: addresses, the netavark JSON codec, network completion, subnet and name
// allocation, IPAM and the definition store.
#include <gtest/gtest.h>

#include <cstdlib>

#include "base/fs.h"
#include "network/create.h"
#include "network/etc_files.h"
#include "network/host.h"
#include "network/ip.h"
#include "network/ipam.h"
#include "network/ports.h"
#include "network/store.h"
#include "network/types.h"

namespace berth::network {
namespace {

IpAddr ip(const char* s) { return IpAddr::parse(s).value(); }
Cidr cidr(const char* s) { return Cidr::parse(s).value(); }

TEST(Ip, ParseAndFormat) {
  EXPECT_EQ(ip("10.89.0.1").str(), "10.89.0.1");
  EXPECT_TRUE(ip("10.89.0.1").isV4());
  EXPECT_EQ(ip("::ffff:10.1.2.3").str(), "10.1.2.3");  // Go's To4
  EXPECT_TRUE(ip("::ffff:10.1.2.3").isV4());
  EXPECT_EQ(ip("FD00:0:0:0:0:0:0:1").str(), "fd00::1");
  EXPECT_EQ(ip("2001:db8:0:0:1:0:0:1").str(), "2001:db8::1:0:0:1");  // first longest run
  EXPECT_EQ(ip("::1").str(), "::1");
  EXPECT_EQ(ip("::").str(), "::");
  EXPECT_EQ(ip("::102:304").str(), "::102:304");  // Go does not print IPv4-compatible form
  EXPECT_EQ(ip("1:0:2:0:3:0:4:0").str(), "1:0:2:0:3:0:4:0");
  for (auto* bad : {"", "1.2.3", "1.2.3.256", "10.0.0.1 ", "x", "fe80::1%eth0", "1.2.3.4/24"}) {
    auto r = IpAddr::parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  }
}

TEST(Ip, NextPrev) {
  EXPECT_EQ(ip("10.0.0.255").next().str(), "10.0.1.0");
  EXPECT_EQ(ip("10.0.1.0").prev().str(), "10.0.0.255");
  EXPECT_EQ(ip("fd00::ffff").next().str(), "fd00::1:0");
}

TEST(Cidr, ParseContainsAndBounds) {
  Cidr c = cidr("10.89.0.5/24");
  EXPECT_EQ(c.ip().str(), "10.89.0.5");
  EXPECT_EQ(c.str(), "10.89.0.0/24");
  EXPECT_TRUE(c.contains(ip("10.89.0.255")));
  EXPECT_FALSE(c.contains(ip("10.89.1.0")));
  EXPECT_FALSE(c.contains(ip("fd00::1")));
  EXPECT_EQ(c.firstHost().str(), "10.89.0.1");
  EXPECT_EQ(c.last().str(), "10.89.0.255");
  EXPECT_EQ(cidr("10.88.0.0/16").last().str(), "10.88.255.255");
  EXPECT_EQ(cidr("fd12:3456::/64").last().str(), "fd12:3456::ffff:ffff:ffff:ffff");
  EXPECT_EQ(cidr("10.0.0.0/9").str(), "10.0.0.0/9");
  EXPECT_TRUE(cidr("10.0.0.0/8").intersects(cidr("10.89.0.0/24")));
  EXPECT_TRUE(cidr("10.89.0.0/24").intersects(cidr("10.0.0.0/8")));
  EXPECT_FALSE(cidr("10.89.0.0/24").intersects(cidr("10.89.1.0/24")));
  for (auto* bad : {"10.0.0.0", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "foo", "10.0.0.0/08", "fd00::/129"}) {
    auto r = Cidr::parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().message(), fmt::format("invalid CIDR address: {}", bad));
  }
}

TEST(Cidr, NextSubnet) {
  EXPECT_EQ(cidr("10.89.0.0/24").nextSubnet()->str(), "10.89.1.0/24");
  EXPECT_EQ(cidr("10.89.255.0/24").nextSubnet()->str(), "10.90.0.0/24");
  EXPECT_EQ(cidr("10.0.0.0/9").nextSubnet()->str(), "10.128.0.0/9");
  EXPECT_EQ(cidr("10.0.0.128/25").nextSubnet()->str(), "10.0.1.0/25");
  EXPECT_FALSE(cidr("255.255.255.0/24").nextSubnet().ok());
  EXPECT_FALSE(cidr("0.0.0.0/0").nextSubnet().ok());
}

TEST(Mac, Parse) {
  EXPECT_EQ(MacAddr::parse("AA:bb:cc:00:11:22")->str(), "aa:bb:cc:00:11:22");
  EXPECT_EQ(MacAddr::parse("aa-bb-cc-00-11-22")->str(), "aa:bb:cc:00:11:22");
  for (auto* bad : {"aa:bb:cc:00:11", "aa:bb:cc:00:11:2g", "aa:bb-cc:00:11:22", "aabbcc001122"})
    EXPECT_FALSE(MacAddr::parse(bad).ok()) << bad;
}

// A file as podman 4.3.1 writes it.
constexpr const char* kPodmanFile = R"({
     "name": "nwtest2",
     "id": "817194ecf331c376bf1b0953036b67ea4612475d7445c736490b1da7935ab4e8",
     "driver": "bridge",
     "network_interface": "podman2",
     "created": "2026-12-04T14:47:36.241695885Z",
     "subnets": [
          {
               "subnet": "10.250.78.0/24",
               "gateway": "10.250.78.3",
               "lease_range": {
                    "start_ip": "10.250.78.129",
                    "end_ip": "10.250.78.255"
               }
          }
     ],
     "ipv6_enabled": false,
     "internal": true,
     "dns_enabled": true,
     "labels": {
          "a": "b"
     },
     "ipam_options": {
          "driver": "host-local"
     }
}
)";

TEST(Types, NetworkRoundTrip) {
  auto j = parseJson(kPodmanFile, "test").value();
  auto n = networkFromJson(j);
  ASSERT_TRUE(n.ok()) << n.error().what();
  EXPECT_EQ(n->name, "nwtest2");
  EXPECT_EQ(n->network_interface, "podman2");
  EXPECT_TRUE(n->internal);
  ASSERT_EQ(n->subnets.size(), 1u);
  EXPECT_EQ(n->subnets[0].gateway->str(), "10.250.78.3");
  EXPECT_EQ(n->subnets[0].lease_range->start_ip->str(), "10.250.78.129");
  EXPECT_EQ(n->labels.at("a"), "b");
  EXPECT_EQ(n->ipamDriver(), "host-local");
  EXPECT_EQ(toJson(*n).dump(5) + "\n", kPodmanFile);
}

TEST(Types, HostileNetworkJson) {
  struct Case {
    const char* json;
    const char* error;
  } cases[] = {
      {R"([])", "value: expected an object, got array"},
      {R"({"name": 5})", "name: expected a string, got number"},
      {R"({"internal": "yes"})", "internal: expected a boolean, got string"},
      {R"({"subnets": {}})", "subnets: expected an array, got object"},
      {R"({"subnets": [5]})", "subnets[0]: expected an object, got number"},
      {R"({"subnets": [{}]})", "subnets[0].subnet: missing"},
      {R"({"subnets": [{"subnet": "10.0.0.0/8", "gateway": "x"}]})",
       "subnets[0].gateway: invalid IP address: x"},
      {R"({"subnets": [{"subnet": "10.0.0.0/99"}]})", "subnets[0].subnet: invalid CIDR address: 10.0.0.0/99"},
      {R"({"subnets": [{"subnet": "10.0.0.0/8", "lease_range": []}]})",
       "subnets[0].lease_range: expected an object, got array"},
      {R"({"labels": {"a": 1}})", "labels.a: expected a string, got number"},
      {R"({"created": "yesterday"})", "created"},
  };
  for (auto& c : cases) {
    auto r = networkFromJson(parseJson(c.json, "t").value());
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
    EXPECT_NE(r.error().what().find(c.error), std::string::npos) << r.error().what();
  }
  // Nulls and unknown fields are accepted, as Go's decoder does.
  auto ok = networkFromJson(parseJson(R"({"name":"a","labels":null,"subnets":null,"extra":[1]})", "t").value());
  ASSERT_TRUE(ok.ok()) << ok.error().what();
}

TEST(Types, SetupOptionsAndStatus) {
  NetavarkOptions o;
  o.container_id = "abc";
  o.container_name = "web";
  PerNetworkOptions per;
  per.interface_name = "eth0";
  per.static_ips = {ip("10.89.0.2")};
  per.aliases = {"web", "www"};
  per.static_mac = MacAddr::parse("02:00:00:00:00:01").value();
  o.networks["n1"] = per;
  o.port_mappings.push_back(PortMapping{"127.0.0.1", 80, 8080, 2, "tcp"});
  o.dns_servers = {ip("10.89.0.53")};
  Network n;
  n.name = "n1";
  o.network_info["n1"] = n;
  Json j = toJson(o);
  EXPECT_EQ(j.dump(),
            R"({"container_id":"abc","container_name":"web","port_mappings":[{"host_ip":"127.0.0.1","container_port":80,)"
            R"("host_port":8080,"range":2,"protocol":"tcp"}],"networks":{"n1":{"static_ips":["10.89.0.2"],)"
            R"("aliases":["web","www"],"static_mac":"02:00:00:00:00:01","interface_name":"eth0"}},)"
            R"("dns_servers":["10.89.0.53"],"network_info":{"n1":{"name":"n1","id":"","driver":"",)"
            R"("created":"1970-01-01T00:00:00Z","ipv6_enabled":false,"internal":false,"dns_enabled":false}}})");
  auto back = netavarkOptionsFromJson(j);
  ASSERT_TRUE(back.ok()) << back.error().what();
  EXPECT_EQ(back->networks["n1"].static_mac->str(), "02:00:00:00:00:01");
  EXPECT_EQ(back->port_mappings[0].range, 2);

  // netavark 1.4's setup output shape (serde writes null for unset options).
  auto status = statusFromJson(parseJson(R"({"n1":{"dns_search_domains":["dns.podman"],
      "dns_server_ips":["10.89.0.1"],"interfaces":{"eth0":{"mac_address":"a2:11:22:33:44:55",
      "subnets":[{"gateway":"10.89.0.1","ipnet":"10.89.0.2/24"}]}}},
      "n2":{"dns_search_domains":null,"dns_server_ips":null,"interfaces":{"eth1":{"mac_address":"x","subnets":null}}}})",
                                         "t")
                                   .value());
  ASSERT_TRUE(status.ok()) << status.error().what();
  auto& eth0 = status->at("n1").interfaces.at("eth0");
  EXPECT_EQ(eth0.subnets[0].ipnet.ip().str(), "10.89.0.2");
  EXPECT_EQ(eth0.subnets[0].ipnet.prefix(), 24);
  EXPECT_EQ(status->at("n1").dns_search_domains[0], "dns.podman");
  EXPECT_TRUE(status->at("n2").interfaces.at("eth1").subnets.empty());

  auto bad = statusFromJson(parseJson(R"({"n1":{"interfaces":{"eth0":{"subnets":[{"ipnet":"nope"}]}}}})", "t").value());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().what().find("n1.interfaces.eth0.subnets[0].ipnet"), std::string::npos) << bad.error().what();
  auto port = portMappingFromJson(parseJson(R"({"container_port": 70000})", "t").value());
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.error().what().find("container_port: 70000 is out of range"), std::string::npos);
}

Network bridge(const char* name, const char* iface, const char* subnet) {
  Network n;
  n.name = name;
  n.driver = "bridge";
  n.network_interface = iface;
  n.subnets.push_back(Subnet{cidr(subnet), std::nullopt, std::nullopt});
  return n;
}

TEST(Allocate, FreeSubnetSkipsUsed) {
  auto pools = defaultSubnetPools();
  EXPECT_EQ(freeIpv4Subnet({}, pools)->subnet.str(), "10.89.0.0/24");
  EXPECT_EQ(freeIpv4Subnet({cidr("10.89.0.0/24"), cidr("10.89.1.0/24")}, pools)->subnet.str(), "10.89.2.0/24");
  // A host route covering the whole first pool moves on to the next pool.
  EXPECT_EQ(freeIpv4Subnet({cidr("10.89.0.0/16")}, pools)->subnet.str(), "10.90.0.0/24");
  EXPECT_EQ(freeIpv4Subnet({cidr("10.0.0.0/8")}, pools).error().code(), Code::kUnavailable);
  auto v6 = freeIpv6Subnet({});
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->subnet.prefix(), 64);
  EXPECT_EQ(v6->subnet.ip().bytes()[0], 0xfd);
}

TEST(Allocate, DeviceNames) {
  std::vector<Network> nets = {bridge("podman", "podman0", "10.88.0.0/16"), bridge("a", "podman1", "10.89.0.0/24")};
  EXPECT_EQ(*freeDeviceName(nets, {"lo", "eth0", "podman2"}), "podman3");
  nets.push_back(bridge("podman3", "br-x", "10.89.1.0/24"));  // a network named like a device
  EXPECT_EQ(*freeDeviceName(nets, {"podman2"}), "podman4");
}

CreateContext context() {
  CreateContext ctx;
  ctx.existing = {bridge("podman", "podman0", "10.88.0.0/16")};
  ctx.host.interfaces = {"lo", "eth0"};
  ctx.host.subnets = {cidr("127.0.0.0/8"), cidr("10.89.0.0/24")};
  ctx.id = std::string(64, 'a');
  ctx.now = 1234;
  return ctx;
}

TEST(Complete, DefaultsLikePodman) {
  Network req;
  req.name = "n1";
  req.dns_enabled = true;
  auto n = completeNetwork(req, context());
  ASSERT_TRUE(n.ok()) << n.error().what();
  EXPECT_EQ(n->driver, "bridge");
  EXPECT_EQ(n->network_interface, "podman1");
  ASSERT_EQ(n->subnets.size(), 1u);
  EXPECT_EQ(n->subnets[0].subnet.str(), "10.89.1.0/24");  // 10.89.0.0/24 is a host address
  EXPECT_EQ(n->subnets[0].gateway->str(), "10.89.1.1");
  EXPECT_EQ(n->ipamDriver(), "host-local");
  EXPECT_EQ(n->id, std::string(64, 'a'));
  EXPECT_EQ(n->created, 1234);

  Network anon;
  auto a = completeNetwork(anon, context());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->name, "podman1");
  EXPECT_EQ(a->network_interface, "podman1");

  Network v6;
  v6.name = "v6";
  v6.ipv6_enabled = true;
  auto b = completeNetwork(v6, context());
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->subnets.size(), 2u);
  EXPECT_TRUE(b->subnets[1].subnet.isV6());
  EXPECT_TRUE(b->subnets[1].gateway.has_value());

  Network internal;
  internal.name = "int";
  internal.internal = true;
  auto c = completeNetwork(internal, context());
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->subnets[0].gateway.has_value());  // internal without DNS: no gateway

  Network given;
  given.name = "g";
  given.subnets.push_back(Subnet{cidr("192.168.77.9/24"), std::nullopt, LeaseRange{ip("192.168.77.128"), std::nullopt}});
  given.options["isolate"] = "1";
  auto d = completeNetwork(given, context());
  ASSERT_TRUE(d.ok()) << d.error().what();
  EXPECT_EQ(d->subnets[0].subnet.str(), "192.168.77.0/24");
  EXPECT_EQ(d->subnets[0].subnet.ip().str(), "192.168.77.0");
  EXPECT_EQ(d->options["isolate"], "true");
}

TEST(Complete, ErrorsLikePodman) {
  auto err = [](Network req) {
    auto r = completeNetwork(req, context());
    return r.ok() ? std::string("ok") : r.error().message();
  };
  Network n;
  n.name = "podman";
  EXPECT_EQ(err(n), "network name podman already used: network already exists");
  n.name = "bad name";
  EXPECT_EQ(err(n), "network name bad name invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
  n.name = "x";
  n.subnets = {Subnet{cidr("10.88.5.0/24"), std::nullopt, std::nullopt}};
  EXPECT_EQ(err(n), "subnet 10.88.5.0/24 is already used on the host or by another config");
  n.subnets = {Subnet{cidr("10.250.79.0/24"), ip("10.250.80.1"), std::nullopt}};
  EXPECT_EQ(err(n), "gateway 10.250.80.1 not in subnet 10.250.79.0/24");
  n.subnets = {Subnet{cidr("10.250.79.0/24"), std::nullopt, LeaseRange{ip("10.1.1.1"), std::nullopt}}};
  EXPECT_EQ(err(n), "lease range start ip 10.1.1.1 not in subnet 10.250.79.0/24");
  n.subnets.clear();
  n.driver = "ipvlan";
  EXPECT_EQ(err(n), "unsupported driver ipvlan: invalid argument");
  n.driver = "macvlan";
  EXPECT_EQ(err(n), "macvlan driver needs at least one subnet specified, DHCP is not yet supported with netavark");
  n.network_interface = "nope0";
  EXPECT_EQ(err(n), "parent interface nope0 does not exist");
  n.driver = "bridge";
  n.network_interface = "podman0";
  EXPECT_EQ(err(n), "bridge name podman0 already in use");
  n.network_interface = "averyveryverylongname";
  EXPECT_EQ(err(n), "bridge name averyveryverylongname invalid: longer than 15 characters");
  n.network_interface.clear();
  n.options["foo"] = "bar";
  EXPECT_EQ(err(n), "unsupported bridge network option foo");
  n.options = {{"vlan", "5000"}};
  EXPECT_EQ(err(n), "vlan ID 5000 must be between 0 and 4094");
  n.options = {{"mtu", "-1"}};
  EXPECT_EQ(err(n), "mtu -1 is less than zero");
  n.options = {{"mtu", "abc"}};
  EXPECT_EQ(err(n), "strconv.Atoi: parsing \"abc\": invalid syntax");
  n.options.clear();
  n.ipam_options = {{"driver", "dhcp"}};
  EXPECT_EQ(err(n), "dhcp ipam driver is not yet supported with netavark");
  n.ipam_options = {{"driver", "none"}};
  n.subnets = {Subnet{cidr("10.250.79.0/24"), std::nullopt, std::nullopt}};
  EXPECT_EQ(err(n), "none ipam driver is set but subnets are given");
  n.subnets.clear();
  n.dns_enabled = true;
  auto none = completeNetwork(n, context());
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->dns_enabled);  // no IPAM, no DNS
  EXPECT_TRUE(none->subnets.empty());
  n.id = "x";
  EXPECT_EQ(err(n), "ID can not be set for network create: invalid argument");
}

Network ipamNet(const char* subnet) {
  Network n = bridge("n", "br", subnet);
  Subnet& s = n.subnets[0];
  (void)validateSubnet(s, true, {});
  return n;
}

TEST(Ipam, SequentialAllocationSkipsGatewayAndWraps) {
  auto tmp = std::string(::testing::TempDir()) + "/ipam-seq.json";
  ::unlink(tmp.c_str());
  auto ipam = Ipam::load(tmp).value();
  Network n = ipamNet("10.77.0.0/29");  // hosts .1-.6, gateway .1
  std::vector<std::string> got;
  for (int i = 0; i < 5; ++i) got.push_back(ipam.allocate(n, "c" + std::to_string(i), {})->at(0).str());
  EXPECT_EQ(got, (std::vector<std::string>{"10.77.0.2", "10.77.0.3", "10.77.0.4", "10.77.0.5", "10.77.0.6"}));
  auto full = ipam.allocate(n, "c9", {});
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code(), Code::kUnavailable);
  EXPECT_EQ(full.error().message(), "IPAM error: failed to find free IP in range: 10.77.0.1 - 10.77.0.6");
  ipam.release("n", "c1");
  EXPECT_EQ(ipam.allocate(n, "c9", {})->at(0).str(), "10.77.0.3");  // wraps to the freed address
  EXPECT_EQ(ipam.assigned("n", "c9")->at(0).str(), "10.77.0.3");
  EXPECT_EQ(ipam.assigned("n", "c1").error().code(), Code::kNotFound);
  ASSERT_TRUE(ipam.save().ok());
  auto again = Ipam::load(tmp).value();
  EXPECT_EQ(again.assigned("n", "c4")->at(0).str(), "10.77.0.6");
  ::unlink(tmp.c_str());
}

TEST(Ipam, StaticAddressesAndRanges) {
  auto ipam = Ipam::load(std::string(::testing::TempDir()) + "/ipam-none.json").value();
  Network n = ipamNet("10.77.0.0/24");
  EXPECT_EQ(ipam.allocate(n, "a", {ip("10.77.0.50")})->at(0).str(), "10.77.0.50");
  auto dup = ipam.allocate(n, "b", {ip("10.77.0.50")});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code(), Code::kAlreadyExists);
  EXPECT_EQ(dup.error().message(),
            "IPAM error: requested ip address 10.77.0.50 is already allocated to container ID a");
  auto outside = ipam.allocate(n, "b", {ip("10.78.0.5")});
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().message(), "requested static ip 10.78.0.5 not in any subnet on network n");
  auto gw = ipam.allocate(n, "b", {ip("10.77.0.1")});
  ASSERT_FALSE(gw.ok());
  EXPECT_EQ(ipam.assigned("n", "b").error().code(), Code::kNotFound);  // failures record nothing

  Network r = ipamNet("10.79.0.0/24");
  r.name = "r";
  r.subnets[0].lease_range = LeaseRange{ip("10.79.0.200"), ip("10.79.0.201")};
  EXPECT_EQ(ipam.allocate(r, "x", {})->at(0).str(), "10.79.0.200");
  EXPECT_EQ(ipam.allocate(r, "y", {})->at(0).str(), "10.79.0.201");
  EXPECT_FALSE(ipam.allocate(r, "z", {}).ok());
  // Re-allocating for the same container first frees what it held.
  EXPECT_EQ(ipam.allocate(r, "y", {})->at(0).str(), "10.79.0.201");

  Network dual = ipamNet("10.80.0.0/24");
  dual.name = "dual";
  Subnet v6{cidr("fd00:1::/64"), std::nullopt, std::nullopt};
  ASSERT_TRUE(validateSubnet(v6, true, {}).ok());
  dual.subnets.push_back(v6);
  auto both = ipam.allocate(dual, "d", {ip("fd00:1::99")});
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->at(0).str(), "10.80.0.2");
  EXPECT_EQ(both->at(1).str(), "fd00:1::99");
}

TEST(Ipam, DamagedFileIsDataLoss) {
  auto path = std::string(::testing::TempDir()) + "/ipam-bad.json";
  ASSERT_TRUE(fs::writeFileAtomic(path, "{not json").ok());
  auto r = Ipam::load(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kDataLoss);
  ::unlink(path.c_str());
}

TEST(Host, ProcRoutes) {
  std::string r4 =
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
      "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
      "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
      "br0\t0000580A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n";
  std::string r6 =
      "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 "
      "00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n"
      "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
      "00000000000000000000000000000000 00000400 00000001 00000000 00000001     eth0\n";
  auto routes = parseProcRoutes(r4, r6);
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[0].str(), "192.0.2.0/24");
  EXPECT_EQ(routes[1].str(), "10.88.0.0/16");
  EXPECT_EQ(routes[2].str(), "fd00::/64");
}

TEST(EtcFiles, HostsLikePodman) {
  HostsParams p;
  p.extra_hosts = {"foo:1.2.3.4"};
  p.base = "127.0.0.1 localhost\n127.0.0.1 runsc # comment\n127.0.0.1 vm\n# only a comment\n10.0.0.9\n";
  p.host_containers_internal_ip = "10.250.99.1";
  p.container_entries = {{"10.250.99.2", {"c88170824770", "web1"}}};
  auto hosts = buildHosts(p);
  ASSERT_TRUE(hosts.ok());
  // What podman 4.3.1 writes for `run --add-host foo:1.2.3.4 --network NET --name web1`.
  EXPECT_EQ(*hosts,
            "1.2.3.4\tfoo\n127.0.0.1\tlocalhost\n127.0.0.1\trunsc\n127.0.0.1\tvm\n"
            "10.250.99.1\thost.containers.internal\n10.250.99.2\tc88170824770 web1\n");
  HostsParams empty;
  empty.container_entries = {{"127.0.0.1", {"abc", "name"}}};
  EXPECT_EQ(*buildHosts(empty), "127.0.0.1\tlocalhost\n::1\tlocalhost\n127.0.0.1\tabc name\n");
  HostsParams bad;
  bad.extra_hosts = {"nocolon"};
  EXPECT_EQ(buildHosts(bad).error().message(), "unable to parse host entry \"nocolon\": incorrect format");
  bad.extra_hosts = {":1.2.3.4"};
  EXPECT_EQ(buildHosts(bad).error().message(), "hostname in host entry \":1.2.3.4\" is empty");
}

TEST(EtcFiles, ResolvConfLikePodman) {
  std::string host = "# generated\nnameserver 10.255.255.53\nsearch a.example b.example\noptions ndots:2\n";
  ResolvParams net;  // a container on a DNS-enabled network: aardvark first, host servers kept
  net.keep_host_servers = true;
  net.nameservers = {"10.250.99.1"};
  net.searches = {"dns.podman"};
  EXPECT_EQ(buildResolvConf(net, host),
            "search dns.podman a.example b.example\nnameserver 10.250.99.1\nnameserver 10.255.255.53\n"
            "options ndots:2\n");
  ResolvParams custom;  // --dns / --dns-search / --dns-option replace the host's
  custom.nameservers = {"1.1.1.1"};
  custom.searches = {"example.com"};
  custom.options = {"timeout:1"};
  EXPECT_EQ(buildResolvConf(custom, host), "search example.com\nnameserver 1.1.1.1\noptions timeout:1\n");
  ResolvParams unset;  // --dns-search . drops the search line
  unset.searches = {"."};
  EXPECT_EQ(buildResolvConf(unset, host), "nameserver 10.255.255.53\noptions ndots:2\n");
  // In a private netns localhost resolvers are useless: fall back to public servers.
  std::string local = "nameserver 127.0.0.53\nnameserver ::1\nnameserver fd00::1\n";
  EXPECT_EQ(buildResolvConf(ResolvParams{}, local), "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
  ResolvParams v6;
  v6.ipv6 = true;
  EXPECT_EQ(buildResolvConf(v6, local), "nameserver fd00::1\n");
  ResolvParams hostns;
  hostns.host_netns = true;
  EXPECT_EQ(buildResolvConf(hostns, local), "nameserver 127.0.0.53\nnameserver ::1\nnameserver fd00::1\n");
  EXPECT_EQ(resolvNameservers("nameserver x\nnameserver 1.2.3.4 # c\n"), std::vector<std::string>{"1.2.3.4"});
}

TEST(Ports, PublishLikePodman) {
  auto p = parsePublish("127.0.0.1:8080:80");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->host_ip, "127.0.0.1");
  EXPECT_EQ(p->host_port, 8080);
  EXPECT_EQ(p->container_port, 80);
  EXPECT_EQ(p->range, 1);
  EXPECT_EQ(p->protocol, "");
  p = parsePublish("39200-39201:90-91/udp");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->host_port, 39200);
  EXPECT_EQ(p->container_port, 90);
  EXPECT_EQ(p->range, 2);
  EXPECT_EQ(p->protocol, "udp");
  p = parsePublish("80");
  EXPECT_EQ(p->host_port, 0);
  p = parsePublish("0.0.0.0::80");
  EXPECT_EQ(p->host_ip, "");
  EXPECT_EQ(p->host_port, 0);
  p = parsePublish("[::1]:8080:80/tcp,udp");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->host_ip, "::1");
  EXPECT_EQ(p->protocol, "tcp,udp");
  auto err = [](const char* s) {
    auto r = parsePublish(s);
    return r.ok() ? std::string("ok") : r.error().message();
  };
  EXPECT_EQ(err("80/tcp/udp"), "invalid port format - protocol can only be specified once");
  EXPECT_EQ(err("1:2:3:4"), "invalid port format - format is [[hostIP:]hostPort:]containerPort");
  EXPECT_EQ(err("8080-8081:80"), "host and container port ranges have different lengths: 2 vs 1");
  EXPECT_EQ(err("70000"), "parsing container port: port numbers must be between 1 and 65535 (inclusive), got 70000");
  EXPECT_EQ(err("90-80"),
            "parsing container port: the end port of a range must be higher than the start port - 80 is not higher than 90");
  EXPECT_EQ(err("x:80:80"), "cannot parse \"x\" as an IP address");
  EXPECT_EQ(err("80/"), "must provide a non-empty protocol to publish");
  EXPECT_EQ(err("[::1]80"), "invalid port format - IPv6 address must be followed by a colon (':')");
  EXPECT_EQ(err("8080:"), "must provide a non-empty container port to publish");
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-netstore-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    StoreOptions o;
    o.config_dir = dir_ + "/conf";
    o.run_dir = dir_ + "/run";
    store_ = std::make_unique<Store>(o);
  }
  void TearDown() override { (void)fs::removeAll(dir_); }
  std::string dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, DefaultNetworkIsImplicitAndNeverWritten) {
  auto nets = store_->list();
  ASSERT_TRUE(nets.ok()) << nets.error().what();
  ASSERT_EQ(nets->size(), 1u);
  EXPECT_EQ((*nets)[0].name, "podman");
  EXPECT_EQ((*nets)[0].id, kDefaultNetworkId);
  EXPECT_EQ((*nets)[0].network_interface, "podman0");
  EXPECT_EQ((*nets)[0].subnets[0].gateway->str(), "10.88.0.1");
  EXPECT_FALSE((*nets)[0].dns_enabled);
  EXPECT_FALSE(fs::exists(dir_ + "/conf/podman.json"));
  auto rm = store_->remove("podman");
  ASSERT_FALSE(rm.ok());
  EXPECT_EQ(rm.error().message(), "default network podman cannot be removed");
}

TEST_F(StoreTest, CreateGetRemove) {
  Network req;
  req.name = "t1";
  req.dns_enabled = true;
  req.subnets.push_back(Subnet{cidr("10.251.3.0/24"), std::nullopt, std::nullopt});
  auto n = store_->create(req);
  ASSERT_TRUE(n.ok()) << n.error().what();
  auto text = fs::readFile(dir_ + "/conf/t1.json");
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("\n     \"name\": \"t1\",\n"), std::string::npos);  // podman's 5-space indent
  auto by_prefix = store_->get(n->id.substr(0, 10));
  ASSERT_TRUE(by_prefix.ok());
  EXPECT_EQ(by_prefix->name, "t1");
  auto again = store_->create(req);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), Code::kAlreadyExists);
  // A second network gets the next bridge name and does not reuse the subnet.
  Network req2;
  req2.name = "t2";
  req2.subnets.push_back(Subnet{cidr("10.251.3.0/25"), std::nullopt, std::nullopt});
  EXPECT_EQ(store_->create(req2).error().message(),
            "subnet 10.251.3.0/25 is already used on the host or by another config");
  ASSERT_TRUE(store_->remove("t1").ok());
  EXPECT_EQ(store_->get("t1").error().code(), Code::kNotFound);
  EXPECT_EQ(store_->get("t1").error().message(), "unable to find network with name or ID t1: network not found");
}

TEST_F(StoreTest, BadFilesAreSkipped) {
  ASSERT_TRUE(fs::mkdirAll(dir_ + "/conf").ok());
  ASSERT_TRUE(fs::writeFileAtomic(dir_ + "/conf/junk.json", "{\"name\": 5}").ok());
  ASSERT_TRUE(fs::writeFileAtomic(dir_ + "/conf/other.json", kPodmanFile).ok());  // name mismatch
  ASSERT_EQ(::symlink("/etc/passwd", (dir_ + "/conf/link.json").c_str()), 0);
  ASSERT_EQ(::mkfifo((dir_ + "/conf/fifo.json").c_str(), 0600), 0);
  ASSERT_TRUE(fs::writeFileAtomic(dir_ + "/conf/nwtest2.json", kPodmanFile).ok());
  auto nets = store_->list();
  ASSERT_TRUE(nets.ok());
  ASSERT_EQ(nets->size(), 2u);
  EXPECT_EQ((*nets)[0].name, "nwtest2");
  EXPECT_EQ((*nets)[1].name, "podman");
}

}  // namespace
}  // namespace berth::network
