// SHA-256 via OpenSSL's EVP interface.
#include "base/digest.h"

#include <openssl/evp.h>

namespace berth {

struct Sha256::Impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr);
}
Sha256::~Sha256() = default;

void Sha256::update(const void* data, size_t n) { EVP_DigestUpdate(impl_->ctx, data, n); }

std::string Sha256::hexDigest() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, md, &len);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

std::string sha256Hex(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.hexDigest();
}
std::string sha256Digest(std::string_view data) { return "sha256:" + sha256Hex(data); }

Status validateDigest(std::string_view d) {
  constexpr std::string_view kPrefix = "sha256:";
  if (d.substr(0, kPrefix.size()) != kPrefix || d.size() != kPrefix.size() + 64)
    return makeError(Code::kInvalidArgument, "invalid digest {:?}: want sha256:<64 hex digits>",
                     std::string(d));
  for (char c : d.substr(kPrefix.size()))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return makeError(Code::kInvalidArgument, "invalid digest {:?}: not lowercase hex",
                       std::string(d));
  return {};
}

std::string_view digestHex(std::string_view d) {
  auto p = d.find(':');
  return p == std::string_view::npos ? d : d.substr(p + 1);
}

}  // namespace berth
