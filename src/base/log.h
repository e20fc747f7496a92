// Leveled logging to stderr in logrus' text shape (podman's --log-level).
#pragma once

#include <fmt/format.h>

#include <string_view>

#include "base/result.h"

namespace berth::log {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError, kFatal, kPanic };

void setLevel(Level l);
Level level();
Result<Level> parseLevel(std::string_view s);
// logrus' name of a level: "trace", "debug", "info", "warning", ...
std::string_view levelName(Level l);
void write(Level l, std::string_view msg);

template <typename... Args>
void logf(Level l, fmt::format_string<Args...> f, Args&&... args) {
  if (l < level()) return;
  write(l, fmt::format(f, std::forward<Args>(args)...));
}
#define BERTH_LOG(lvl, ...) ::berth::log::logf(::berth::log::Level::lvl, __VA_ARGS__)
#define LOG_TRACE(...) BERTH_LOG(kTrace, __VA_ARGS__)
#define LOG_DEBUG(...) BERTH_LOG(kDebug, __VA_ARGS__)
#define LOG_INFO(...) BERTH_LOG(kInfo, __VA_ARGS__)
#define LOG_WARN(...) BERTH_LOG(kWarn, __VA_ARGS__)
#define LOG_ERROR(...) BERTH_LOG(kError, __VA_ARGS__)

}  // namespace berth::log
