// SHA-256 through OpenSSL's SHA256_* functions (base/libcrypto.h: loaded on first use). They
// run the same assembly (SHA-NI, AVX2) as the EVP interface, but EVP's first digest in a
// process fetches the algorithm from the default provider, which sets up OpenSSL's library
// context, provider and name tables: about half a millisecond that every berth command
// hashing a single ID or profile paid.
#include "base/digest.h"

#include "base/libcrypto.h"

namespace berth {

struct Sha256::Impl {
  SHA256_CTX ctx;
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) { crypto::api().sha256_init(&impl_->ctx); }
Sha256::~Sha256() = default;

void Sha256::update(const void* data, size_t n) { crypto::api().sha256_update(&impl_->ctx, data, n); }

std::string Sha256::hexDigest() {
  unsigned char md[SHA256_DIGEST_LENGTH];
  const unsigned len = SHA256_DIGEST_LENGTH;
  crypto::api().sha256_final(md, &impl_->ctx);
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
