// A small synchronous HTTP client over libcurl.
#include "registry/http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>

#include "base/fs.h"

namespace berth::registry {

namespace {

constexpr size_t kMaxResponseBody = 32u << 20;  // manifests are capped at 4 MiB by registries

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// "GET" -> "Get", as Go's net/http prints methods in url.Error.
std::string goMethod(std::string_view method) {
  std::string out = lower(method);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

// host[:port] of a URL.
std::string urlHostPort(std::string_view url) {
  size_t p = url.find("://");
  std::string_view rest = p == std::string_view::npos ? url : url.substr(p + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  std::string hp(rest);
  if (hp.find(':') == std::string::npos && hp.find(']') == std::string::npos)
    hp += url.starts_with("https") ? ":443" : ":80";
  return hp;
}

std::string hostOnly(std::string_view url) {
  std::string hp = urlHostPort(url);
  return hp.substr(0, hp.rfind(':'));
}

size_t discardHeaderCb(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<std::vector<std::pair<std::string, std::string>>*>(user);
  parseHeaderLine(std::string_view(data, size * n), *headers);
  return size * n;
}

struct BodySink {
  std::string* body;
  bool overflow = false;
};

size_t bodyCb(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  if (sink->body->size() + size * n > kMaxResponseBody) {
    sink->overflow = true;
    return 0;
  }
  sink->body->append(data, size * n);
  return size * n;
}

struct UploadSource {
  const store::Reader* reader;
  uint64_t sent = 0;
  const std::function<void(uint64_t)>* progress;
  std::optional<Error> error;
};

size_t readCb(char* buf, size_t size, size_t n, void* user) {
  auto* src = static_cast<UploadSource*>(user);
  Result<size_t> got = (*src->reader)(buf, size * n);
  if (!got.ok()) {
    src->error = got.error();
    return CURL_READFUNC_ABORT;
  }
  src->sent += *got;
  if (*got > 0 && src->progress && *src->progress) (*src->progress)(src->sent);
  return *got;
}

}  // namespace

void ensureCurlGlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool parseHeaderLine(std::string_view line, std::vector<std::pair<std::string, std::string>>& out) {
  if (line.starts_with("HTTP/")) {
    out.clear();
    return false;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  out.emplace_back(lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  return true;
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return std::nullopt;
}

std::vector<std::string> HttpResponse::headerAll(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : headers)
    if (k == name) out.push_back(v);
  return out;
}

std::string urlOrigin(std::string_view url) {
  size_t p = url.find("://");
  if (p == std::string_view::npos) return "";
  size_t end = url.find_first_of("/?#", p + 3);
  return std::string(url.substr(0, end));
}

std::string resolveUrl(const std::string& base, const std::string& ref) {
  if (ref.find("://") != std::string::npos) return ref;
  if (ref.starts_with("//")) return base.substr(0, base.find("://") + 1) + ref;
  if (ref.starts_with("/")) return urlOrigin(base) + ref;
  std::string dir = base.substr(0, base.find_first_of("?#"));
  dir = dir.substr(0, dir.rfind('/') + 1);
  return dir + ref;
}

std::string urlEscape(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

TransportFailure describeCurlError(CURL* easy, int code, std::string_view method,
                                   std::string_view url, std::string_view errbuf) {
  TransportFailure f;
  f.curl_code = code;
  long os_errno = 0;
  if (easy) curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
  std::string detail =
      errbuf.empty() ? curl_easy_strerror(static_cast<CURLcode>(code)) : std::string(errbuf);
  std::string cause;
  switch (code) {
    case CURLE_COULDNT_CONNECT: {
      f.connect_failed = true;
      std::string why = os_errno ? lower(std::strerror(static_cast<int>(os_errno))) : detail;
      cause = fmt::format("dial tcp {}: connect: {}", urlHostPort(url), why);
      break;
    }
    case CURLE_COULDNT_RESOLVE_HOST:
      f.connect_failed = true;
      cause = fmt::format("dial tcp: lookup {}: no such host", hostOnly(url));
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
      f.tls_verify_failed = true;
      if (detail.find("subject name") != std::string::npos ||
          detail.find("hostname") != std::string::npos)
        cause = fmt::format(
            "tls: failed to verify certificate: x509: certificate is not valid for {} ({})",
            hostOnly(url), detail);
      else
        cause = fmt::format(
            "tls: failed to verify certificate: x509: certificate signed by unknown authority ({})",
            detail);
      cause +=
          "; to connect anyway use --tls-verify=false, or trust the registry's CA with "
          "--cert-dir";
      break;
    case CURLE_SSL_CONNECT_ERROR:
      f.tls_handshake_failed = true;
      if (detail.find("wrong version number") != std::string::npos ||
          detail.find("packet length too long") != std::string::npos)
        cause = "http: server gave HTTP response to HTTPS client";
      else
        cause = "tls: handshake failure: " + detail;
      break;
    case CURLE_OPERATION_TIMEDOUT:
      cause = "i/o timeout: " + detail;
      break;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      cause = os_errno ? fmt::format("read tcp {}: {}", urlHostPort(url),
                                     lower(std::strerror(static_cast<int>(os_errno))))
                       : fmt::format("unexpected EOF ({})", detail);
      break;
    default:
      cause = detail;
  }
  f.transient = f.connect_failed || code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR ||
                code == CURLE_GOT_NOTHING || code == CURLE_PARTIAL_FILE ||
                code == CURLE_OPERATION_TIMEDOUT;
  f.text = fmt::format("{} \"{}\": {}", goMethod(method), url, cause);
  return f;
}

HttpClient::HttpClient(TlsOptions tls, std::string user_agent)
    : tls_(std::move(tls)), user_agent_(std::move(user_agent)) {
  ensureCurlGlobalInit();
  easy_ = curl_easy_init();
  if (tls_.cert_dir.empty() || !fs::isDir(tls_.cert_dir)) return;
  Result<std::vector<std::string>> names = fs::listDir(tls_.cert_dir);
  if (!names.ok()) return;
  std::vector<std::string> sorted = *names;
  std::sort(sorted.begin(), sorted.end());
  std::string cas;
  for (const std::string& name : sorted) {
    std::string path = fs::joinPath(tls_.cert_dir, name);
    if (name.ends_with(".crt")) {
      Result<std::string> pem = fs::readFile(path);
      if (pem.ok()) cas += *pem + "\n";
    } else if (name.ends_with(".cert") && client_cert_.empty()) {
      std::string key = fs::joinPath(tls_.cert_dir, name.substr(0, name.size() - 5) + ".key");
      if (fs::exists(key)) {
        client_cert_ = path;
        client_key_ = key;
      }
    }
  }
  if (cas.empty()) return;
  // The dir's CAs are trusted in addition to the system's, as containers/image does.
  for (const char* bundle :
       {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"}) {
    Result<std::string> sys = fs::readFile(bundle);
    if (sys.ok()) {
      ca_blob_ = *sys + "\n";
      break;
    }
  }
  ca_blob_ += cas;
}

HttpClient::~HttpClient() {
  if (easy_) curl_easy_cleanup(easy_);
}

Status HttpClient::configure(CURL* easy, std::optional<bool> verify) const {
  bool v = verify.value_or(tls_.verify);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, user_agent_.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, 30L);
  // Abort a transfer stalled for a minute; the caller's retry resumes it.
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  // Layers are hundreds of MB: curl's 16 kB receive and 64 kB upload buffers made a pull of
  // 400 MB some 19,000 recv and poll calls. (curl caps them at 512 kB and 2 MB.)
  curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, 512L * 1024);
  curl_easy_setopt(easy, CURLOPT_UPLOAD_BUFFERSIZE, 2L * 1024 * 1024);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, v ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, v ? 2L : 0L);
  if (!ca_blob_.empty()) {
    curl_blob blob{const_cast<char*>(ca_blob_.data()), ca_blob_.size(), CURL_BLOB_COPY};
    curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &blob);
  }
  if (!client_cert_.empty()) {
    curl_easy_setopt(easy, CURLOPT_SSLCERT, client_cert_.c_str());
    curl_easy_setopt(easy, CURLOPT_SSLKEY, client_key_.c_str());
  }
  return okStatus();
}

Result<HttpResponse> HttpClient::perform(const HttpRequest& req, TransportFailure* failure) {
  if (!easy_) return makeError(Code::kInternal, "curl_easy_init failed");
  CURL* easy = easy_;
  curl_easy_reset(easy);
  TRY(configure(easy));
  HttpResponse resp;
  BodySink sink{&resp.body};
  UploadSource upload{req.body_reader, 0, &req.upload_progress, std::nullopt};
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(easy, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, discardHeaderCb);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &resp.headers);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, bodyCb);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &sink);

  curl_slist* headers = nullptr;
  for (const std::string& h : req.headers) headers = curl_slist_append(headers, h.c_str());
  headers = curl_slist_append(headers, "Expect:");
  if (req.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else if (req.body_reader) {
    curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE,
                     req.body_size_unknown ? curl_off_t(-1) : static_cast<curl_off_t>(req.body_size));
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, readCb);
    curl_easy_setopt(easy, CURLOPT_READDATA, &upload);
  } else if (req.method == "POST" || req.method == "PUT" || req.method == "PATCH") {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, req.body.data());
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    bool has_type = std::any_of(req.headers.begin(), req.headers.end(), [](const std::string& h) {
      return lower(h).starts_with("content-type:");
    });
    if (!has_type) headers = curl_slist_append(headers, "Content-Type:");
  } else if (req.method != "GET") {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  CURLcode rc = curl_easy_perform(easy);
  curl_slist_free_all(headers);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, nullptr);
  if (upload.error) return std::move(*upload.error);
  if (sink.overflow)
    return makeError(Code::kDataLoss, "{} {}: response body larger than {} bytes", req.method,
                     req.url, kMaxResponseBody);
  if (rc != CURLE_OK) {
    TransportFailure f = describeCurlError(easy, rc, req.method, req.url, errbuf);
    Error e(Code::kUnavailable, f.text);
    if (failure) *failure = std::move(f);
    return e;
  }
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &resp.status);
  return resp;
}

