// Random container names ("adjective_surname"), as docker and podman make them.
#pragma once

#include <string>

namespace berth::engine {

std::string randomName();
// 64 lowercase hex characters from the kernel's random source.
std::string randomId();

}  // namespace berth::engine
