// --publish parsing.
#include "network/ports.h"

#include <charconv>

namespace berth::network {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

Result<uint16_t> parsePort(const std::string& s) {
  long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size())
    return makeError(Code::kInvalidArgument, "invalid port number: strconv.Atoi: parsing {:?}: invalid syntax", s);
  if (v < 1 || v > 65535)
    return makeError(Code::kInvalidArgument, "port numbers must be between 1 and 65535 (inclusive), got {}", v);
  return static_cast<uint16_t>(v);
}

// start and length of "N" or "N-M".
Result<std::pair<uint16_t, uint16_t>> parseRange(const std::string& s) {
  auto parts = split(s, '-');
  if (parts.size() > 2)
    return makeError(Code::kInvalidArgument, "invalid port format - port ranges are formatted as startPort-stopPort");
  if (parts[0].empty()) return makeError(Code::kInvalidArgument, "port numbers cannot be negative");
  uint16_t start = TRY(parsePort(parts[0]));
  uint16_t len = 1;
  if (parts.size() == 2) {
    if (parts[1].empty()) return makeError(Code::kInvalidArgument, "must provide ending number for port range");
    uint16_t end = TRY(parsePort(parts[1]));
    if (end <= start)
      return makeError(Code::kInvalidArgument,
                       "the end port of a range must be higher than the start port - {} is not higher than {}", end,
                       start);
    len = static_cast<uint16_t>(end - start + 1);
  }
  return std::make_pair(start, len);
}

}  // namespace

Result<PortMapping> parsePublish(const std::string& spec) {
  auto inval = [](std::string_view m) { return Error(Code::kInvalidArgument, std::string(m)); };
  auto proto_split = split(spec, '/');
  if (proto_split.size() > 2) return inval("invalid port format - protocol can only be specified once");
  std::string remainder = proto_split[0];
  const std::string* host_ip = nullptr;
  const std::string* host_port = nullptr;
  std::string ctr_port, v6ip;
  bool have_v6 = false;
  auto v6 = split(remainder, ']');
  if (v6.size() == 2) {
    have_v6 = true;
    if (v6[0].empty() || v6[0][0] != '[') return inval("invalid port format - IPv6 addresses must be enclosed by []");
    if (v6[1].empty() || v6[1][0] != ':')
      return inval("invalid port format - IPv6 address must be followed by a colon (':')");
    v6ip = v6[0].substr(1);
    host_ip = &v6ip;
    remainder = v6[1].substr(1);
  } else if (v6.size() > 2) {
    return inval("invalid port format - at most one IPv6 address can be specified in a --publish");
  }
  auto parts = split(remainder, ':');
  if (parts.size() == 1) {
    if (have_v6) return inval("invalid port format - must provide host and destination port if specifying an IP");
    ctr_port = parts[0];
  } else if (parts.size() == 2) {
    host_port = &parts[0];
    ctr_port = parts[1];
  } else if (parts.size() == 3) {
    if (have_v6) return inval("invalid port format - when v6 address specified, must be [ipv6]:hostPort:ctrPort");
    host_ip = &parts[0];
    host_port = &parts[1];
    ctr_port = parts[2];
  } else {
    return inval("invalid port format - format is [[hostIP:]hostPort:]containerPort");
  }

  PortMapping p;
  p.protocol.clear();
  if (ctr_port.empty()) return inval("must provide a non-empty container port to publish");
  auto [cstart, clen] = TRY_CTX(parseRange(ctr_port), "parsing container port");
  p.container_port = cstart;
  p.range = clen;
  if (proto_split.size() == 2) {
    if (proto_split[1].empty()) return inval("must provide a non-empty protocol to publish");
    p.protocol = proto_split[1];
  }
  if (host_ip) {
    if (host_ip->empty()) return inval("must provide a non-empty container host IP to publish");
    if (*host_ip != "0.0.0.0") {
      auto ip = IpAddr::parse(*host_ip);
      if (!ip.ok()) return makeError(Code::kInvalidArgument, "cannot parse {:?} as an IP address", *host_ip);
      p.host_ip = ip->str();
    }
  }
  if (host_port && !host_port->empty()) {
    auto [hstart, hlen] = TRY_CTX(parseRange(*host_port), "parsing host port");
    if (hlen != clen)
      return makeError(Code::kInvalidArgument, "host and container port ranges have different lengths: {} vs {}", hlen,
                       clen);
    p.host_port = hstart;
  }
  return p;
}

}  // namespace berth::network
