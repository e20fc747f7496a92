// stats: a live (or one-shot) table of container resource use, as podman prints it.
#include <chrono>
#include <cmath>
#include <thread>

#include "cli/commands.h"
#include "cli/container_cmds.h"
#include "cli/output.h"

namespace berth::cli {

namespace {

// go-units CustomSize("%.4g%s"): HumanSize (decimal) and BytesSize (binary).
std::string goSize(double size, double base, bool binary) {
  static const char* kDec[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  static const char* kBin[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
  int i = 0;
  while (size >= base && i < 8) {
    size /= base;
    ++i;
  }
  return fmt::format("{:.4g}{}", size, binary ? kBin[i] : kDec[i]);
}

// Go's time.Duration.String().
std::string goDuration(uint64_t ns) {
  if (ns == 0) return "0s";
  auto frac = [](uint64_t v, int digits) {
    std::string s = fmt::format("{:0{}d}", v, digits);
    while (!s.empty() && s.back() == '0') s.pop_back();
    return s.empty() ? std::string() : "." + s;
  };
  if (ns < 1000) return fmt::format("{}ns", ns);
  if (ns < 1000000) return fmt::format("{}{}µs", ns / 1000, frac(ns % 1000, 3));
  if (ns < 1000000000) return fmt::format("{}{}ms", ns / 1000000, frac(ns % 1000000, 6));
  uint64_t secs = ns / 1000000000;
  std::string s = fmt::format("{}{}s", secs % 60, frac(ns % 1000000000, 9));
  uint64_t mins = secs / 60;
  if (mins == 0) return s;
  s = fmt::format("{}m", mins % 60) + s;
  if (mins / 60 == 0) return s;
  return fmt::format("{}h", mins / 60) + s;
}

std::string percent(double f) {
  if (std::isnan(f) || std::isinf(f)) return "--";
  return fmt::format("{:.2f}%", f);
}

Json row(const api::ContainerStats& s, bool no_trunc) {
  std::string id = no_trunc ? s.id : s.id.substr(0, 12);
  return Json{{"ID", id},
              {"ContainerID", s.id},
              {"Name", s.name},
              {"CPUPerc", percent(s.cpu)},
              {"AVGCPU", percent(s.avg_cpu)},
              {"CPU", s.cpu},
              {"AvgCPU", s.avg_cpu},
              {"CPUNano", s.cpu_nano},
              {"CPUSystemNano", s.cpu_system_nano},
              {"SystemNano", s.system_nano},
              {"PerCPU", s.per_cpu},
              {"MemUsage", goSize(double(s.mem_usage), 1000, false) + " / " + goSize(double(s.mem_limit), 1000, false)},
              {"MemUsageBytes",
               goSize(double(s.mem_usage), 1024, true) + " / " + goSize(double(s.mem_limit), 1024, true)},
              {"MemLimit", s.mem_limit},
              {"MemPerc", percent(s.mem_perc)},
              {"NetIO", goSize(double(s.net_input), 1000, false) + " / " + goSize(double(s.net_output), 1000, false)},
              {"NetInput", s.net_input},
              {"NetOutput", s.net_output},
              {"BlockIO",
               goSize(double(s.block_input), 1000, false) + " / " + goSize(double(s.block_output), 1000, false)},
              {"BlockInput", s.block_input},
              {"BlockOutput", s.block_output},
              {"PIDS", std::to_string(s.pids)},
              {"PIDs", s.pids},
              {"UpTime", goDuration(s.up_time)},
              {"Up", goDuration(s.up_time)},
              {"Duration", s.up_time}};
}

std::unique_ptr<Command> statsCommand() {
  struct O {
    bool all = false, no_trunc = false, no_reset = false, no_stream = false, latest = false;
    std::string format;
    int interval = 5;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("stats [options] [CONTAINER...]",
                                     "Display a live stream of container resource usage statistics");
  Command* cp = c.get();
  c->description("Display percentage of CPU, memory, network I/O, block I/O and PIDs for one or more containers.")
      .example("podman stats --all --no-stream\n  podman stats ctrID\n  podman stats --no-stream --format "
               "\"table {{.ID}} {{.Name}} {{.MemUsage}}\" ctrID")
      .flag("all", 'a', &o->all, "Show all containers. Only running containers are shown by default. The default is false")
      .flag("format", 0, &o->format, "Pretty-print container statistics to JSON or using a Go template")
      .flag("no-trunc", 0, &o->no_trunc, "Do not truncate output")
      .flag("no-reset", 0, &o->no_reset, "Disable resetting the screen between intervals")
      .flag("no-stream", 0, &o->no_stream, "Disable streaming stats and only pull the first result, default setting is false")
      .flag("interval", 'i', &o->interval, "Time in seconds between stats reports")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .run(orFail([o, cp](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        int given = int(o->all) + int(o->latest) + int(!args.empty());
        if (given > 1) return makeError(Code::kInvalidArgument, "--all, --latest and containers cannot be used together");
        if (o->interval < 1) return makeError(Code::kInvalidArgument, "invalid interval, must be a positive number greater zero");
        auto svc = TRY(containerService(ctx));
        api::StatsRequest req;
        req.names = args;
        req.latest = o->latest;
        std::map<std::string, api::ContainerStats> previous;
        const std::map<std::string, std::string> headers = {
            {"ID", "ID"},           {"UpTime", "CPU TIME"},   {"CPUPerc", "CPU %"},      {"AVGCPU", "Avg CPU %"},
            {"MemUsage", "MEM USAGE / LIMIT"}, {"MemUsageBytes", "MEM USAGE / LIMIT"}, {"MemPerc", "MEM %"},
            {"NetIO", "NET IO"},    {"BlockIO", "BLOCK IO"},  {"PIDS", "PIDS"}};
        const std::string table =
            "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDS}}"
            "\t{{.UpTime}}\t{{.AVGCPU}}";
        for (;;) {
          auto sample = TRY(svc->stats(req, previous));
          // podman clears the screen through goterm, which writes nothing when stdout is no terminal.
          if (!o->no_reset && ctx.stdoutIsTerminal()) ctx.out("\033[2J\033[1;1H");
          if (isJsonFormat(o->format)) {
            Json arr = Json::array();
            for (auto& s : sample) {
              Json r = row(s, o->no_trunc);
              arr.push_back(Json{{"id", r["ID"]},          {"name", s.name},           {"cpu_time", r["UpTime"]},
                                 {"cpu_percent", r["CPUPerc"]}, {"avg_cpu", r["AVGCPU"]}, {"mem_usage", r["MemUsage"]},
                                 {"mem_percent", r["MemPerc"]}, {"net_io", r["NetIO"]},  {"block_io", r["BlockIO"]},
                                 {"pids", r["PIDS"]}});
            }
            ctx.out(Context::jsonIndent(arr, 1) + "\n");
          } else {
            std::vector<Json> rows;
            for (auto& s : sample) rows.push_back(row(s, o->no_trunc));
            std::string f = cp->changed("format") ? o->format : table;
            if (printRows(ctx, f, table, rows, headers, false) != 0) return 125;
          }
          if (o->no_stream) return 0;
          std::this_thread::sleep_for(std::chrono::seconds(o->interval));
        }
      }));
  return c;
}

}  // namespace

void addStatsCommands(Command& root) {
  root.add(statsCommand());
  if (Command* ctr = root.find("container")) ctr->add(statsCommand());
}

}  // namespace berth::cli
