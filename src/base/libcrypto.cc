// OpenSSL 3 marks SHA256_* and SHA1 deprecated, not removed: they stay in its ABI for 3.x and run
// the same assembly (SHA-NI, AVX2) as EVP, without EVP's provider set-up on first use.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "base/libcrypto.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

namespace berth::crypto {

namespace {

[[noreturn]] void die(const char* what) {
  const char* why = dlerror();
  std::fprintf(stderr, "berth: cannot load OpenSSL's libcrypto.so.3 (%s): %s\n", what, why ? why : "unknown error");
  std::abort();
}

template <typename F>
void bind(void* lib, const char* name, F& out) {
  void* sym = ::dlsym(lib, name);
  if (!sym) die(name);
  out = reinterpret_cast<F>(sym);
}

Api load() {
  void* lib = ::dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
  if (!lib) die("dlopen");
  Api a{};
  bind(lib, "SHA256_Init", a.sha256_init);
  bind(lib, "SHA256_Update", a.sha256_update);
  bind(lib, "SHA256_Final", a.sha256_final);
  bind(lib, "SHA1", a.sha1);
  return a;
}

}  // namespace

const Api& api() {
  static const Api a = load();
  return a;
}

}  // namespace berth::crypto
