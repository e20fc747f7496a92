// HostEnv: the process facts that choose configuration paths (euid, home, XDG variables).
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <string_view>

namespace berth::config {

// A snapshot of the environment the default-path functions consult, so tests
// can pass their own instead of mutating the process environment.
struct HostEnv {
  uid_t euid = 0;
  // $HOME, else the passwd entry of euid.
  std::string home;
  // Environment variables by name; only those read by this module matter.
  std::map<std::string, std::string, std::less<>> vars;

  // The current process: geteuid(), $HOME and the variables named below.
  static HostEnv current();
  // The variable's value, "" when unset.
  std::string get(std::string_view name) const;
};

}  // namespace berth::config