namespace {

struct FdSink {
  int fd;
  std::optional<Error> error;
};

size_t fdBodyCb(char* data, size_t size, size_t n, void* p) {
  auto* sink = static_cast<FdSink*>(p);
  size_t len = size * n;
  if (auto st = fs::writeAll(sink->fd, std::string_view(data, len)); !st.ok()) {
    sink->error = std::move(st).error();
    return 0;
  }
  return len;
}

}  // namespace

Status HttpClient::download(const std::string& url, int fd) {
  if (!easy_) return makeError(Code::kInternal, "curl_easy_init failed");
  CURL* easy = easy_;
  curl_easy_reset(easy);
  TRY(configure(easy));
  FdSink sink{fd, std::nullopt};
  std::vector<std::pair<std::string, std::string>> headers;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, discardHeaderCb);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &headers);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, fdBodyCb);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &sink);
  // Only 2xx bodies are written: an error page is not an archive.
  curl_easy_setopt(easy, CURLOPT_FAILONERROR, 1L);
  CURLcode rc = curl_easy_perform(easy);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, nullptr);
  if (sink.error) return std::move(*sink.error).context(fmt::format("downloading {}", url));
  if (rc == CURLE_HTTP_RETURNED_ERROR) {
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    return makeError(status == 404 ? Code::kNotFound : Code::kUnavailable, "downloading {}: HTTP status {}", url, status);
  }
  if (rc != CURLE_OK) return Error(Code::kUnavailable, describeCurlError(easy, rc, "GET", url, errbuf).text);
  return {};
}

}  // namespace berth::registry
