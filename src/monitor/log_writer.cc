// Container log formatting and writing.
#include "monitor/log_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/escape.h"
#include "base/fs.h"
#include "base/timefmt.h"

namespace berth::monitor {

std::string_view streamName(Stream s) { return s == Stream::kStdout ? "stdout" : "stderr"; }

std::string formatK8sTimestamp(int64_t ns) {
  time_t sec = ns / 1000000000;
  long frac = long(ns % 1000000000);
  if (frac < 0) frac += 1000000000, sec -= 1;
  struct tm tm;
  gmtime_r(&sec, &tm);
  char buf[48];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, sizeof buf - n, ".%09ld+00:00", frac);
  return buf;
}

// Calls f(line, complete) for each newline-terminated line and the rest.
template <typename F>
static void splitLines(std::string_view chunk, F&& f) {
  while (!chunk.empty()) {
    size_t nl = chunk.find('\n');
    if (nl == std::string_view::npos) {
      f(chunk, false);
      return;
    }
    f(chunk.substr(0, nl), true);
    chunk.remove_prefix(nl + 1);
  }
}

void appendK8sFile(std::string& out, int64_t ns, Stream s, std::string_view chunk) {
  std::string ts = formatK8sTimestamp(ns);
  splitLines(chunk, [&](std::string_view line, bool complete) {
    out += ts;
    out += ' ';
    out += streamName(s);
    out += complete ? " F " : " P ";
    out += line;
    out += '\n';
  });
}

void appendJsonFile(std::string& out, int64_t ns, Stream s, std::string_view chunk) {
  std::string ts = formatRfc3339Nano(ns);
  splitLines(chunk, [&](std::string_view line, bool complete) {
    out += "{\"log\":";
    std::string text(line);
    if (complete) text += '\n';
    appendJsonQuoted(out, text);
    out += ",\"stream\":\"";
    out += streamName(s);
    out += "\",\"time\":\"";
    out += ts;
    out += "\"}\n";
  });
}

Result<LogWriter> LogWriter::open(LogDriver driver, std::string path, int64_t max_size) {
  LogWriter w;
  w.driver_ = driver;
  w.path_ = std::move(path);
  w.max_size_ = max_size;
  if (driver == LogDriver::kK8sFile || driver == LogDriver::kJsonFile) TRY(w.reopen());
  return w;
}

Status LogWriter::reopen() {
  if (path_.empty()) return {};
  fd_ = TRY(fs::openFd(path_, O_WRONLY | O_CREAT | O_APPEND, 0600));
  struct stat st;
  size_ = ::fstat(fd_.get(), &st) == 0 ? st.st_size : 0;
  return {};
}

Status LogWriter::write(Stream s, std::string_view chunk, int64_t ns) {
  if (!fd_.valid() || chunk.empty()) return {};
  std::string out;
  if (driver_ == LogDriver::kK8sFile)
    appendK8sFile(out, ns, s, chunk);
  else
    appendJsonFile(out, ns, s, chunk);
  if (max_size_ <= 0) {
    TRY_CTX(fs::writeAll(fd_.get(), out), "write {}", path_);
    size_ += int64_t(out.size());
    return {};
  }
  // conmon's behaviour, checked per record line as conmon does (one read may carry
  // many lines): a record that would pass the limit truncates the file first.
  std::string_view rest = out;
  while (!rest.empty()) {
    size_t batch = 0;
    while (batch < rest.size()) {
      size_t nl = rest.find('\n', batch);
      size_t end = nl == std::string_view::npos ? rest.size() : nl + 1;
      if (size_ + int64_t(end) > max_size_ && (batch > 0 || size_ > 0)) break;
      batch = end;
    }
    if (batch > 0) {
      TRY_CTX(fs::writeAll(fd_.get(), rest.substr(0, batch)), "write {}", path_);
      size_ += int64_t(batch);
      rest.remove_prefix(batch);
    }
    if (!rest.empty()) {
      if (::ftruncate(fd_.get(), 0) < 0) return errnoError("truncate {}", path_);
      size_ = 0;  // O_APPEND: the next write lands at 0
    }
  }
  return {};
}

}  // namespace berth::monitor
