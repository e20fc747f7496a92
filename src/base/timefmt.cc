// Time and size formatting.
#include "base/timefmt.h"

#include <time.h>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace berth {

int64_t nowNanos() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

static std::string fraction(int64_t nanos) {
  if (nanos == 0) return "";
  std::string f = fmt::format(".{:09d}", nanos);
  while (f.back() == '0') f.pop_back();
  return f;
}

static void splitNanos(int64_t unix_nanos, time_t& sec, int64_t& ns) {
  sec = unix_nanos / 1000000000;
  ns = unix_nanos % 1000000000;
  if (ns < 0) {
    ns += 1000000000;
    sec -= 1;
  }
}

std::string formatRfc3339Nano(int64_t unix_nanos) {
  time_t sec;
  int64_t ns;
  splitNanos(unix_nanos, sec, ns);
  struct tm tm;
  gmtime_r(&sec, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return std::string(buf) + fraction(ns) + "Z";
}

std::string formatGoTime(int64_t unix_nanos) {
  time_t sec;
  int64_t ns;
  splitNanos(unix_nanos, sec, ns);
  struct tm tm;
  gmtime_r(&sec, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return std::string(buf) + fraction(ns) + " +0000 UTC";
}

Result<int64_t> parseRfc3339(std::string_view s) {
  int Y, M, D, h, m, sec;
  int n = 0;
  // "YYYY-MM-DDThh:mm:ss" at fixed positions (every time berth writes), else sscanf's laxer forms.
  auto digits = [&](size_t at, size_t len, int& out) {
    out = 0;
    for (size_t i = at; i < at + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  if (s.size() >= 19 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == ' ') && s[13] == ':' &&
      s[16] == ':' && digits(0, 4, Y) && digits(5, 2, M) && digits(8, 2, D) && digits(11, 2, h) &&
      digits(14, 2, m) && digits(17, 2, sec))
    n = 19;
  std::string str(s);
  if (n == 0 && sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &Y, &M, &D, &h, &m, &sec, &n) != 6 &&
      sscanf(str.c_str(), "%4d-%2d-%2d %2d:%2d:%2d%n", &Y, &M, &D, &h, &m, &sec, &n) != 6)
    return makeError(Code::kInvalidArgument, "invalid RFC 3339 time {:?}", str);
  std::string_view rest = s.substr(n);
  int64_t nanos = 0;
  if (!rest.empty() && rest[0] == '.') {
    rest.remove_prefix(1);
    int digits = 0;
    while (!rest.empty() && rest[0] >= '0' && rest[0] <= '9') {
      if (digits < 9) nanos = nanos * 10 + (rest[0] - '0'), digits++;
      rest.remove_prefix(1);
    }
    while (digits++ < 9) nanos *= 10;
  }
  int64_t offset = 0;
  if (rest == "Z" || rest == "z") {
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' && isdigit(rest[1]) &&
             isdigit(rest[2]) && isdigit(rest[4]) && isdigit(rest[5])) {
    int oh = (rest[1] - '0') * 10 + (rest[2] - '0');
    int om = (rest[4] - '0') * 10 + (rest[5] - '0');
    offset = (oh * 3600 + om * 60) * (rest[0] == '-' ? -1 : 1);
  } else if (!rest.empty()) {
    return makeError(Code::kInvalidArgument, "invalid RFC 3339 time {:?}", str);
  }
  if (M < 1 || M > 12 || D < 1 || D > 31 || h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 60)
    return makeError(Code::kInvalidArgument, "invalid RFC 3339 time {:?}: a field is out of range", str);
  struct tm tm = {};
  tm.tm_year = Y - 1900;
  tm.tm_mon = M - 1;
  tm.tm_mday = D;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = sec;
  time_t t = timegm(&tm);
  // Nanoseconds since the epoch fit int64 from 1677 to 2262: times beyond (Go's zero time
  // "0001-01-01T00:00:00Z" in image configs, a hostile year 9999) are clamped to that range.
  int64_t secs = int64_t(t) - offset;
  constexpr int64_t kMaxSecs = INT64_MAX / 1000000000 - 1;
  if (secs > kMaxSecs) return kMaxSecs * 1000000000;
  if (secs < -kMaxSecs) return -kMaxSecs * 1000000000;
  return secs * 1000000000 + nanos;
}

Result<int64_t> parseGoDuration(std::string_view s) {
  std::string orig(s);
  if (s.empty()) return makeError(Code::kInvalidArgument, "invalid duration {:?}", orig);
  bool neg = false;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return int64_t(0);
  double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) i++;
    if (i == 0) return makeError(Code::kInvalidArgument, "invalid duration {:?}", orig);
    double v = std::stod(std::string(s.substr(0, i)));
    s.remove_prefix(i);
    size_t j = 0;
    while (j < s.size() && !((s[j] >= '0' && s[j] <= '9') || s[j] == '.')) j++;
    std::string_view unit = s.substr(0, j);
    s.remove_prefix(j);
    double mult;
    if (unit == "ns") mult = 1;
    else if (unit == "us" || unit == "µs") mult = 1e3;
    else if (unit == "ms") mult = 1e6;
    else if (unit == "s") mult = 1e9;
    else if (unit == "m") mult = 60e9;
    else if (unit == "h") mult = 3600e9;
    else
      return makeError(Code::kInvalidArgument, "invalid duration {:?}: unknown unit {:?}", orig,
                       std::string(unit));
    total += v * mult;
  }
  return int64_t(neg ? -total : total);
}

Result<int64_t> parseTimestampArg(std::string_view s) {
  if (auto t = parseRfc3339(s)) return t;
  std::string str(s);
  int Y, M, D, n = 0;
  if (sscanf(str.c_str(), "%4d-%2d-%2d%n", &Y, &M, &D, &n) == 3 && size_t(n) == str.size())
    return parseRfc3339(str + "T00:00:00Z");
  bool numeric = !str.empty();
  for (char c : str) numeric &= (c >= '0' && c <= '9') || c == '.';
  if (numeric) return int64_t(std::stod(str) * 1e9);
  if (auto d = parseGoDuration(s)) return nowNanos() - *d;
  return makeError(Code::kInvalidArgument, "invalid timestamp {:?}", str);
}

std::string humanDuration(int64_t seconds) {
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return fmt::format("{} seconds", seconds);
  int64_t minutes = seconds / 60;
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return fmt::format("{} minutes", minutes);
  int64_t hours = int64_t(seconds / 3600.0 + 0.5);
  if (hours == 1) return "About an hour";
  if (hours < 48) return fmt::format("{} hours", hours);
  if (hours < 24 * 7 * 2) return fmt::format("{} days", hours / 24);
  if (hours < 24 * 30 * 2) return fmt::format("{} weeks", hours / 24 / 7);
  if (hours < 24 * 365 * 2) return fmt::format("{} months", hours / 24 / 30);
  return fmt::format("{} years", seconds / 3600 / 24 / 365);
}

std::string humanSize(double size) {
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  int i = 0;
  while (size >= 1000.0 && i < 8) {
    size /= 1000.0;
    i++;
  }
  char buf[64];
  snprintf(buf, sizeof buf, "%.3g %s", size, kUnits[i]);
  return buf;
}

}  // namespace berth
