// compileSeccompBpf: libseccomp, loaded on first use (most commands never compile a filter).
#include "runtime/seccomp_bpf.h"

#include <dlfcn.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>

#include "base/base64.h"
#include "base/fd.h"
#include "base/fs.h"
#include "base/json_access.h"
#include "base/log.h"

namespace berth::runtime {
namespace {

struct Libseccomp {
  scmp_filter_ctx (*init)(uint32_t);
  void (*release)(scmp_filter_ctx);
  int (*arch_add)(scmp_filter_ctx, uint32_t);
  uint32_t (*arch_resolve_name)(const char*);
  int (*syscall_resolve_name)(const char*);
  int (*rule_add_array)(scmp_filter_ctx, uint32_t, int, unsigned int, const struct scmp_arg_cmp*);
  int (*export_bpf)(const scmp_filter_ctx, int);
  const struct scmp_version* (*version)();
};

const Libseccomp* libseccomp() {
  static Libseccomp l;
  static bool ok = false;
  static std::once_flag once;
  std::call_once(once, [] {
    void* h = ::dlopen("libseccomp.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!h) return;
    auto sym = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(::dlsym(h, name));
      return fn != nullptr;
    };
    ok = sym(l.init, "seccomp_init") && sym(l.release, "seccomp_release") && sym(l.arch_add, "seccomp_arch_add") &&
         sym(l.arch_resolve_name, "seccomp_arch_resolve_name") &&
         sym(l.syscall_resolve_name, "seccomp_syscall_resolve_name") &&
         sym(l.rule_add_array, "seccomp_rule_add_array") && sym(l.export_bpf, "seccomp_export_bpf") &&
         sym(l.version, "seccomp_version");
  });
  return ok ? &l : nullptr;
}

bool supportsErrno(const std::string& action) { return action == "SCMP_ACT_ERRNO" || action == "SCMP_ACT_TRACE"; }

// crun's get_seccomp_action.
Result<uint32_t> action(const std::string& name, int errno_ret, std::string_view path) {
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(errno_ret);
  if (name == "SCMP_ACT_KILL") return SCMP_ACT_KILL;
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(errno_ret);
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  return makeError(Code::kInvalidArgument, "{}: invalid seccomp action {:?}", path, name);
}

// crun's get_seccomp_operator.
Result<scmp_compare> op(const std::string& name, std::string_view path) {
  if (name == "SCMP_CMP_NE") return SCMP_CMP_NE;
  if (name == "SCMP_CMP_LT") return SCMP_CMP_LT;
  if (name == "SCMP_CMP_LE") return SCMP_CMP_LE;
  if (name == "SCMP_CMP_EQ") return SCMP_CMP_EQ;
  if (name == "SCMP_CMP_GE") return SCMP_CMP_GE;
  if (name == "SCMP_CMP_GT") return SCMP_CMP_GT;
  if (name == "SCMP_CMP_MASKED_EQ") return SCMP_CMP_MASKED_EQ;
  return makeError(Code::kInvalidArgument, "{}: invalid seccomp operator {:?}", path, name);
}

struct FilterCtx {
  const Libseccomp* l;
  scmp_filter_ctx ctx;
  ~FilterCtx() {
    if (ctx) l->release(ctx);
  }
};

}  // namespace

Result<std::optional<std::string>> compileSeccompBpf(const Json& seccomp) {
  const std::string where = "linux.seccomp";
  TRY(json::checkObject(seccomp, where));
  // What the annotation cannot carry: crun would set up a notification listener.
  if (!TRY(json::optString(seccomp, "listenerPath", where)).empty()) return std::nullopt;
  const Libseccomp* l = libseccomp();
  if (!l) return std::nullopt;

  std::string def_action = TRY(json::getString(seccomp, "defaultAction", where));
  int default_errno = EPERM;
  if (auto* d = TRY(json::find(seccomp, "defaultErrnoRet", where))) {
    if (!supportsErrno(def_action))
      return makeError(Code::kInvalidArgument, "{}: errno value specified for action {:?}", where, def_action);
    default_errno = int(TRY(json::asInt(*d, where + ".defaultErrnoRet")));
  }
  uint32_t default_act = TRY(action(def_action, default_errno, where + ".defaultAction"));
  FilterCtx f{l, l->init(default_act)};
  if (!f.ctx) return makeError(Code::kInternal, "seccomp_init failed");

  auto arches = TRY(json::optStrings(seccomp, "architectures", where));
  for (auto& a : arches) {
    std::string name = a.rfind("SCMP_ARCH_", 0) == 0 ? a.substr(10) : a;
    if (name.size() > 31) name.resize(31);
    for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    uint32_t token = l->arch_resolve_name(name.c_str());
    if (token == 0) return makeError(Code::kInvalidArgument, "{}: seccomp unknown architecture {}", where, a);
    int rc = l->arch_add(f.ctx, token);
    if (rc < 0 && rc != -EEXIST) return makeError(Code::kInternal, "seccomp adding architecture {}: {}", a, std::strerror(-rc));
  }

  const Json* syscalls = TRY(json::optArray(seccomp, "syscalls", where));
  for (size_t i = 0; syscalls && i < syscalls->size(); ++i) {
    const Json& sc = (*syscalls)[i];
    std::string sw = json::indexPath(where + ".syscalls", i);
    TRY(json::checkObject(sc, sw));
    std::string act_name = TRY(json::getString(sc, "action", sw));
    if (act_name == "SCMP_ACT_NOTIFY") return std::nullopt;
    int errno_ret = EPERM;
    if (auto* e = TRY(json::find(sc, "errnoRet", sw))) {
      if (!supportsErrno(act_name))
        return makeError(Code::kInvalidArgument, "{}: errno value specified for action {:?}", sw, act_name);
      errno_ret = int(TRY(json::asInt(*e, sw + ".errnoRet")));
    }
    uint32_t act = TRY(action(act_name, errno_ret, sw + ".action"));
    if (act == default_act) continue;
    // The argument comparisons: crun reads at most six; an index given twice makes each
    // comparison a rule of its own (any of them matches), as in crun.
    std::vector<scmp_arg_cmp> cmps;
    bool multiple = false;
    const Json* args = TRY(json::optArray(sc, "args", sw));
    if (args) {
      uint32_t count[6] = {};
      for (size_t k = 0; k < args->size() && k < 6; ++k) {
        std::string aw = json::indexPath(sw + ".args", k);
        TRY(json::checkObject((*args)[k], aw));
        uint64_t index = TRY(json::optUint((*args)[k], "index", aw));
        if (index >= 6) return makeError(Code::kInvalidArgument, "{}.index: invalid seccomp index {}", aw, index);
        if (++count[index] > 1) multiple = true;
        scmp_arg_cmp c{};
        c.arg = unsigned(index);
        c.op = TRY(op(TRY(json::getString((*args)[k], "op", aw)), aw + ".op"));
        c.datum_a = TRY(json::optUint((*args)[k], "value", aw));
        c.datum_b = TRY(json::optUint((*args)[k], "valueTwo", aw));
        cmps.push_back(c);
      }
    }
    for (auto& name : TRY(json::optStrings(sc, "names", sw))) {
      int nr = l->syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) continue;  // crun: "unknown seccomp syscall ignored"
      int rc = 0;
      if (!args) {
        rc = l->rule_add_array(f.ctx, act, nr, 0, nullptr);
      } else if (!multiple) {
        rc = l->rule_add_array(f.ctx, act, nr, unsigned(cmps.size()), cmps.data());
      } else {
        for (auto& c : cmps)
          if ((rc = l->rule_add_array(f.ctx, act, nr, 1, &c)) < 0) break;
      }
      if (rc < 0) return makeError(Code::kInvalidArgument, "{}: seccomp rule for {}: {}", sw, name, std::strerror(-rc));
    }
  }

