// libcurl, loaded on first use. Every berth command is a new process and most
// never talk to a registry; linking libcurl directly would load it and its
// dozen dependencies (TLS, HTTP/2, IDN, LDAP, SSH...) on every command. These
// definitions of the libcurl entry points berth uses dlopen libcurl.so.4 the
// first time one is called and forward to it.
#include <curl/curl.h>
#include <dlfcn.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace {

struct Curl {
  CURLcode (*global_init)(long);
  CURL* (*easy_init)();
  void (*easy_cleanup)(CURL*);
  void (*easy_reset)(CURL*);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  const char* (*easy_strerror)(CURLcode);
  CURLM* (*multi_init)();
  CURLMcode (*multi_cleanup)(CURLM*);
  CURLMcode (*multi_add_handle)(CURLM*, CURL*);
  CURLMcode (*multi_remove_handle)(CURLM*, CURL*);
  CURLMcode (*multi_perform)(CURLM*, int*);
  CURLMcode (*multi_poll)(CURLM*, struct curl_waitfd[], unsigned int, int, int*);
  CURLMsg* (*multi_info_read)(CURLM*, int*);
  struct curl_slist* (*slist_append)(struct curl_slist*, const char*);
  void (*slist_free_all)(struct curl_slist*);
};

const Curl& curl() {
  static Curl c;
  static std::once_flag once;
  std::call_once(once, [] {
    void* h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      std::fprintf(stderr, "Error: cannot load libcurl.so.4 (package libcurl4): %s\n", dlerror());
      std::exit(125);
    }
    auto sym = [&](const char* name) {
      void* p = dlsym(h, name);
      if (!p) {
        std::fprintf(stderr, "Error: libcurl.so.4 lacks %s\n", name);
        std::exit(125);
      }
      return p;
    };
#define BERTH_CURL_SYM(field, name) c.field = reinterpret_cast<decltype(c.field)>(sym(name))
    BERTH_CURL_SYM(global_init, "curl_global_init");
    BERTH_CURL_SYM(easy_init, "curl_easy_init");
    BERTH_CURL_SYM(easy_cleanup, "curl_easy_cleanup");
    BERTH_CURL_SYM(easy_reset, "curl_easy_reset");
    BERTH_CURL_SYM(easy_perform, "curl_easy_perform");
    BERTH_CURL_SYM(easy_setopt, "curl_easy_setopt");
    BERTH_CURL_SYM(easy_getinfo, "curl_easy_getinfo");
    BERTH_CURL_SYM(easy_strerror, "curl_easy_strerror");
    BERTH_CURL_SYM(multi_init, "curl_multi_init");
    BERTH_CURL_SYM(multi_cleanup, "curl_multi_cleanup");
    BERTH_CURL_SYM(multi_add_handle, "curl_multi_add_handle");
    BERTH_CURL_SYM(multi_remove_handle, "curl_multi_remove_handle");
    BERTH_CURL_SYM(multi_perform, "curl_multi_perform");
    BERTH_CURL_SYM(multi_poll, "curl_multi_poll");
    BERTH_CURL_SYM(multi_info_read, "curl_multi_info_read");
    BERTH_CURL_SYM(slist_append, "curl_slist_append");
    BERTH_CURL_SYM(slist_free_all, "curl_slist_free_all");
#undef BERTH_CURL_SYM
  });
  return c;
}

}  // namespace

extern "C" {

CURLcode curl_global_init(long flags) { return curl().global_init(flags); }
CURL* curl_easy_init(void) { return curl().easy_init(); }
void curl_easy_cleanup(CURL* h) { curl().easy_cleanup(h); }
void curl_easy_reset(CURL* h) { curl().easy_reset(h); }
CURLcode curl_easy_perform(CURL* h) { return curl().easy_perform(h); }
const char* curl_easy_strerror(CURLcode c) { return curl().easy_strerror(c); }

// Every curl_easy_setopt/getinfo argument is one 64-bit integer-class value
// (long, curl_off_t, a data or function pointer), passed the same way on the
// x86-64 and aarch64 ABIs: forwarding it as a pointer-sized value is exact.
CURLcode curl_easy_setopt(CURL* h, CURLoption opt, ...) {
  va_list ap;
  va_start(ap, opt);
  void* arg = va_arg(ap, void*);
  va_end(ap);
  return curl().easy_setopt(h, opt, arg);
}
CURLcode curl_easy_getinfo(CURL* h, CURLINFO info, ...) {
  va_list ap;
  va_start(ap, info);
  void* arg = va_arg(ap, void*);
  va_end(ap);
  return curl().easy_getinfo(h, info, arg);
}

CURLM* curl_multi_init(void) { return curl().multi_init(); }
CURLMcode curl_multi_cleanup(CURLM* m) { return curl().multi_cleanup(m); }
CURLMcode curl_multi_add_handle(CURLM* m, CURL* h) { return curl().multi_add_handle(m, h); }
CURLMcode curl_multi_remove_handle(CURLM* m, CURL* h) { return curl().multi_remove_handle(m, h); }
CURLMcode curl_multi_perform(CURLM* m, int* running) { return curl().multi_perform(m, running); }
CURLMcode curl_multi_poll(CURLM* m, struct curl_waitfd extra[], unsigned int n, int timeout_ms, int* ret) {
  return curl().multi_poll(m, extra, n, timeout_ms, ret);
}
CURLMsg* curl_multi_info_read(CURLM* m, int* left) { return curl().multi_info_read(m, left); }
struct curl_slist* curl_slist_append(struct curl_slist* l, const char* s) { return curl().slist_append(l, s); }
void curl_slist_free_all(struct curl_slist* l) { curl().slist_free_all(l); }

}  // extern "C"
