// User and group resolution against a container's passwd and group files.
#include "specgen/user.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <optional>

namespace berth::specgen {
namespace {

struct PasswdEntry {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string home;
};

struct GroupEntry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.emplace_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

std::optional<uint32_t> parseId(std::string_view s) {
  uint32_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Splits a colon file into rows of fields, skipping blank and comment lines.
std::vector<std::vector<std::string>> parseColonFile(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& line : split(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    rows.push_back(split(line, ':'));
  }
  return rows;
}

std::vector<PasswdEntry> parsePasswd(std::string_view text) {
  auto rows = parseColonFile(text);
  std::vector<PasswdEntry> out;
  for (auto& r : rows) {
    if (r.size() < 4) continue;
    auto uid = parseId(r[2]);
    auto gid = parseId(r[3]);
    if (!uid || !gid) continue;
    out.push_back({r[0], *uid, *gid, r.size() > 5 ? r[5] : ""});
  }
  return out;
}

std::vector<GroupEntry> parseGroup(std::string_view text) {
  auto rows = parseColonFile(text);
  std::vector<GroupEntry> out;
  for (auto& r : rows) {
    if (r.size() < 3) continue;
    auto gid = parseId(r[2]);
    if (!gid) continue;
    GroupEntry g{r[0], *gid, {}};
    if (r.size() > 3 && !r[3].empty()) g.members = split(r[3], ',');
    out.push_back(std::move(g));
  }
  return out;
}

Result<uint32_t> lookupGroup(std::string_view group, const std::vector<GroupEntry>& groups) {
  if (auto n = parseId(group)) return *n;
  for (const auto& g : groups)
    if (g.name == group) return g.gid;
  return makeError(Code::kInvalidArgument,
                   "unable to find group {}: no matching entries in group file", group);
}

void addUnique(std::vector<uint32_t>& v, uint32_t id) {
  if (std::find(v.begin(), v.end(), id) == v.end()) v.push_back(id);
}

}  // namespace

Result<ExecUser> resolveUser(std::string_view user, std::string_view passwd_text,
                             std::string_view group_text) {
  std::string_view user_part = user;
  std::string_view group_part;
  bool explicit_group = false;
  if (auto colon = user.find(':'); colon != std::string_view::npos) {
    user_part = user.substr(0, colon);
    group_part = user.substr(colon + 1);
    explicit_group = true;
    if (user_part.empty() || group_part.empty())
      return makeError(Code::kInvalidArgument, "invalid user {:?}: expected USER[:GROUP]", user);
  }

  auto passwd = parsePasswd(passwd_text);
  ExecUser out;
  std::optional<uint32_t> numeric =
      user_part.empty() ? std::optional<uint32_t>(0) : parseId(user_part);
  const PasswdEntry* match = nullptr;
  for (const auto& p : passwd) {
    if (numeric ? p.uid == *numeric : p.name == user_part) {
      match = &p;
      break;
    }
  }
  if (match) {
    out.name = match->name;
    out.uid = match->uid;
    out.gid = match->gid;
    if (!match->home.empty()) out.home = match->home;
  } else if (numeric) {
    out.uid = *numeric;
  } else {
    return makeError(Code::kInvalidArgument,
                     "unable to find user {}: no matching entries in passwd file", user_part);
  }

  auto groups = parseGroup(group_text);
  if (explicit_group) {
    out.gid = TRY(lookupGroup(group_part, groups));
    out.additional_gids.push_back(out.gid);
    return out;
  }
  if (out.uid != 0) out.additional_gids.push_back(out.gid);
  if (!out.name.empty()) {
    for (const auto& g : groups)
      if (std::find(g.members.begin(), g.members.end(), out.name) != g.members.end())
        addUnique(out.additional_gids, g.gid);
  }
  return out;
}

Result<std::vector<uint32_t>> resolveGroups(const std::vector<std::string>& names,
                                            std::string_view group_text) {
  std::vector<uint32_t> out;
  if (names.empty()) return out;
  auto groups = parseGroup(group_text);
  for (const auto& n : names) addUnique(out, TRY(lookupGroup(n, groups)));
  return out;
}

}  // namespace berth::specgen
