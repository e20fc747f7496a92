// A blob download driven by the reader's pulls (curl multi), with redirects, Range resume and
// digest check.
#include "registry/blob_stream.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>

#include "registry/client_impl.h"
#include "registry/errors.h"
#include "registry/http.h"

namespace berth::registry {

namespace {
constexpr size_t kMaxErrorBody = 64 * 1024;
constexpr int kMaxRedirects = 10;
}  // namespace

Result<std::shared_ptr<BlobStream>> BlobStream::open(std::shared_ptr<RegistryClient::Impl> client,
                                                     std::string repo, std::string digest,
                                                     int64_t expected_size,
                                                     std::function<void(uint64_t)> progress) {
  TRY(validateDigest(digest));
  std::shared_ptr<BlobStream> s(new BlobStream());
  std::string base = TRY(client->baseUrl());
  s->client_ = std::move(client);
  s->repo_ = std::move(repo);
  s->digest_ = std::move(digest);
  s->expected_ = expected_size;
  s->progress_ = std::move(progress);
  s->scopes_ = {repositoryScope(s->repo_, false)};
  s->registry_url_ = fmt::format("{}/v2/{}/blobs/{}", base, s->repo_, s->digest_);
  s->url_ = s->registry_url_;
  s->multi_ = curl_multi_init();
  if (!s->multi_) return makeError(Code::kInternal, "curl_multi_init failed");
  if (Status st = s->startTransfer(); !st.ok()) return s->context(std::move(st).error());
  while (!s->passing_ && !s->finished_ && !s->error_) s->pump();
  if (s->error_) return *s->error_;
  return s;
}

BlobStream::~BlobStream() {
  stopTransfer();
  if (multi_) curl_multi_cleanup(multi_);
}

Error BlobStream::context(Error e) const {
  return std::move(e).context(
      fmt::format("fetching blob {} from {}/{}", digest_, client_->registry, repo_));
}

Status BlobStream::startTransfer() {
  stopTransfer();
  easy_ = curl_easy_init();
  if (!easy_) return makeError(Code::kInternal, "curl_easy_init failed");
  TRY(client_->configure(easy_));
  resp_headers_.clear();
  err_body_.clear();
  status_known_ = passing_ = false;
  skip_ = 0;
  transfer_start_ = offset_;
  errbuf_[0] = 0;
  sent_auth_ = false;
  if (send_auth_) {
    std::string auth = TRY(client_->authorization(scopes_));
    if (!auth.empty()) {
      headers_ = curl_slist_append(headers_, ("Authorization: " + auth).c_str());
      sent_auth_ = true;
    }
  }
  if (offset_ > 0)
    headers_ = curl_slist_append(headers_, fmt::format("Range: bytes={}-", offset_).c_str());
  curl_easy_setopt(easy_, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
  curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, errbuf_);
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &BlobStream::writeCb);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &BlobStream::headerCb);
  curl_easy_setopt(easy_, CURLOPT_HEADERDATA, this);
  if (curl_multi_add_handle(multi_, easy_) != CURLM_OK)
    return makeError(Code::kInternal, "curl_multi_add_handle failed");
  return okStatus();
}

void BlobStream::stopTransfer() {
  if (easy_) {
    curl_multi_remove_handle(multi_, easy_);
    curl_easy_cleanup(easy_);
    easy_ = nullptr;
  }
  if (headers_) {
    curl_slist_free_all(headers_);
    headers_ = nullptr;
  }
}

size_t BlobStream::headerCb(char* data, size_t size, size_t n, void* self) {
  auto* s = static_cast<BlobStream*>(self);
  parseHeaderLine(std::string_view(data, size * n), s->resp_headers_);
  return size * n;
}

size_t BlobStream::writeCb(char* data, size_t size, size_t n, void* self) {
  return static_cast<BlobStream*>(self)->onData(data, size * n);
}

size_t BlobStream::onData(const char* data, size_t n) {
  if (!status_known_) {
    status_known_ = true;
    long status = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    passing_ = status == 200 || status == 206;
    // A 200 to a ranged request restarts from byte 0: drop what we have.
    if (status == 200 && offset_ > 0) skip_ = offset_;
  }
  if (!passing_) {
    if (err_body_.size() < kMaxErrorBody) err_body_.append(data, std::min(n, kMaxErrorBody));
    return n;
  }
  size_t drop = static_cast<size_t>(std::min<uint64_t>(skip_, n));
  skip_ -= drop;
  data += drop;
  size_t len = n - drop;
  if (len == 0) return n;
  if (expected_ >= 0 && offset_ + len > static_cast<uint64_t>(expected_)) {
    data_error_ =
        makeError(Code::kDataLoss, "size mismatch for {}: more than the expected {} bytes", digest_,
                  expected_);
    return 0;  // aborts the transfer
  }
  hasher_.update(data, len);
  buf_.append(data, len);
  offset_ += len;
  return n;
}

