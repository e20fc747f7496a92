// Service answers -> canonical errors.
#include "api/client/errors.h"

#include "api/client/internal.h"
#include "base/json.h"

namespace berth::api::client {

Code codeFromHttpStatus(int status) {
  switch (status) {
    case 400: return Code::kInvalidArgument;
    case 401:
    case 403: return Code::kPermissionDenied;
    case 404: return Code::kNotFound;
    case 409: return Code::kConflict;
    case 413: return Code::kInvalidArgument;
    case 500: return Code::kInternal;
    case 501: return Code::kUnimplemented;
    case 503: return Code::kUnavailable;
    case 504: return Code::kDeadlineExceeded;
    default: return Code::kUnknown;
  }
}

Error errorFromResponse(const HttpResponse& r) {
  Code code = codeFromHttpStatus(r.status);
  if (auto named = codeFromName(r.header(kErrorCodeHeader)); named && *named != Code::kOk) code = *named;
  std::string msg;
  if (!r.body.empty()) {
    auto j = parseJson(r.body, "error body");
    if (j.ok() && j->is_object()) {
      auto it = j->find("message");
      if (it != j->end() && it->is_string()) msg = it->get<std::string>();
    }
    if (msg.empty() && !j.ok() && r.body.size() <= 4096) {
      msg = r.body;
      while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r' || msg.back() == ' ')) msg.pop_back();
    }
  }
  if (msg.empty()) msg = fmt::format("the service answered HTTP {}", r.status);
  return Error(code, std::move(msg));
}

Error remoteUnsupported(std::string_view command) {
  return Error(Code::kUnimplemented,
               fmt::format("{} is not supported in remote mode: the service has no API route for it; run it "
                           "on the service's host",
                           command));
}

}  // namespace berth::api::client
