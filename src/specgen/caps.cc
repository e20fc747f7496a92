// Linux capability names and podman's capability merge rules.
#include "specgen/caps.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "base/fs.h"

namespace berth::specgen {
namespace {

// capability(7) numbering; index = capability number.
constexpr std::array<std::string_view, 41> kCapNames = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

Result<std::vector<std::string>> normalizeAll(const std::vector<std::string>& caps) {
  std::vector<std::string> out;
  for (const auto& c : caps) out.push_back(TRY(normalizeCapability(c)));
  return out;
}

}  // namespace

const std::vector<std::string>& defaultCapabilities() {
  static const std::vector<std::string> kDefault = {
      "CAP_CHOWN",   "CAP_DAC_OVERRIDE",     "CAP_FOWNER",     "CAP_FSETID",
      "CAP_KILL",    "CAP_NET_BIND_SERVICE", "CAP_SETFCAP",    "CAP_SETGID",
      "CAP_SETPCAP", "CAP_SETUID",           "CAP_SYS_CHROOT",
  };
  return kDefault;
}

std::vector<std::string> allCapabilities(int last_cap) {
  std::vector<std::string> out;
  int n = std::min<int>(last_cap, static_cast<int>(kCapNames.size()) - 1);
  for (int i = 0; i <= n; ++i) out.emplace_back(kCapNames[i]);
  return out;
}

std::vector<std::string> capabilitiesFromMask(uint64_t mask) {
  std::vector<std::string> out;
  for (size_t i = 0; i < kCapNames.size(); ++i)
    if (mask & (uint64_t{1} << i)) out.emplace_back(kCapNames[i]);
  return out;
}

Result<std::vector<std::string>> currentBoundingSet() {
  auto status = TRY(fs::readFile("/proc/self/status"));
  auto pos = status.find("CapBnd:");
  if (pos == std::string::npos) return makeError(Code::kInternal, "no CapBnd in /proc/self/status");
  pos += 7;
  while (pos < status.size() && (status[pos] == ' ' || status[pos] == '\t')) ++pos;
  uint64_t mask = 0;
  auto end = status.find('\n', pos);
  std::string_view hex(status.data() + pos, (end == std::string::npos ? status.size() : end) - pos);
  auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), mask, 16);
  if (ec != std::errc() || p != hex.data() + hex.size())
    return makeError(Code::kInternal, "bad CapBnd {:?} in /proc/self/status", hex);
  return capabilitiesFromMask(mask);
}

Result<std::string> normalizeCapability(std::string_view cap) {
  std::string up;
  for (char c : cap) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (up == "ALL") return up;
  if (up.rfind("CAP_", 0) != 0) up = "CAP_" + up;
  if (std::find(kCapNames.begin(), kCapNames.end(), up) == kCapNames.end())
    return makeError(Code::kInvalidArgument, "\"{}\": unknown capability", up);
  return up;
}

Result<std::vector<std::string>> mergeCapabilities(const std::vector<std::string>& base_in,
                                                   const std::vector<std::string>& adds_in,
                                                   const std::vector<std::string>& drops_in,
                                                   const std::vector<std::string>& all) {
  auto base = TRY(normalizeAll(base_in));
  if (adds_in.empty() && drops_in.empty()) return base;
  auto drops = TRY(normalizeAll(drops_in));
  auto adds = TRY(normalizeAll(adds_in));
  if (contains(drops, "ALL")) {
    if (contains(adds, "ALL"))
      return makeError(Code::kInvalidArgument, "adding all caps and removing all caps not allowed");
    std::sort(adds.begin(), adds.end());
    adds.erase(std::unique(adds.begin(), adds.end()), adds.end());
    return adds;
  }
  if (contains(adds, "ALL")) {
    base = all;
    adds.clear();
  }
  for (const auto& d : drops)
    if (contains(adds, d))
      return makeError(Code::kInvalidArgument, "capability \"{}\" cannot be dropped and added", d);
  std::vector<std::string> caps;
  for (const auto& c : base)
    if (!contains(drops, c) && !contains(caps, c)) caps.push_back(c);
  for (const auto& c : adds)
    if (!contains(caps, c)) caps.push_back(c);
  std::sort(caps.begin(), caps.end());
  return caps;
}

}  // namespace berth::specgen
