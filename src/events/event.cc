// Event encoding (podman's JSON and human forms) and --filter/--since/--until matching.
#include "events/event.h"

#include <time.h>

#include "base/json.h"
#include "base/timefmt.h"

namespace berth::events {

namespace {

// Go's RFC3339Nano fraction: nanoseconds with trailing zeros trimmed, "" for 0.
std::string fraction(int64_t nsec) {
  if (nsec == 0) return "";
  std::string f = fmt::format(".{:09d}", nsec);
  while (f.back() == '0') f.pop_back();
  return f;
}

struct LocalParts {
  struct tm tm {};
  int64_t nsec = 0;
};

LocalParts local(int64_t ns) {
  LocalParts p;
  time_t sec = time_t(ns / 1000000000);
  p.nsec = ns % 1000000000;
  if (p.nsec < 0) {
    p.nsec += 1000000000;
    --sec;
  }
  ::localtime_r(&sec, &p.tm);
  return p;
}

std::string offset(long gmtoff, bool colon) {
  char sign = gmtoff < 0 ? '-' : '+';
  long a = gmtoff < 0 ? -gmtoff : gmtoff;
  return colon ? fmt::format("{}{:02d}:{:02d}", sign, a / 3600, (a / 60) % 60)
               : fmt::format("{}{:02d}{:02d}", sign, a / 3600, (a / 60) % 60);
}

// Go's time.ParseDuration for --until: a duration is that far in the future.
Result<int64_t> parseTime(std::string_view s, bool since) {
  if (auto d = parseGoDuration(s); d.ok() && !s.empty() && !std::isdigit(static_cast<unsigned char>(s.back())))
    return since ? nowNanos() - *d : nowNanos() + *d;
  auto t = parseTimestampArg(s);
  if (!t.ok()) {
    // "2006-01-02T15:04:05" without a zone is UTC, as Go parses it.
    auto z = parseRfc3339(std::string(s) + "Z");
    if (z.ok()) return z;
    return makeError(Code::kInvalidArgument, "unable to interpret time value");
  }
  return t;
}

}  // namespace

std::string rfc3339Local(int64_t ns) {
  auto p = local(ns);
  std::string zone = p.tm.tm_gmtoff == 0 ? "Z" : offset(p.tm.tm_gmtoff, true);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}{}", p.tm.tm_year + 1900, p.tm.tm_mon + 1,
                     p.tm.tm_mday, p.tm.tm_hour, p.tm.tm_min, p.tm.tm_sec, fraction(p.nsec), zone);
}

std::string goLocalTime(int64_t ns) {
  auto p = local(ns);
  return fmt::format("{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}{} {} {}", p.tm.tm_year + 1900, p.tm.tm_mon + 1,
                     p.tm.tm_mday, p.tm.tm_hour, p.tm.tm_min, p.tm.tm_sec, fraction(p.nsec),
                     offset(p.tm.tm_gmtoff, false), p.tm.tm_zone ? p.tm.tm_zone : "UTC");
}

