// IP, CIDR and MAC address handling.
#include "network/ip.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace berth::network {

IpAddr IpAddr::v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  IpAddr ip;
  ip.b_[0] = a;
  ip.b_[1] = b;
  ip.b_[2] = c;
  ip.b_[3] = d;
  return ip;
}

IpAddr IpAddr::fromBytes(const uint8_t* bytes, bool v6) {
  IpAddr ip;
  ip.v6_ = v6;
  std::memcpy(ip.b_.data(), bytes, v6 ? 16 : 4);
  return ip;
}

Result<IpAddr> IpAddr::parse(std::string_view s) {
  std::string str(s);
  IpAddr ip;
  if (str.size() < INET6_ADDRSTRLEN && str.find(':') == std::string::npos) {
    if (inet_pton(AF_INET, str.c_str(), ip.b_.data()) == 1) return ip;
  } else if (str.size() < INET6_ADDRSTRLEN && str.find('%') == std::string::npos) {
    if (inet_pton(AF_INET6, str.c_str(), ip.b_.data()) == 1) {
      static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
      if (std::memcmp(ip.b_.data(), kMapped, 12) == 0) {  // ::ffff:a.b.c.d is IPv4 (Go's To4)
        std::memmove(ip.b_.data(), ip.b_.data() + 12, 4);
        std::memset(ip.b_.data() + 4, 0, 12);
        return ip;
      }
      ip.v6_ = true;
      return ip;
    }
  }
  return makeError(Code::kInvalidArgument, "invalid IP address: {}", s);
}

std::string IpAddr::str() const {
  if (!v6_) return fmt::format("{}.{}.{}.{}", b_[0], b_[1], b_[2], b_[3]);
  // Go's formatting (RFC 5952): the longest run of two or more zero groups,
  // the first on ties, becomes "::"; groups in lower-case hex without leading zeros.
  uint16_t g[8];
  for (int i = 0; i < 8; ++i) g[i] = static_cast<uint16_t>(b_[2 * i] << 8 | b_[2 * i + 1]);
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i >= 2 && j - i > best_len) best = i, best_len = j - i;
    i = j;
  }
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    out += fmt::format("{:x}", g[i]);
  }
  return out;
}

IpAddr IpAddr::next() const {
  IpAddr r = *this;
  for (int i = size() - 1; i >= 0; --i)
    if (++r.b_[i] != 0) break;
  return r;
}

IpAddr IpAddr::prev() const {
  IpAddr r = *this;
  for (int i = size() - 1; i >= 0; --i)
    if (r.b_[i]-- != 0) break;
  return r;
}

Result<Cidr> Cidr::parse(std::string_view s) {
  auto slash = s.find('/');
  auto bad = [&] { return makeError(Code::kInvalidArgument, "invalid CIDR address: {}", s); };
  if (slash == std::string_view::npos) return bad();
  auto ip = IpAddr::parse(s.substr(0, slash));
  if (!ip.ok()) return bad();
  // A v4-mapped v6 literal with a v6-length prefix is still IPv4 in Go only
  // when written as dotted quad; keep the rule simple: prefix bounds by family.
  std::string_view bits = s.substr(slash + 1);
  int prefix = -1;
  if (bits.empty() || bits.size() > 3 || (bits.size() > 1 && bits[0] == '0')) return bad();
  auto [p, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
  if (ec != std::errc() || p != bits.data() + bits.size()) return bad();
  int max = ip->isV6() ? 128 : 32;
  if (s.substr(0, slash).find(':') != std::string_view::npos && ip->isV4()) {
    // "::ffff:10.0.0.1/104": Go keeps the 16-byte form; prefix counts from the v6 start.
    if (prefix < 96 || prefix > 128) return bad();
    prefix -= 96;
    max = 32;
  }
  if (prefix < 0 || prefix > max) return bad();
  return Cidr(*ip, prefix);
}

Cidr Cidr::network() const {
  IpAddr n = ip_;
  uint8_t* b = n.bytes();
  for (int i = 0; i < n.size(); ++i) {
    int bits = prefix_ - i * 8;
    if (bits >= 8) continue;
    b[i] &= bits <= 0 ? 0 : static_cast<uint8_t>(0xff << (8 - bits));
  }
  return Cidr(n, prefix_);
}

bool Cidr::contains(const IpAddr& ip) const {
  if (ip.isV6() != ip_.isV6()) return false;
  return Cidr(ip, prefix_).network().ip() == network().ip();
}

std::string Cidr::str() const { return network().ip().str() + "/" + std::to_string(prefix_); }

IpAddr Cidr::firstHost() const {
  int bits = ip_.size() * 8;
  IpAddr n = network().ip();
  return prefix_ == bits ? n : n.next();
}

IpAddr Cidr::last() const {
  IpAddr n = network().ip();
  uint8_t* b = n.bytes();
  for (int i = 0; i < n.size(); ++i) {
    int bits = prefix_ - i * 8;
    if (bits >= 8) continue;
    b[i] |= bits <= 0 ? 0xff : static_cast<uint8_t>(0xff >> bits);
  }
  return n;
}

bool Cidr::intersects(const Cidr& o) const { return o.contains(ip_) || contains(o.ip_); }

Result<Cidr> Cidr::nextSubnet() const {
  if (prefix_ == 0) return makeError(Code::kFailedPrecondition, "{} has only one subnet", str());
  // Add 1 at the prefix's last bit, carrying into the bytes before it.
  IpAddr n = network().ip();
  uint8_t* b = n.bytes();
  int idx = (prefix_ - 1) / 8;
  int add = 1 << ((n.size() * 8 - prefix_) % 8);
  while (true) {
    if (idx < 0) return makeError(Code::kFailedPrecondition, "no more subnets left");
    int v = b[idx] + add;
    b[idx] = static_cast<uint8_t>(v);
    if (v <= 255) break;
    --idx;
    add = 1;
  }
  return Cidr(n, prefix_);
}

Result<MacAddr> MacAddr::parse(std::string_view s) {
  MacAddr m;
  auto bad = [&] { return makeError(Code::kInvalidArgument, "invalid MAC address {:?}", s); };
  if (s.size() != 17) return bad();
  char sep = s[2];
  if (sep != ':' && sep != '-') return bad();
  for (int i = 0; i < 6; ++i) {
    if (i > 0 && s[i * 3 - 1] != sep) return bad();
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data() + i * 3, s.data() + i * 3 + 2, v, 16);
    if (ec != std::errc() || p != s.data() + i * 3 + 2) return bad();
    m.b_[i] = static_cast<uint8_t>(v);
  }
  return m;
}

std::string MacAddr::str() const {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", b_[0], b_[1], b_[2], b_[3], b_[4], b_[5]);
}

}  // namespace berth::network
