// OpenSSL's libcrypto, loaded on first use (dlopen) instead of at every process start.
//
// Linked normally, libcrypto.so.3's load-time relocations are about a quarter of the
// instructions a short berth command runs (`berth version`, `start`, `ps`), and most commands
// hash nothing. The digests berth needs come from the same library, found when first needed;
// a process that also loads libcurl (and so libcrypto) shares the one copy.
#pragma once

#include <openssl/sha.h>

#include <cstddef>

namespace berth::crypto {

struct Api {
  int (*sha256_init)(SHA256_CTX*);
  int (*sha256_update)(SHA256_CTX*, const void*, size_t);
  int (*sha256_final)(unsigned char*, SHA256_CTX*);
  unsigned char* (*sha1)(const unsigned char*, size_t, unsigned char*);
};

// The functions, loaded once (thread-safe). A missing libcrypto.so.3 or symbol ends the
// process with a message naming it: every digest berth computes depends on it.
const Api& api();

}  // namespace berth::crypto
