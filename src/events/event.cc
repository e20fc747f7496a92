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

namespace {

// A scanner for the lines toJson writes (and podman's, which have the same shape): one flat
// object of strings, integers, booleans and null, plus Attributes, an object of strings. It
// returns false on anything else (\u escapes, arrays, floats, malformed text), and fromJson
// then takes the checked general parser, which names what is wrong. Reading a log of 10,000
// events is dominated by this, so it avoids building a JSON tree.
class LineScanner {
 public:
  explicit LineScanner(std::string_view s) : s_(s) {}

  bool event(Event& e) {
    if (!take('{')) return false;
    std::string key, val;
    if (take('}')) return done();
    do {
      if (!string(key) || !take(':')) return false;
      ws();
      if (key == "Attributes") {
        if (!attributes(e.attributes)) return false;
        continue;
      }
      if (key == "ContainerExitCode") {
        if (!integer(e.container_exit_code)) return false;
        continue;
      }
      std::string* out = field(e, key);
      if (pos_ < s_.size() && s_[pos_] == '"') {
        if (!string(val)) return false;
        if (out) *out = std::move(val);
      } else if (out && !literal("null")) {
        return false;  // a known string field with another type: the checked parser says which
      } else if (!out && !scalar()) {
        return false;
      }
    } while (take(','));
    return take('}') && done();
  }

 private:
  std::string* field(Event& e, const std::string& key) {
    if (key == "ID") return &e.id;
    if (key == "Image") return &e.image;
    if (key == "Name") return &e.name;
    if (key == "network") return &e.network;
    if (key == "Status") return &e.status;
    if (key == "Type") return &e.type;
    if (key == "health_status") return &e.health_status;
    if (key == "PodID") return &e.pod_id;
    if (key == "Time") return &time_;
    return nullptr;
  }
  void ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r' || s_[pos_] == '\n')) ++pos_;
  }
  bool take(char c) {
    ws();
    if (pos_ >= s_.size() || s_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  bool done() {
    ws();
    return pos_ == s_.size();
  }
  bool literal(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }
  bool string(std::string& out) {
    ws();
    out.clear();
    if (pos_ >= s_.size() || s_[pos_] != '"') return false;
    ++pos_;
    for (;;) {
      size_t q = pos_;
      while (q < s_.size() && s_[q] != '"' && s_[q] != '\\' && static_cast<unsigned char>(s_[q]) >= 0x20) ++q;
      out.append(s_.substr(pos_, q - pos_));
      pos_ = q;
      if (pos_ >= s_.size() || static_cast<unsigned char>(s_[pos_]) < 0x20) return false;
      if (s_[pos_++] == '"') return true;
      if (pos_ >= s_.size()) return false;
      switch (s_[pos_++]) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        default: return false;  // \u escapes: the general parser decodes them
      }
    }
  }
  bool integer(int& out) {
    ws();
    size_t q = pos_;
    if (q < s_.size() && s_[q] == '-') ++q;
    size_t digits = q;
    while (q < s_.size() && s_[q] >= '0' && s_[q] <= '9') ++q;
    if (q == digits || q - digits > 9) return false;
    if (q < s_.size() && (s_[q] == '.' || s_[q] == 'e' || s_[q] == 'E')) return false;
    out = std::stoi(std::string(s_.substr(pos_, q - pos_)));
    pos_ = q;
    return true;
  }
  bool scalar() {
    int ignored;
    return literal("null") || literal("true") || literal("false") || integer(ignored) || [&] {
      std::string v;
      return string(v);
    }();
  }
  bool attributes(std::map<std::string, std::string>& out) {
    if (literal("null")) return true;
    if (!take('{')) return false;
    if (take('}')) return true;
    std::string k, v;
    do {
      if (!string(k) || !take(':') || !string(v)) return false;
      out[k] = v;
    } while (take(','));
    return take('}');
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string time_;

 public:
  const std::string& time() const { return time_; }
};

}  // namespace

Result<Event> fromJson(std::string_view line) {
  {
    Event e;
    LineScanner sc(line);
    if (sc.event(e)) {
      e.time_ns = TRY_CTX(parseRfc3339(sc.time()), "event field Time");
      return e;
    }
  }
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
