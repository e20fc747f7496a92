// Time and size formatting the way Go (and so podman) prints them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace berth {

int64_t nowNanos();  // CLOCK_REALTIME in ns since the epoch.
// Go's time.RFC3339Nano in UTC ("2024-01-02T03:04:05.123456789Z", trailing zeros trimmed).
std::string formatRfc3339Nano(int64_t unix_nanos);
// RFC 3339 with optional fraction and Z or +hh:mm offset; kInvalidArgument otherwise.
Result<int64_t> parseRfc3339(std::string_view s);
// podman's timestamp filter values: RFC 3339, a date, a unix time or a Go duration before now.
Result<int64_t> parseTimestampArg(std::string_view s);
// Go duration syntax ("1h30m", "10s", "500ms"); returns nanoseconds.
Result<int64_t> parseGoDuration(std::string_view s);
// go-units HumanDuration ("About a minute", "3 days").
std::string humanDuration(int64_t seconds);
// go-units HumanSizeWithPrecision(size, 3): decimal units ("5.83 MB").
std::string humanSize(double bytes);
// Go's time.Time.String() in UTC: "2024-01-02 03:04:05.123456789 +0000 UTC".
std::string formatGoTime(int64_t unix_nanos);

}  // namespace berth
