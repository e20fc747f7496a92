// SHA-256 digests ("sha256:<64 hex>"), streaming and one-shot.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace berth {

// A streaming SHA-256 hasher.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, size_t n);
  void update(std::string_view s) { update(s.data(), s.size()); }
  // Returns the lowercase hex digest; the hasher is finished afterwards.
  std::string hexDigest();
  // Returns "sha256:<hex>".
  std::string digest() { return "sha256:" + hexDigest(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string sha256Digest(std::string_view data);  // "sha256:<hex>"
std::string sha256Hex(std::string_view data);

// Validates "sha256:<64 lowercase hex>"; kInvalidArgument otherwise.
Status validateDigest(std::string_view digest);
// The hex part of a digest ("sha256:abc" -> "abc").
std::string_view digestHex(std::string_view digest);

}  // namespace berth
