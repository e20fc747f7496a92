// Events: podman's event record, its JSON line and human forms, and filters.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace berth::events {

// podman's events.Event. Types: container, image, pod, volume, network,
// system, machine. Status: create, start, died, ... (libpod/events/config.go).
struct Event {
  std::string type;
  std::string status;
  std::string id;
  std::string name;
  std::string image;
  std::string network;
  std::string health_status;
  std::string pod_id;
  int container_exit_code = 0;
  int64_t time_ns = 0;                            // unix ns
  std::map<std::string, std::string> attributes;  // container labels, execID, ...
};

// One JSON line in podman's field order and omitempty rules, without the newline.
std::string toJson(const Event& e);
// Parses a line written by toJson (or by podman): kInvalidArgument naming the
// field for a wrong type; unknown fields are ignored.
Result<Event> fromJson(std::string_view line);
// podman's ToHumanReadable: "<time> container start <id> (image=..., name=...)".
std::string toHuman(const Event& e, bool truncate);
// Go's time.Time.String() in the local zone: "2006-01-02 15:04:05.999999999 -0700 MST".
std::string goLocalTime(int64_t ns);
// RFC 3339 with nanoseconds and the local offset, as Go marshals a time.Time.
std::string rfc3339Local(int64_t ns);

// `--filter` values (key=value; same keys OR, different keys AND) plus
// --since/--until. Keys: container, event (status), image, pod, volume,
// network, type, label. kInvalidArgument for a malformed or unknown filter.
class Filter {
 public:
  static Result<Filter> parse(const std::vector<std::string>& filters, std::string_view since,
                              std::string_view until);
  bool match(const Event& e) const;
  int64_t since() const { return since_; }
  int64_t until() const { return until_; }

 private:
  std::map<std::string, std::vector<std::string>> by_key_;
  int64_t since_ = 0, until_ = 0;
};

}  // namespace berth::events