  UniqueFd mem(::memfd_create("berth-seccomp", MFD_CLOEXEC));
  if (!mem) return errnoError("memfd_create");
  if (int rc = l->export_bpf(f.ctx, mem.get()); rc < 0)
    return makeError(Code::kInternal, "seccomp_export_bpf: {}", std::strerror(-rc));
  if (::lseek(mem.get(), 0, SEEK_SET) < 0) return errnoError("lseek");
  return std::optional<std::string>(TRY(fs::readAll(mem.get())));
}

// Which libseccomp would compile the filter, without loading it: the library file's identity
// (an upgrade replaces the file). Empty when it is not at a usual place; then its version.
std::string libseccompIdentity() {
  for (const char* p : {"/usr/lib/x86_64-linux-gnu/libseccomp.so.2", "/lib/x86_64-linux-gnu/libseccomp.so.2",
                        "/usr/lib64/libseccomp.so.2", "/usr/lib/libseccomp.so.2"}) {
    struct stat st;
    if (::stat(p, &st) == 0)
      return fmt::format("{} {}:{} {} {}.{}", p, st.st_dev, st.st_ino, st.st_size, st.st_mtim.tv_sec,
                         st.st_mtim.tv_nsec);
  }
  const Libseccomp* l = libseccomp();
  if (!l) return {};
  const scmp_version* v = l->version();
  return fmt::format("libseccomp {}.{}.{}", v->major, v->minor, v->micro);
}

namespace {
// FNV-1a, 64 bits: names a cache file; the file itself holds the whole key, compared on a hit.
uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}
}  // namespace

Result<std::optional<std::string>> seccompBpfAnnotation(const Json& seccomp, const std::string& cache_dir) {
  std::string lib = libseccompIdentity();
  if (lib.empty()) return std::nullopt;
  // The cache file is named by a hash of the library's identity and the profile, and holds that
  // whole key before the filter ("KEY\0BASE64"): a hit is a byte-for-byte match of the key, so
  // no cryptographic hash is needed (loading libcrypto alone took 0.8 ms of every start).
  std::string key = lib + "\n" + seccomp.dump();
  std::string path = fs::joinPath(cache_dir, fmt::format("{:016x}.bpf", fnv1a64(key)));
  if (auto cached = fs::readFile(path); cached.ok() && cached->size() > key.size() + 1 &&
                                        (*cached)[key.size()] == '\0' && cached->compare(0, key.size(), key) == 0)
    return std::optional<std::string>(cached->substr(key.size() + 1));
  auto bpf = TRY(compileSeccompBpf(seccomp));
  if (!bpf) return std::nullopt;
  std::string b64 = base64Encode(*bpf);
  // A cache that cannot be written costs a compile next time, nothing more.
  if (auto st = fs::mkdirAll(cache_dir, 0700); st.ok()) {
    std::string entry = key;
    entry.push_back('\0');
    entry += b64;
    if (auto w = fs::writeFileAtomic(path, entry, 0600); !w.ok()) LOG_DEBUG("seccomp cache {}: {}", path, w.error().what());
  }
  return std::optional<std::string>(std::move(b64));
}

}  // namespace berth::runtime
