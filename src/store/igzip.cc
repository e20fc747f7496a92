#include "store/igzip.h"

#include <dlfcn.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace berth::store {

namespace {

std::atomic<bool> g_enabled{true};

const IgzipApi* load() {
  const char* env = std::getenv("BERTH_IGZIP");
  if (env && std::strcmp(env, "0") == 0) return nullptr;
  void* h = ::dlopen("libisal.so.2", RTLD_NOW | RTLD_LOCAL);
  if (!h) return nullptr;
  static IgzipApi api;
  api.deflate_init = reinterpret_cast<decltype(api.deflate_init)>(::dlsym(h, "isal_deflate_init"));
  api.deflate = reinterpret_cast<decltype(api.deflate)>(::dlsym(h, "isal_deflate"));
  api.inflate_init = reinterpret_cast<decltype(api.inflate_init)>(::dlsym(h, "isal_inflate_init"));
  api.inflate_reset = reinterpret_cast<decltype(api.inflate_reset)>(::dlsym(h, "isal_inflate_reset"));
  api.inflate = reinterpret_cast<decltype(api.inflate)>(::dlsym(h, "isal_inflate"));
  if (!api.deflate_init || !api.deflate || !api.inflate_init || !api.inflate_reset || !api.inflate) return nullptr;
  return &api;
}

}  // namespace

const IgzipApi* igzip() {
  static const IgzipApi* api = load();
  return g_enabled ? api : nullptr;
}

void setIgzipEnabledForTesting(bool enabled) { g_enabled = enabled; }

}  // namespace berth::store