void BlobStream::pump() {
  int running = 0;
  curl_multi_perform(multi_, &running);
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
    if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy_) {
      onDone(msg->data.result);
      break;  // the handle may have been replaced; remaining messages are stale
    }
  }
  if (pos_ < buf_.size() || finished_ || error_ || !easy_) return;
  curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
}

void BlobStream::retryOrFail(Error why) {
  if (offset_ > transfer_start_) failures_ = 0;  // progress was made: a new series of retries
  if (failures_ >= client_->opts.retries) {
    stopTransfer();
    error_ = context(std::move(why));
    return;
  }
  client_->backoff(failures_++);
  // Restart at the registry (a redirect target may have expired), resuming at offset_.
  url_ = registry_url_;
  send_auth_ = true;
  redirects_ = 0;
  if (Status st = startTransfer(); !st.ok()) error_ = context(std::move(st).error());
}

void BlobStream::onDone(int code) {
  long status = 0;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
  if (data_error_) {
    stopTransfer();
    error_ = context(std::move(*data_error_));
    return;
  }
  if (code != CURLE_OK) {
    TransportFailure f = describeCurlError(easy_, code, "GET", url_, errbuf_);
    if (!f.transient) {
      stopTransfer();
      error_ = context(Error(Code::kUnavailable, f.text));
      return;
    }
    retryOrFail(Error(Code::kUnavailable, f.text));
    return;
  }
  if (status == 200 || status == 206) {
    if (expected_ < 0 || offset_ == static_cast<uint64_t>(expected_)) {
      stopTransfer();
      finished_ = true;
      return;
    }
    retryOrFail(makeError(Code::kUnavailable, "Get \"{}\": unexpected EOF after {} of {} bytes",
                          url_, offset_, expected_));
    return;
  }
  if (status >= 300 && status < 400) {
    auto it = std::find_if(resp_headers_.begin(), resp_headers_.end(),
                           [](const auto& h) { return h.first == "location"; });
    if (it == resp_headers_.end() || ++redirects_ > kMaxRedirects) {
      stopTransfer();
      error_ = context(makeError(Code::kUnknown, "bad redirect (HTTP {})", status));
      return;
    }
    url_ = resolveUrl(url_, it->second);
    // Credentials go only to the registry itself, never to blob storage.
    send_auth_ = urlOrigin(url_) == urlOrigin(registry_url_);
    if (Status st = startTransfer(); !st.ok()) error_ = context(std::move(st).error());
    return;
  }
  if (status == 401 && send_auth_ && !reauthed_) {
    reauthed_ = true;
    std::vector<std::string> challenges;
    for (const auto& [k, v] : resp_headers_)
      if (k == "www-authenticate") challenges.push_back(v);
    Status st = client_->onUnauthorized(challenges, err_body_, scopes_, sent_auth_);
    if (st.ok()) st = startTransfer();
    if (!st.ok()) {
      stopTransfer();
      error_ = context(std::move(st).error());
    }
    return;
  }
  if (status == 401) {
    stopTransfer();
    error_ = context(client_->deniedError(err_body_, false));
    return;
  }
  Error e = registryError(status, err_body_);
  if (isTransientStatus(status)) {
    retryOrFail(std::move(e));
    return;
  }
  stopTransfer();
  error_ = context(std::move(e));
}

Result<size_t> BlobStream::read(char* out, size_t n) {
  while (pos_ >= buf_.size()) {
    buf_.clear();
    pos_ = 0;
    if (error_) return *error_;
    if (finished_) {
      if (!verified_) {
        verified_ = true;
        if (expected_ >= 0 && offset_ != static_cast<uint64_t>(expected_)) {
          error_ =
              context(makeError(Code::kDataLoss, "size mismatch for {}: expected {} bytes, got {}",
                                digest_, expected_, offset_));
        } else if (std::string got = hasher_.digest(); got != digest_) {
          error_ =
              context(makeError(Code::kDataLoss, "digest mismatch for {}: got {}", digest_, got));
        }
        if (error_) return *error_;
      }
      return size_t{0};
    }
    pump();
  }
  size_t k = std::min(n, buf_.size() - pos_);
  std::memcpy(out, buf_.data() + pos_, k);
  pos_ += k;
  returned_ += k;
  if (progress_) progress_(returned_);
  return k;
}

}  // namespace berth::registry
