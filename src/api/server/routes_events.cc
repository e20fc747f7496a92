// GET /events (both trees): the event log as newline-delimited JSON, podman's
// compat.GetEvents, which serves the libpod route too.
#include <poll.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "api/server/call.h"
#include "api/server/routes.h"
#include "api/server/server.h"
#include "base/log.h"
#include "engine/engine.h"
#include "events/event.h"

namespace berth::api::server {

namespace {

// Sets `stop` once the client has gone (hung up on the socket, polled as
// Response::clientGone does, without touching the response from this thread) or the server
// is shutting down; joined on scope exit.
class GoneWatcher {
 public:
  GoneWatcher(Call& c, std::atomic<bool>& stop)
      : thread_([fd = c.res.fd(), &stopping = c.state().stopping, &stop](std::stop_token tok) {
          while (!tok.stop_requested()) {
            struct pollfd p = {fd, POLLRDHUP, 0};
            bool gone = ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
            if (gone || stopping.load()) {
              stop = true;
              return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
          }
        }) {}

 private:
  std::jthread thread_;
};

// podman's entities.Event: Docker's events.Message plus HealthStatus (ConvertToEntitiesEvent),
// with the compat tree's renames (image remove -> delete, died -> die with exitCode).
Json eventMessage(const events::Event& e, bool libpod) {
  std::map<std::string, std::string> attrs = e.attributes;
  attrs["image"] = e.image;
  attrs["name"] = e.name;
  attrs["containerExitCode"] = std::to_string(e.container_exit_code);
  attrs["podId"] = e.pod_id;
  if (!e.network.empty()) attrs["network"] = e.network;
  std::string action = e.status;
  if (!libpod && e.type == "image" && action == "remove") action = "delete";
  if (!libpod && action == "died") {
    action = "die";
    attrs["exitCode"] = attrs["containerExitCode"];
  }
  Json j = Json::object();
  if (!action.empty()) j["status"] = action;
  if (!e.id.empty()) j["id"] = e.id;
  if (!e.image.empty()) j["from"] = e.image;
  j["Type"] = e.type;
  j["Action"] = action;
  j["Actor"] = Json{{"ID", e.id}, {"Attributes", attrs}};
  j["scope"] = "local";
  j["time"] = e.time_ns / 1000000000;
  j["timeNano"] = e.time_ns;
  if (!e.health_status.empty()) j["HealthStatus"] = e.health_status;
  return j;
}

// Query: since, until (podman's time forms: unix seconds, RFC 3339, durations), filters,
// stream (default true; false replays what exists and ends).
Status getEvents(Call& c) {
  bool stream = TRY(c.boolean("stream", true));
  std::string since = c.str("since"), until = c.str("until");
  auto filters = TRY(c.filters());
  auto filter = events::Filter::parse(filters, since, until);
  if (!filter.ok()) return makeError(Code::kInvalidArgument, "failed to parse event filters: {}", filter.error().what());
  auto eng = TRY(c.engine());
  std::atomic<bool> stop{false};
  EventsRequest req;
  req.filter = &*filter;
  req.stream = stream;
  req.from_start = !since.empty() || !until.empty();
  req.stop = &stop;
  // podman answers 200 before reading: a streaming client sees the headers at once.
  TRY(c.res.startStream(200, "application/json"));
  GoneWatcher watch(c, stop);
  bool libpod = c.libpod();
  auto st = eng->system().events(req, [&](const events::Event& e) {
    return c.res.write(eventMessage(e, libpod).dump(-1, ' ', false, Json::error_handler_t::replace) + "\n") &&
           !stop.load();
  });
  if (!st.ok()) LOG_INFO("events: {}", st.error().what());
  return c.res.endStream();
}

}  // namespace

void registerEventRoutes(Router& r) { both(r, "GET", "/events", getEvents); }

}  // namespace berth::api::server
