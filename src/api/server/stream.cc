// Streamed response helpers.
#include "api/server/stream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "base/base64.h"

namespace berth::api::server {

bool JsonLines::write(const Json& j) {
  std::lock_guard<std::mutex> g(mu_);
  if (!started_) {
    started_ = true;
    if (!res_.startStream(200, "application/json").ok()) return false;
  }
  return res_.write(j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n");
}

Status JsonLines::finish() {
  std::lock_guard<std::mutex> g(mu_);
  if (!started_) {
    started_ = true;
    TRY(res_.startStream(200, "application/json"));
  }
  return res_.endStream();
}

bool pauseStream(const Response& res, const std::atomic<bool>& stopping, int64_t ms) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  for (;;) {
    if (res.clientGone() || stopping.load()) return false;
    auto left = end - std::chrono::steady_clock::now();
    if (left <= std::chrono::milliseconds(0)) return true;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(100)));
  }
}

std::string muxFrame(int stream, std::string_view payload) {
  std::string out;
  out.reserve(8 + payload.size());
  uint32_t n = uint32_t(payload.size());
  out.push_back(char(stream));
  out.append(3, '\0');
  out.push_back(char((n >> 24) & 0xff));
  out.push_back(char((n >> 16) & 0xff));
  out.push_back(char((n >> 8) & 0xff));
  out.push_back(char(n & 0xff));
  out.append(payload);
  return out;
}

Result<std::string> registryAuthCreds(const std::string& header) {
  if (header.empty()) return std::string();
  // base64url (podman, docker) or standard base64; padding optional.
  std::string b64 = header;
  for (auto& c : b64) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (b64.size() % 4) b64.push_back('=');
  auto raw = base64Decode(b64);
  if (!raw.ok()) return makeError(Code::kInvalidArgument, "failed to parse X-Registry-Auth header: {}", raw.error().message());
  auto j = parseJson(*raw, "X-Registry-Auth");
  if (!j.ok() || !j->is_object())
    return makeError(Code::kInvalidArgument, "failed to parse X-Registry-Auth header: not a JSON object");
  std::string user, pass;
  if (auto it = j->find("username"); it != j->end() && it->is_string()) user = it->get<std::string>();
  if (auto it = j->find("password"); it != j->end() && it->is_string()) pass = it->get<std::string>();
  if (user.empty() && pass.empty()) return std::string();
  return user + ":" + pass;
}

namespace {
// go-units HumanSize: decimal units, 3 significant digits ("1.23MB").
std::string humanSize(double n) {
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  int i = 0;
  while (n >= 1000 && i < 5) {
    n /= 1000;
    ++i;
  }
  return fmt::format("{:.3g}{}", n, kUnits[i]);
}
}  // namespace

std::string dockerProgressBar(int64_t current, int64_t total) {
  if (total <= 0) return humanSize(double(current));
  int width = 50;
  double pct = std::min(1.0, double(current) / double(total));
  int fill = int(std::floor(pct * width));
  std::string bar = "[" + std::string(fill, '=');
  if (fill < width) bar += ">" + std::string(width - fill - 1, ' ');
  bar += "] ";
  return bar + fmt::format("{:>8}/{}", humanSize(double(current)), humanSize(double(total)));
}

}  // namespace berth::api::server
