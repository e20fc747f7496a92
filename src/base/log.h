// Leveled logging to stderr in logrus' text shape (podman's --log-level).
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <string>
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

// Logs at debug level how long a phase of a command took, when it goes out of scope
// ("phase mount rootfs: 2.41 ms"): --log-level debug shows where a run spends its time.
class PhaseTimer {
 public:
  explicit PhaseTimer(std::string name)
      : name_(level() <= Level::kDebug ? std::move(name) : std::string()), t0_(std::chrono::steady_clock::now()) {}
  ~PhaseTimer() {
    if (name_.empty()) return;
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0_).count();
    logf(Level::kDebug, "phase {}: {:.2f} ms", name_, static_cast<double>(us) / 1000.0);
  }
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;

 private:
  std::string name_;
  std::chrono::steady_clock::time_point t0_;
};
#define BERTH_PHASE_CAT2(a, b) a##b
#define BERTH_PHASE_CAT(a, b) BERTH_PHASE_CAT2(a, b)
// LOG_PHASE("mount rootfs"); times the rest of the enclosing scope.
#define LOG_PHASE(name) ::berth::log::PhaseTimer BERTH_PHASE_CAT(berth_phase_, __LINE__)(name)

}  // namespace berth::log
