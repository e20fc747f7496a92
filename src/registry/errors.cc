// Registry error responses mapped to canonical codes.
#include "registry/errors.h"

#include <algorithm>
#include <cctype>

#include "base/json.h"
#include "base/json_access.h"

namespace berth::registry {

Code codeForHttpStatus(long s) {
  if (s == 400 || s == 416) return Code::kInvalidArgument;
  if (s == 401 || s == 403) return Code::kPermissionDenied;
  if (s == 404) return Code::kNotFound;
  if (s == 405 || s == 501) return Code::kUnimplemented;
  if (s == 409) return Code::kConflict;
  if (s == 429 || s >= 500) return Code::kUnavailable;
  return Code::kUnknown;
}

Code codeForRegistryError(std::string_view c, long http_status) {
  if (c == "MANIFEST_UNKNOWN" || c == "BLOB_UNKNOWN" || c == "NAME_UNKNOWN" ||
      c == "BLOB_UPLOAD_UNKNOWN" || c == "MANIFEST_BLOB_UNKNOWN")
    return Code::kNotFound;
  if (c == "DIGEST_INVALID" || c == "SIZE_INVALID" || c == "MANIFEST_INVALID" ||
      c == "NAME_INVALID" || c == "TAG_INVALID" || c == "MANIFEST_UNVERIFIED" ||
      c == "BLOB_UPLOAD_INVALID" || c == "PAGINATION_NUMBER_INVALID" || c == "RANGE_INVALID")
    return Code::kInvalidArgument;
  if (c == "UNAUTHORIZED" || c == "DENIED") return Code::kPermissionDenied;
  if (c == "UNSUPPORTED") return Code::kUnimplemented;
  if (c == "TOOMANYREQUESTS") return Code::kUnavailable;
  return codeForHttpStatus(http_status);
}

bool isTransientStatus(long s) { return s == 429 || (s >= 500 && s != 501 && s != 505); }

namespace {

// "MANIFEST_UNKNOWN" -> "manifest unknown", as distribution's ErrorCode.Error().
std::string codePhrase(std::string_view code) {
  std::string out(code);
  for (char& ch : out) ch = ch == '_' ? ' ' : static_cast<char>(std::tolower(ch));
  return out;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

}  // namespace

Error registryError(long http_status, std::string_view body) {
  Json doc = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_object() && doc.contains("errors") && doc["errors"].is_array() &&
      !doc["errors"].empty() && doc["errors"][0].is_object()) {
    const Json& e = doc["errors"][0];
    // A registry's answer is hostile: a field of the wrong type reads as absent.
    std::string code = json::optString(e, "code", "").valueOr("");
    std::string message = json::optString(e, "message", "").valueOr("");
    std::string text = code.empty() ? message : codePhrase(code);
    if (!code.empty() && !message.empty() && !equalsIgnoreCase(message, text))
      text += ": " + message;
    if (text.empty()) text = fmt::format("unexpected HTTP status {}", http_status);
    return Error(codeForRegistryError(code, http_status), text);
  }
  std::string text = fmt::format("unexpected HTTP status {}", http_status);
  if (http_status == 401) text = "unauthorized: authentication required";
  if (http_status == 404) text = "not found";
  return Error(codeForHttpStatus(http_status), text);
}

}  // namespace berth::registry
