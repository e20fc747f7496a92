// IP addresses, CIDR prefixes and MAC addresses: parsing, Go-compatible printing and arithmetic.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace berth::network {

// An IPv4 or IPv6 address. IPv4 (also when written as ::ffff:a.b.c.d) is
// always stored as 4 bytes, as Go's net.IP.To4 normalises it.
class IpAddr {
 public:
  IpAddr() = default;
  static IpAddr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d);
  static IpAddr fromBytes(const uint8_t* bytes, bool v6);
  // kInvalidArgument: "invalid IP address: <s>".
  static Result<IpAddr> parse(std::string_view s);

  bool isV6() const { return v6_; }
  bool isV4() const { return !v6_; }
  int size() const { return v6_ ? 16 : 4; }
  const uint8_t* bytes() const { return b_.data(); }
  uint8_t* bytes() { return b_.data(); }
  // Go's net.IP.String(): dotted quad, RFC 5952 for IPv6.
  std::string str() const;

  // The next / previous address (wraps around at the ends).
  IpAddr next() const;
  IpAddr prev() const;

  friend bool operator==(const IpAddr& a, const IpAddr& b) { return a.v6_ == b.v6_ && a.b_ == b.b_; }
  friend bool operator<(const IpAddr& a, const IpAddr& b) {
    return a.v6_ != b.v6_ ? a.v6_ < b.v6_ : a.b_ < b.b_;
  }
  friend bool operator<=(const IpAddr& a, const IpAddr& b) { return !(b < a); }
  friend bool operator>(const IpAddr& a, const IpAddr& b) { return b < a; }

 private:
  bool v6_ = false;
  std::array<uint8_t, 16> b_{};
};

// An address with a prefix length ("10.89.0.5/24"). The address is kept as
// given: network() is the masked form.
class Cidr {
 public:
  Cidr() = default;
  Cidr(IpAddr ip, int prefix) : ip_(ip), prefix_(prefix) {}
  // kInvalidArgument "invalid CIDR address: <s>" (Go's net.ParseCIDR message).
  static Result<Cidr> parse(std::string_view s);

  const IpAddr& ip() const { return ip_; }
  int prefix() const { return prefix_; }
  bool isV6() const { return ip_.isV6(); }
  // The network address: ip with the host bits cleared.
  Cidr network() const;
  bool contains(const IpAddr& ip) const;
  // Go's net.IPNet.String(): "10.89.0.0/24".
  std::string str() const;
  // The first and last address of the network (network address + 1, broadcast).
  IpAddr firstHost() const;
  IpAddr last() const;
  // Whether the two networks overlap (one contains the other's address).
  bool intersects(const Cidr& o) const;
  // The next network of the same size (10.89.0.0/24 -> 10.89.1.0/24);
  // kOutOfRange-like kFailedPrecondition when the address space ends.
  Result<Cidr> nextSubnet() const;

  friend bool operator==(const Cidr& a, const Cidr& b) { return a.ip_ == b.ip_ && a.prefix_ == b.prefix_; }

 private:
  IpAddr ip_;
  int prefix_ = 0;
};

// A MAC address of 6 bytes (what netavark accepts for static_mac).
class MacAddr {
 public:
  // Accepts aa:bb:cc:dd:ee:ff and aa-bb-cc-dd-ee-ff; kInvalidArgument otherwise.
  static Result<MacAddr> parse(std::string_view s);
  std::string str() const;  // lower-case, colon separated
  const std::array<uint8_t, 6>& bytes() const { return b_; }
  friend bool operator==(const MacAddr& a, const MacAddr& b) { return a.b_ == b.b_; }

 private:
  std::array<uint8_t, 6> b_{};
};

}  // namespace berth::network
