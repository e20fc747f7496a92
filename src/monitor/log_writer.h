// The container log: conmon's k8s-file format, docker's json-file, or none.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/fd.h"
#include "base/result.h"
#include "monitor/options.h"

namespace berth::monitor {

enum class Stream { kStdout = 2, kStderr = 3 };  // values = attach protocol stream ids
std::string_view streamName(Stream s);

// conmon's k8s-file timestamp: RFC 3339 with all nine fraction digits and
// an explicit "+00:00" offset (UTC), e.g. 2024-01-02T03:04:05.123456789+00:00.
std::string formatK8sTimestamp(int64_t unix_nanos);

// Appends the k8s-file lines for one chunk read from the container:
// "<ts> stdout F <line>\n" per complete line, and "<ts> stdout P <rest>\n"
// for a trailing piece without newline (conmon's partial-line marker).
void appendK8sFile(std::string& out, int64_t unix_nanos, Stream s, std::string_view chunk);
// Same for docker's json-file: {"log":"<line>\n","stream":"stdout","time":"<RFC3339Nano>"};
// a partial piece carries no trailing "\n".
void appendJsonFile(std::string& out, int64_t unix_nanos, Stream s, std::string_view chunk);

// Owns the log fd. write() formats and appends; when --log-max-size would
// be exceeded the file is truncated to zero and writing goes on (conmon).
class LogWriter {
 public:
  LogWriter() = default;
  static Result<LogWriter> open(LogDriver driver, std::string path, int64_t max_size);
  Status write(Stream s, std::string_view chunk, int64_t unix_nanos);
  // Closes and reopens the path (after an external rotation): ctl message 2.
  Status reopen();
  bool enabled() const { return fd_.valid(); }

 private:
  LogDriver driver_ = LogDriver::kNone;
  std::string path_;
  int64_t max_size_ = 0;
  int64_t size_ = 0;
  UniqueFd fd_;
};

}  // namespace berth::monitor
