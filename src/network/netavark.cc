// netavark invocation.
#include "network/netavark.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>

#include "base/fs.h"
#include "base/log.h"
#include "runtime/child_process.h"

namespace berth::network {

namespace {

constexpr size_t kMaxOutput = 16 << 20;

Result<UniqueFd> memFile(const char* name) {
  int fd = ::memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) return errnoError("memfd_create");
  return UniqueFd(fd);
}

std::string findIn(const std::vector<std::string>& dirs, const std::string& name) {
  for (auto& d : dirs) {
    std::string p = d + "/" + name;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

}  // namespace

Result<NetavarkBinaries> findNetavark() {
  std::vector<std::string> dirs = {"/usr/local/libexec/podman", "/usr/local/lib/podman", "/usr/libexec/podman",
                                   "/usr/lib/podman"};
  if (const char* path = std::getenv("PATH")) {
    std::string p = path;
    size_t start = 0;
    while (start <= p.size()) {
      size_t end = p.find(':', start);
      if (end == std::string::npos) end = p.size();
      if (end > start) dirs.push_back(p.substr(start, end - start));
      start = end + 1;
    }
  }
  NetavarkBinaries b;
  b.netavark = findIn(dirs, "netavark");
  if (b.netavark.empty())
    return makeError(Code::kNotFound,
                     "could not find \"netavark\" in one of [/usr/local/libexec/podman /usr/local/lib/podman "
                     "/usr/libexec/podman /usr/lib/podman] or $PATH: install the netavark package");
  b.aardvark = findIn(dirs, "aardvark-dns");
  return b;
}

Result<Json> runNetavark(const NetavarkRun& run, const std::vector<std::string>& args, const Json& input) {
  UniqueFd in = TRY(memFile("netavark-input"));
  TRY(fs::writeAll(in.get(), input.dump() + "\n"));
  if (::lseek(in.get(), 0, SEEK_SET) < 0) return errnoError("rewind netavark input");
  // stdout goes to a file, not a pipe: whatever netavark leaves running (aardvark-dns)
  // cannot keep us waiting for EOF.
  UniqueFd out = TRY(memFile("netavark-output"));

  runtime::SpawnSpec spec;
  spec.argv = {run.bin.netavark, "--config", run.config_dir, "--rootless=false",
               "--aardvark-binary=" + run.bin.aardvark};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.stdin_fd = in.get();
  spec.stdout_fd = out.get();
  // stderr to a file too: aardvark-dns, which netavark starts, keeps it, and says "failed
  // to connect to syslog" there on hosts without /dev/log; the rest is passed on below.
  UniqueFd errf = TRY(memFile("netavark-stderr"));
  spec.stderr_fd = errf.get();
  std::string level = run.log_level == "warning" ? "warn" : run.log_level;
  if (level == "fatal" || level == "panic") level = "error";
  spec.extra_env.push_back("RUST_LOG=netavark=" + level);
  if (run.dns_port != 0) spec.extra_env.push_back("NETAVARK_DNS_PORT=" + std::to_string(run.dns_port));
  LOG_DEBUG("netavark command: printf '{}' | {} {}", input.dump(), run.bin.netavark, fmt::join(args, " "));

  auto child = TRY_CTX(runtime::ChildProcess::spawn(spec), "netavark");
  int status = TRY(child.wait());
  int code = runtime::exitCodeFromStatus(status);
  if (::lseek(errf.get(), 0, SEEK_SET) == 0) {
    if (auto err = fs::readAll(errf.get()); err.ok()) {
      std::string pass;
      size_t pos = 0;
      while (pos < err->size() && pass.size() < kMaxOutput) {
        size_t nl = err->find('\n', pos);
        std::string line = err->substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        pos = nl == std::string::npos ? err->size() : nl + 1;
        if (line.empty() || line.find("failed to connect to syslog") != std::string::npos) continue;
        pass += line + "\n";
      }
      if (!pass.empty()) (void)fs::writeAll(2, pass);  // netavark's own messages, as podman shows them
    }
  }
  if (::lseek(out.get(), 0, SEEK_SET) < 0) return errnoError("rewind netavark output");
  std::string text = TRY(fs::readAll(out.get()));
  if (text.size() > kMaxOutput) return makeError(Code::kUnavailable, "netavark: output larger than {} bytes", kMaxOutput);
  bool blank = text.find_first_not_of(" \t\r\n") == std::string::npos;
  if (code != 0) {
    std::string msg = fmt::format("exit code {}", code);
    if (!blank) {
      auto j = parseJson(text, "netavark error");
      if (j.ok() && j->is_object() && j->contains("error") && (*j)["error"].is_string())
        msg = (*j)["error"].get<std::string>();
      else
        msg = text;
    }
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return makeError(Code::kUnavailable, "netavark: {}", msg);
  }
  if (blank) return Json();
  return TRY_CTX(parseJson(text, "netavark output"), "netavark");
}

}  // namespace berth::network
