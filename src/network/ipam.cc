// Host-local IPAM over a JSON file.
#include "network/ipam.h"

#include <algorithm>

#include "base/fs.h"

namespace berth::network {

namespace {

constexpr size_t kMaxIpamFile = 64 << 20;

Json& netEntry(Json& data, const std::string& name) {
  Json& n = data[name];
  if (!n.is_object()) n = Json::object();
  if (!n.contains("ids") || !n["ids"].is_object()) n["ids"] = Json::object();
  if (!n.contains("subnets") || !n["subnets"].is_object()) n["subnets"] = Json::object();
  return n;
}

Json& subnetEntry(Json& net, const std::string& cidr) {
  Json& s = net["subnets"][cidr];
  if (!s.is_object()) s = Json::object();
  if (!s.contains("ips") || !s["ips"].is_object()) s["ips"] = Json::object();
  return s;
}

bool taken(const Json& subnet, const IpAddr& ip) { return subnet["ips"].contains(ip.str()); }

Result<IpAddr> freeAddress(const Json& bucket, const Subnet& s) {
  IpAddr start = s.subnet.firstHost(), end = s.subnet.last();
  if (s.subnet.isV6() == false && s.subnet.prefix() < 31) end = end.prev();  // IPv4 broadcast
  if (s.lease_range) {
    if (s.lease_range->start_ip) start = *s.lease_range->start_ip;
    if (s.lease_range->end_ip) end = *s.lease_range->end_ip;
  }
  IpAddr cur = start;
  if (auto it = bucket.find("last"); it != bucket.end() && it->is_string())
    if (auto last = IpAddr::parse(it->get<std::string>()); last.ok() && s.subnet.contains(*last)) cur = last->next();
  if (cur < start || cur > end) cur = start;
  IpAddr first = cur;
  auto full = [&] {
    return makeError(Code::kUnavailable, "IPAM error: failed to find free IP in range: {} - {}", start.str(), end.str());
  };
  while (true) {
    if (!(s.gateway && cur == *s.gateway) && !taken(bucket, cur)) return cur;
    cur = cur.next();
    if (cur > end) cur = start;
    if (cur == first) return full();
  }
}

}  // namespace

Result<Ipam> Ipam::load(const std::string& path) {
  Ipam ipam;
  ipam.path_ = path;
  auto text = fs::readFile(path);
  if (!text.ok()) {
    if (text.error().code() == Code::kNotFound) return ipam;
    return std::move(text).error().context("read IPAM database");
  }
  if (text->size() > kMaxIpamFile)
    return makeError(Code::kDataLoss, "IPAM database {} is larger than {} bytes", path, kMaxIpamFile);
  auto j = parseJson(*text, path);
  if (!j.ok() || !j->is_object())
    return makeError(Code::kDataLoss, "IPAM database {} is damaged: remove it once no container runs", path);
  ipam.data_ = std::move(*j);
  return ipam;
}

Status Ipam::save() const {
  return fs::writeFileReplace(path_, data_.dump(), 0600).context("write IPAM database");
}

Result<std::vector<IpAddr>> Ipam::allocate(const Network& net, const std::string& id,
                                           const std::vector<IpAddr>& static_ips) {
  for (auto& ip : static_ips) {
    bool in = std::any_of(net.subnets.begin(), net.subnets.end(), [&](auto& s) { return s.subnet.contains(ip); });
    if (!in)
      return makeError(Code::kInvalidArgument, "requested static ip {} not in any subnet on network {}", ip.str(),
                       net.name);
  }
  Json data = data_;  // work on a copy: an error records nothing
  Json& n = netEntry(data, net.name);
  // A container re-allocating (setup after a crash) first drops what it held.
  if (n["ids"].contains(id)) {
    Ipam tmp;
    tmp.data_ = std::move(data);
    tmp.release(net.name, id);
    data = std::move(tmp.data_);
  }
  Json& nn = netEntry(data, net.name);
  std::vector<IpAddr> out;
  for (auto& s : net.subnets) {
    Json& bucket = subnetEntry(nn, s.subnet.str());
    std::optional<IpAddr> ip;
    for (auto& st : static_ips)
      if (s.subnet.contains(st)) {
        ip = st;
        break;
      }
    if (ip) {
      if (auto it = bucket["ips"].find(ip->str()); it != bucket["ips"].end())
        return makeError(Code::kAlreadyExists, "IPAM error: requested ip address {} is already allocated to container ID {}",
                         ip->str(), it->is_string() ? it->get<std::string>() : "?");
      if (s.gateway && *ip == *s.gateway)
        return makeError(Code::kInvalidArgument, "requested static ip {} is the gateway of network {}", ip->str(),
                         net.name);
    } else {
      ip = TRY(freeAddress(bucket, s));
      bucket["last"] = ip->str();
    }
    bucket["ips"][ip->str()] = id;
    out.push_back(*ip);
  }
  Json ips = Json::array();
  for (auto& ip : out) ips.push_back(ip.str());
  nn["ids"][id] = ips;
  data_ = std::move(data);
  return out;
}

Result<std::vector<IpAddr>> Ipam::assigned(const std::string& net_name, const std::string& id) const {
  auto nf = [&] {
    return makeError(Code::kNotFound, "IPAM error: failed to get ips for container ID {} on network {}", id, net_name);
  };
  auto n = data_.find(net_name);
  if (n == data_.end() || !n->is_object()) return nf();
  auto ids = n->find("ids");
  if (ids == n->end() || !ids->is_object()) return nf();
  auto list = ids->find(id);
  if (list == ids->end() || !list->is_array()) return nf();
  std::vector<IpAddr> out;
  for (auto& v : *list)
    if (v.is_string())
      if (auto ip = IpAddr::parse(v.get<std::string>()); ip.ok()) out.push_back(*ip);
  return out;
}

void Ipam::release(const std::string& net_name, const std::string& id) {
  auto n = data_.find(net_name);
  if (n == data_.end() || !n->is_object()) return;
  // Drop every address mapped to the container in every subnet bucket (also
  // buckets of a subnet the network no longer has), then its id entry.
  if (auto subnets = n->find("subnets"); subnets != n->end() && subnets->is_object()) {
    for (auto& [cidr, bucket] : subnets->items()) {
      auto ips = bucket.find("ips");
      if (ips == bucket.end() || !ips->is_object()) continue;
      std::vector<std::string> drop;
      for (auto& [ip, owner] : ips->items())
        if (owner.is_string() && owner.get<std::string>() == id) drop.push_back(ip);
      for (auto& ip : drop) ips->erase(ip);
    }
  }
  if (auto ids = n->find("ids"); ids != n->end() && ids->is_object()) ids->erase(id);
}

}  // namespace berth::network