std::string toJson(const Event& e) {
  Json j = Json::object();
  if (e.container_exit_code != 0) j["ContainerExitCode"] = e.container_exit_code;
  if (!e.id.empty()) j["ID"] = e.id;
  if (!e.image.empty()) j["Image"] = e.image;
  if (!e.name.empty()) j["Name"] = e.name;
  if (!e.network.empty()) j["network"] = e.network;
  j["Status"] = e.status;
  j["Time"] = rfc3339Local(e.time_ns);
  j["Type"] = e.type;
  if (!e.health_status.empty()) j["health_status"] = e.health_status;
  if (!e.pod_id.empty()) j["PodID"] = e.pod_id;
  if (e.attributes.empty()) {
    j["Attributes"] = nullptr;
  } else {
    Json a = Json::object();
    for (auto& [k, v] : e.attributes) a[k] = v;
    j["Attributes"] = a;
  }
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<Event> fromJson(std::string_view line) {
  Json j = TRY(parseJson(line, "event"));
  if (!j.is_object()) return makeError(Code::kInvalidArgument, "event: not a JSON object");
  Event e;
  auto str = [&](const char* key, std::string& out) -> Status {
    if (!j.contains(key) || j[key].is_null()) return {};
    if (!j[key].is_string()) return makeError(Code::kInvalidArgument, "event field {}: want a string", key);
    out = j[key].get<std::string>();
    return {};
  };
  TRY(str("ID", e.id));
  TRY(str("Image", e.image));
  TRY(str("Name", e.name));
  TRY(str("network", e.network));
  TRY(str("Status", e.status));
  TRY(str("Type", e.type));
  TRY(str("health_status", e.health_status));
  TRY(str("PodID", e.pod_id));
  if (j.contains("ContainerExitCode")) {
    if (!j["ContainerExitCode"].is_number_integer())
      return makeError(Code::kInvalidArgument, "event field ContainerExitCode: want an integer");
    e.container_exit_code = j["ContainerExitCode"].get<int>();
  }
  std::string t;
  TRY(str("Time", t));
  e.time_ns = TRY_CTX(parseRfc3339(t), "event field Time");
  if (j.contains("Attributes") && !j["Attributes"].is_null()) {
    if (!j["Attributes"].is_object()) return makeError(Code::kInvalidArgument, "event field Attributes: want an object");
    for (auto& [k, v] : j["Attributes"].items()) {
      if (!v.is_string()) return makeError(Code::kInvalidArgument, "event attribute {}: want a string", k);
      e.attributes[k] = v.get<std::string>();
    }
  }
  return e;
}

std::string toHuman(const Event& e, bool truncate) {
  std::string id = truncate && e.id.size() > 12 ? e.id.substr(0, 12) : e.id;
  std::string t = goLocalTime(e.time_ns);
  if (e.type == "container" || e.type == "pod") {
    std::string s = fmt::format("{} {} {} {} (image={}, name={}", t, e.type, e.status, id, e.image, e.name);
    if (!e.pod_id.empty()) s += ", pod_id=" + e.pod_id;
    if (!e.health_status.empty()) s += ", health_status=" + e.health_status;
    for (auto& [k, v] : e.attributes) s += ", " + k + "=" + v;
    return s + ")";
  }
  if (e.type == "network") return fmt::format("{} {} {} {} (container={}, name={})", t, e.type, e.status, id, id, e.network);
  if (e.type == "image") return fmt::format("{} {} {} {} {}", t, e.type, e.status, id, e.name);
  if (e.type == "system")
    return e.name.empty() ? fmt::format("{} {} {}", t, e.type, e.status)
                          : fmt::format("{} {} {} {}", t, e.type, e.status, e.name);
  return fmt::format("{} {} {} {}", t, e.type, e.status, e.name);
}

Result<Filter> Filter::parse(const std::vector<std::string>& filters, std::string_view since, std::string_view until) {
  Filter f;
  static const char* kKeys[] = {"container", "event", "status", "image", "pod", "volume", "network", "type", "label"};
  for (auto& s : filters) {
    auto eq = s.find('=');
    if (eq == std::string::npos) return makeError(Code::kInvalidArgument, "{} is an invalid filter", s);
    std::string key = s.substr(0, eq);
    for (auto& c : key) c = char(std::tolower(static_cast<unsigned char>(c)));
    bool known = false;
    for (auto* k : kKeys) known |= key == k;
    if (!known) return makeError(Code::kInvalidArgument, "{} is an invalid filter", s.substr(0, eq));
    if (key == "status") key = "event";
    std::string val = s.substr(eq + 1);
    if (key == "event" && val == "die") val = "died";  // Docker's name for it
    f.by_key_[key].push_back(val);
  }
  if (!since.empty())
    f.since_ = TRY_CTX(parseTime(since, true), "unable to convert since time of {}", since);
  if (!until.empty())
    f.until_ = TRY_CTX(parseTime(until, false), "unable to convert until time of {}", until);
  return f;
}

bool Filter::match(const Event& e) const {
  if (since_ && e.time_ns <= since_) return false;
  if (until_ && e.time_ns >= until_) return false;
  for (auto& [key, vals] : by_key_) {
    bool any = false;
    for (auto& v : vals) {
      if (key == "container" || key == "image" || key == "pod") {
        any |= e.type == key && (e.name == v || e.id.rfind(v, 0) == 0);
      } else if (key == "volume") {
        any |= e.type == "volume" && (e.name == v || e.id.rfind(v, 0) == 0);
      } else if (key == "network") {
        any |= e.type == "network" && (e.network == v || e.id.rfind(v, 0) == 0);
      } else if (key == "event") {
        any |= e.status == v;
      } else if (key == "type") {
        any |= e.type == v;
      } else if (key == "label") {
        auto eq = v.find('=');
        if (eq == std::string::npos) continue;
        auto it = e.attributes.find(v.substr(0, eq));
        any |= it != e.attributes.end() && it->second == v.substr(eq + 1);
      }
      if (any) break;
    }
    if (!any) return false;
  }
  return true;
}

}  // namespace berth::events
