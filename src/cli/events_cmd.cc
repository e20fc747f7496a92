// events: berth's event log, filtered and formatted as podman prints it.
#include <atomic>
#include <csignal>

#include "base/fs.h"
#include "cli/commands.h"
#include "cli/container_cmds.h"
#include "cli/format/report.h"
#include "cli/format/template.h"
#include "cli/output.h"
#include "events/event.h"

namespace berth::cli {

namespace {

// The event as a template sees it: podman's Event struct field names.
Json templateData(const events::Event& e) {
  Json attrs = Json::object();
  for (auto& [k, v] : e.attributes) attrs[k] = v;
  return Json{{"ID", e.id},
              {"Image", e.image},
              {"Name", e.name},
              {"Network", e.network},
              {"Status", e.status},
              {"Time", events::goLocalTime(e.time_ns)},
              {"TimeNano", e.time_ns},
              {"Type", e.type},
              {"HealthStatus", e.health_status},
              {"ContainerExitCode", e.container_exit_code},
              {"PodID", e.pod_id},
              {"Attributes", attrs},
              {"Details", Json{{"ID", e.id}, {"PodID", e.pod_id}, {"Attributes", attrs}}}};
}

std::unique_ptr<Command> eventsCommand() {
  struct O {
    std::vector<std::string> filters;
    std::string format, since, until;
    bool stream = true, no_trunc = true;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("events [options]", "Show podman events");
  Command* cp = c.get();
  c->args(0, 0)
      .description("Monitor podman events.\n\n  By default, streaming mode is used, printing new events as they "
                   "occur.  Previous events can be listed via --since and --until.")
      .example("podman events\n  podman events --filter event=create\n  podman events --format {{.Image}}\n"
               "  podman events --since 1h30s")
      .flag("filter", 'f', &o->filters, "filter output")
      .flag("format", 0, &o->format, "format the output using a Go template")
      .hiddenFlag("stream", &o->stream)
      .flag("since", 0, &o->since, "show all events created since timestamp")
      .flag("no-trunc", 0, &o->no_trunc, "do not truncate the output")
      .flag("until", 0, &o->until, "show all events until timestamp")
      .run(orFail([o, cp](Context& ctx, const std::vector<std::string>&) -> Result<int> {
        auto* eng = TRY(ctx.engine());
        auto filter = TRY_CTX(events::Filter::parse(o->filters, o->since, o->until), "failed to parse event filters");
        bool json = false;
        std::optional<format::Template> tmpl;
        if (cp->changed("format")) {
          json = isJsonFormat(o->format);
          if (!json) {
            // As renderRows: the escapes (\n, \t) replaced first, the text as given if that
            // breaks a quoted string ({{"\n"}}).
            auto t = format::Template::parse(format::normalizeFormat(o->format));
            if (!t.ok()) t = format::Template::parse(o->format.ends_with('\n') ? o->format : o->format + "\n");
            tmpl = TRY(std::move(t));
          }
        }
        api::EventsRequest req;
        req.filter = &filter;
        req.stream = o->stream;
        req.from_start = !o->since.empty() || !o->until.empty();
        // Batch output when replaying; write each event at once when following.
        std::string buf;
        Status out_err;
        auto flush = [&] {
          if (!buf.empty()) out_err = fs::writeAll(1, buf);
          buf.clear();
        };
        auto opts = format::podmanExecOptions();
        opts.map_fields.insert("Attributes");
        Status st = eng->system().events(req, [&](const events::Event& e) {
          if (json) {
            buf += events::toJson(e);
            buf += '\n';
          } else if (tmpl) {
            auto s = tmpl->execute(templateData(e), opts);
            if (!s.ok()) {
              out_err = std::move(s).error();
              return false;
            }
            buf += *s;
          } else {
            buf += events::toHuman(e, !o->no_trunc);
            buf += '\n';
          }
          if (o->stream || buf.size() > (64 << 10)) flush();
          return out_err.ok();
        });
        flush();
        TRY(std::move(st));
        TRY(std::move(out_err));
        return 0;
      }));
  return c;
}

}  // namespace

void addEventsCommands(Command& root) {
  root.add(eventsCommand());
}

}  // namespace berth::cli
