// Leveled logging.
#include "base/log.h"

#include <unistd.h>

#include "base/timefmt.h"

namespace berth::log {

namespace {
Level g_level = Level::kWarn;
constexpr std::string_view kNames[] = {"trace", "debug", "info", "warning", "error", "fatal", "panic"};
}  // namespace

void setLevel(Level l) { g_level = l; }
Level level() { return g_level; }
std::string_view levelName(Level l) { return kNames[int(l)]; }

Result<Level> parseLevel(std::string_view s) {
  if (s == "warn") return Level::kWarn;
  for (int i = 0; i < 7; i++)
    if (kNames[i] == s) return Level(i);
  return makeError(Code::kInvalidArgument,
                   "invalid log level {:?}: want one of trace, debug, info, warn, warning, error, fatal, panic",
                   std::string(s));
}

void write(Level l, std::string_view msg) {
  // logrus quotes the message Go-style: inner quotes and backslashes escaped.
  std::string quoted;
  quoted.reserve(msg.size());
  for (char c : msg) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    if (c == '\n') {
      quoted += "\\n";
      continue;
    }
    quoted.push_back(c);
  }
  std::string line = fmt::format("time=\"{}\" level={} msg=\"{}\"\n", formatRfc3339Nano(nowNanos()),
                                 kNames[int(l)], quoted);
  (void)!::write(2, line.data(), line.size());
}

}  // namespace berth::log
