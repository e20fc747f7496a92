// Cgroup counters as containers/common's cgroups package reads them (v1 and v2), plus /proc net counters.
#include "engine/cgroup_stats.h"

#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "base/fs.h"

namespace berth::engine {

namespace {

bool readU64(const std::string& path, uint64_t& out) {
  auto s = fs::readFile(path);
  if (!s.ok()) return false;
  if (s->rfind("max", 0) == 0) {
    out = UINT64_MAX;
    return true;
  }
  out = std::strtoull(s->c_str(), nullptr, 10);
  return true;
}

// "key value" lines (memory.stat, cpu.stat) -> the value of `key`.
bool readKey(const std::string& path, std::string_view key, uint64_t& out) {
  auto s = fs::readFile(path);
  if (!s.ok()) return false;
  std::istringstream in(*s);
  std::string k;
  uint64_t v;
  while (in >> k >> v)
    if (k == key) {
      out = v;
      return true;
    }
  return false;
}

bool sameNetns(pid_t pid) {
  struct stat a, b;
  if (::stat(fmt::format("/proc/{}/ns/net", pid).c_str(), &a) < 0) return true;
  if (::stat("/proc/self/ns/net", &b) < 0) return true;
  return a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parseProcCgroup(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto a = line.find(':');
    auto b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    std::string ctrls = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
    if (ctrls.empty()) {
      out.emplace_back("", path);
      continue;
    }
    std::istringstream cs(ctrls);
    for (std::string c; std::getline(cs, c, ',');) out.emplace_back(c, path);
  }
  return out;
}

void parseNetDev(const std::string& text, uint64_t& rx, uint64_t& tx) {
  rx = tx = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    name.erase(0, name.find_first_not_of(' '));
    if (name == "lo") continue;
    std::istringstream f(line.substr(colon + 1));
    uint64_t v[9] = {};
    for (auto& x : v) f >> x;
    rx += v[0];
    tx += v[8];
  }
}

Result<CgroupSample> readCgroupSample(pid_t pid, const std::string& root) {
  auto text = fs::readFile(fmt::format("/proc/{}/cgroup", pid));
  if (!text.ok()) return makeError(Code::kNotFound, "process {} is gone", pid);
  CgroupSample s;
  auto groups = parseProcCgroup(*text);
  auto v1 = [&](const std::string& ctrl) -> std::string {
    for (auto& [c, p] : groups)
      if (c == ctrl) {
        for (auto dir : {root + "/" + ctrl, root + "/cpu,cpuacct", root + "/cpuacct,cpu"})
          if (fs::isDir(dir + p)) return dir + p;
      }
    return "";
  };
  std::string unified;
  for (auto& [c, p] : groups)
    if (c.empty()) {
      for (auto dir : {root, root + "/unified"})
        if (fs::exists(dir + p + "/cgroup.procs") && fs::exists(dir + "/cgroup.controllers")) unified = dir + p;
    }
  std::string cpu = v1("cpuacct"), mem = v1("memory"), pids = v1("pids"), blkio = v1("blkio");
  // Each counter from its v1 controller, else from the unified tree when it holds it.
  if (!cpu.empty()) {
    readU64(cpu + "/cpuacct.usage", s.cpu_total_ns);
    readU64(cpu + "/cpuacct.usage_sys", s.cpu_system_ns);
    if (auto pc = fs::readFile(cpu + "/cpuacct.usage_percpu"); pc.ok()) {
      std::istringstream in(*pc);
      for (uint64_t v; in >> v;) s.per_cpu.push_back(v);
    }
  } else if (!unified.empty() && readKey(unified + "/cpu.stat", "usage_usec", s.cpu_total_ns)) {
    s.cpu_total_ns *= 1000;
    if (readKey(unified + "/cpu.stat", "system_usec", s.cpu_system_ns)) s.cpu_system_ns *= 1000;
  }
  if (!mem.empty()) {
    readU64(mem + "/memory.usage_in_bytes", s.mem_usage);
    readU64(mem + "/memory.limit_in_bytes", s.mem_limit);
  } else if (!unified.empty() && fs::exists(unified + "/memory.max")) {
    readKey(unified + "/memory.stat", "anon", s.mem_usage);
    readU64(unified + "/memory.max", s.mem_limit);
  }
  struct sysinfo si;
  if (::sysinfo(&si) == 0) {
    uint64_t ram = uint64_t(si.totalram) * si.mem_unit;
    if (s.mem_limit == 0 || s.mem_limit > ram) s.mem_limit = ram;
  }
  if (!pids.empty()) readU64(pids + "/pids.current", s.pids);
  else if (!unified.empty()) readU64(unified + "/pids.current", s.pids);
  auto add_io = [&](std::string_view op, uint64_t v) {
    if (op == "Read" || op == "read" || op == "rbytes") s.blk_read += v;
    if (op == "Write" || op == "write" || op == "wbytes") s.blk_write += v;
  };
  if (!blkio.empty()) {
    if (auto b = fs::readFile(blkio + "/blkio.throttle.io_service_bytes_recursive"); b.ok()) {
      std::istringstream in(*b);
      std::string line;
      while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string dev, op;
        uint64_t v = 0;
        if (f >> dev >> op >> v) add_io(op, v);
      }
    }
  } else if (!unified.empty()) {
    if (auto b = fs::readFile(unified + "/io.stat"); b.ok()) {
      std::istringstream in(*b);
      std::string line;
      while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string item;
        f >> item;  // MAJ:MIN
        while (f >> item) {
          auto eq = item.find('=');
          if (eq != std::string::npos) add_io(item.substr(0, eq), std::strtoull(item.c_str() + eq + 1, nullptr, 10));
        }
      }
    }
  }
  if (!sameNetns(pid))
    if (auto nd = fs::readFile(fmt::format("/proc/{}/net/dev", pid)); nd.ok()) parseNetDev(*nd, s.net_rx, s.net_tx);
  return s;
}

}  // namespace berth::engine
