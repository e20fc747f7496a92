// JSON parsing with errors as values.
#include "base/json.h"

namespace berth {

Result<Json> parseJson(std::string_view text, std::string_view what) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    try {
      Json unused = Json::parse(text);
      (void)unused;
    } catch (const Json::parse_error& e) {
      return makeError(Code::kInvalidArgument, "parse {}: {}", what, e.what());
    }
    return makeError(Code::kInvalidArgument, "parse {}: invalid JSON", what);
  }
  return j;
}

}  // namespace berth
