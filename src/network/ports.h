// -p/--publish syntax (podman's specgenutil.CreatePortBindings):
// [[hostIP:]hostPort[-end]:]containerPort[-end][/protocol], IPv6 host addresses in [].
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "network/types.h"

namespace berth::network {

// One --publish value. host_port 0 = pick a free port at create; protocol ""
// = not given (tcp); range = number of ports. kInvalidArgument with podman's
// messages for bad input.
Result<PortMapping> parsePublish(const std::string& spec);

}  // namespace berth::network
