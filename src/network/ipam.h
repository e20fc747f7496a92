// Address allocation for host-local IPAM (podman's libnetwork/netavark/ipam.go), kept in one
// JSON file under the network run directory. The caller holds the network lock.
#pragma once

#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "network/types.h"

namespace berth::network {

class Ipam {
 public:
  // Reads `path`; a missing file is an empty database. A damaged one is
  // kDataLoss naming the file.
  static Result<Ipam> load(const std::string& path);
  // Replaces the file atomically.
  Status save() const;

  // Allocates one address in every subnet of `net` to container `id`: the
  // address of `static_ips` that lies in the subnet, else the next free one
  // after the last allocated (wrapping; gateway skipped). Records and returns
  // them in subnet order. Errors (nothing recorded): kInvalidArgument for a
  // static address outside every subnet, kAlreadyExists for one taken by
  // another container, kUnavailable when a range is full.
  Result<std::vector<IpAddr>> allocate(const Network& net, const std::string& id,
                                       const std::vector<IpAddr>& static_ips);
  // The addresses recorded for `id` on network `net_name`; kNotFound when none.
  Result<std::vector<IpAddr>> assigned(const std::string& net_name, const std::string& id) const;
  // Frees what `id` holds on `net_name` (nothing held is fine).
  void release(const std::string& net_name, const std::string& id);

  const Json& data() const { return data_; }

 private:
  std::string path_;
  Json data_ = Json::object();  // {net: {"ids": {id: [ip]}, "subnets": {cidr: {"last": ip, "ips": {ip: id}}}}}
};

}  // namespace berth::network
