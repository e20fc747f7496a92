// A blob download driven by the reader's pulls (curl multi), with redirects, Range resume and
// digest check.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/digest.h"
#include "base/result.h"
#include "registry/registry_client.h"

typedef void CURL;
typedef void CURLM;
struct curl_slist;

namespace berth::registry {

class BlobStream {
 public:
  // Starts the transfer and waits for the response status: a missing blob or
  // refused authentication is reported here rather than by the first read().
  static Result<std::shared_ptr<BlobStream>> open(std::shared_ptr<RegistryClient::Impl> client,
                                                  std::string repo, std::string digest,
                                                  int64_t expected_size,
                                                  std::function<void(uint64_t)> progress);
  ~BlobStream();
  BlobStream(const BlobStream&) = delete;
  BlobStream& operator=(const BlobStream&) = delete;

  // Store-reader contract: bytes read, 0 at a verified end, or the error.
  Result<size_t> read(char* buf, size_t n);

 private:
  BlobStream() = default;
  Status startTransfer();
  void stopTransfer();
  // Drives curl until bytes are buffered, the blob ended or an error is set.
  void pump();
  void onDone(int curl_code);
  void retryOrFail(Error why);
  size_t onData(const char* data, size_t n);
  Error context(Error e) const;
  static size_t writeCb(char* data, size_t size, size_t n, void* self);
  static size_t headerCb(char* data, size_t size, size_t n, void* self);

  std::shared_ptr<RegistryClient::Impl> client_;
  std::string repo_, digest_, registry_url_;
  int64_t expected_ = -1;
  std::function<void(uint64_t)> progress_;
  std::vector<std::string> scopes_;

  CURLM* multi_ = nullptr;
  CURL* easy_ = nullptr;
  curl_slist* headers_ = nullptr;
  char errbuf_[256] = {0};
  std::string url_;
  bool send_auth_ = true;   // url_ is the registry's own endpoint
  bool sent_auth_ = false;  // the current transfer carries an Authorization header
  std::vector<std::pair<std::string, std::string>> resp_headers_;
  bool status_known_ = false;
  bool passing_ = false;  // the current response is the blob (200/206)
  std::string err_body_;
  uint64_t skip_ = 0;            // bytes to drop (server ignored our Range)
  uint64_t transfer_start_ = 0;  // offset_ when the transfer started

  std::string buf_;
  size_t pos_ = 0;
  uint64_t offset_ = 0;    // bytes received and hashed
  uint64_t returned_ = 0;  // bytes handed to the caller
  Sha256 hasher_;
  int failures_ = 0;  // consecutive failed attempts without progress
  int redirects_ = 0;
  bool reauthed_ = false;
  bool finished_ = false;
  bool verified_ = false;
  std::optional<Error> error_;
  std::optional<Error> data_error_;
};

}  // namespace berth::registry
