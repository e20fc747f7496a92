// Error code -> HTTP status table and error bodies.
#include "api/server/errors.h"

namespace berth::api::server {

int httpStatus(Code code) {
  switch (code) {
    case Code::kOk: return 200;
    case Code::kNotFound: return 404;
    case Code::kAlreadyExists:
    case Code::kConflict:
    case Code::kFailedPrecondition: return 409;
    case Code::kInvalidArgument: return 400;
    case Code::kUnimplemented: return 501;
    default: return 500;
  }
}

std::string errorCause(const std::string& message) {
  auto pos = message.rfind(": ");
  if (pos == std::string::npos) return message;
  return message.substr(pos + 2);
}

Json errorBody(Tree tree, int status, const Error& e) {
  std::string msg = e.what();
  if (tree == Tree::kCompat) return Json{{"message", msg}};
  return Json{{"cause", errorCause(msg)}, {"message", msg}, {"response", status}};
}

}  // namespace berth::api::server
