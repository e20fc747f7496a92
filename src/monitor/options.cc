// Command-line parsing for berth-monitor.
#include "monitor/options.h"

#include <charconv>
#include <cstring>

namespace berth::monitor {

Result<LogDriver> parseLogDriver(std::string_view s) {
  if (s == "k8s-file") return LogDriver::kK8sFile;
  if (s == "json-file") return LogDriver::kJsonFile;
  if (s == "none") return LogDriver::kNone;
  if (s == "passthrough") return LogDriver::kPassthrough;
  return makeError(Code::kInvalidArgument, "unknown log driver {:?}", s);
}

static Result<int64_t> parseInt(std::string_view flag, std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0)
    return makeError(Code::kInvalidArgument, "{}: invalid number {:?}", flag, s);
  return v;
}

Status parseRestartPolicy(std::string_view s, Options& o) {
  std::string_view name = s.substr(0, s.find(':'));
  if (name == "no" || name.empty()) o.restart_policy = RestartPolicy::kNo;
  else if (name == "always") o.restart_policy = RestartPolicy::kAlways;
  else if (name == "on-failure") o.restart_policy = RestartPolicy::kOnFailure;
  else if (name == "unless-stopped") o.restart_policy = RestartPolicy::kUnlessStopped;
  else return makeError(Code::kInvalidArgument, "unknown restart policy {:?}", s);
  if (size_t c = s.find(':'); c != std::string_view::npos)
    o.restart_max = int(TRY(parseInt("--restart-policy", s.substr(c + 1))));
  return {};
}

Result<Options> parseOptions(int argc, const char* const* argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.substr(0, 2) != "--")
      return makeError(Code::kInvalidArgument, "unexpected argument {:?}", arg);
    std::string_view flag = arg;
    std::string_view inline_val;
    bool has_inline = false;
    if (size_t eq = arg.find('='); eq != std::string_view::npos) {
      flag = arg.substr(0, eq);
      inline_val = arg.substr(eq + 1);
      has_inline = true;
    }
    // Boolean flags.
    bool* b = flag == "--tty"                ? &o.tty
              : flag == "--stdin"            ? &o.stdin_open
              : flag == "--leave-stdin-open" ? &o.leave_stdin_open
              : flag == "--start"            ? &o.start
              : flag == "--exec"             ? &o.exec
              : flag == "--foreground"       ? &o.foreground
              : flag == "--restore-tcp-established" ? &o.restore_tcp_established
              : flag == "--restore-file-locks"      ? &o.restore_file_locks
                                             : nullptr;
    if (b) {
      *b = !has_inline || inline_val == "true";
      continue;
    }
    std::string_view val;
    if (has_inline) {
      val = inline_val;
    } else {
      if (i + 1 >= argc) return makeError(Code::kInvalidArgument, "{} needs a value", flag);
      val = argv[++i];
    }
    std::string v(val);
    if (flag == "--id") o.id = v;
    else if (flag == "--bundle") o.bundle = v;
    else if (flag == "--runtime") o.runtime = v;
    else if (flag == "--runtime-arg") o.runtime_args.push_back(v);
    else if (flag == "--runtime-log") o.runtime_log = v;
    else if (flag == "--exit-file") o.exit_file = v;
    else if (flag == "--log-path") o.log_path = v;
    else if (flag == "--log-driver") o.log_driver = TRY(parseLogDriver(val));
    else if (flag == "--log-max-size") o.log_max_size = TRY(parseInt(flag, val));
    else if (flag == "--socket-path") o.socket_path = v;
    else if (flag == "--ctl-path") o.ctl_path = v;
    else if (flag == "--pid-file") o.pid_file = v;
    else if (flag == "--monitor-pid-file") o.monitor_pid_file = v;
    else if (flag == "--restart-policy") TRY(parseRestartPolicy(val, o));
    else if (flag == "--restart-max") o.restart_max = int(TRY(parseInt(flag, val)));
    else if (flag == "--exit-command") o.exit_command = v;
    else if (flag == "--exit-command-arg") o.exit_command_args.push_back(v);
    else if (flag == "--sync-fd") o.sync_fd = int(TRY(parseInt(flag, val)));
    else if (flag == "--go-fd") o.go_fd = int(TRY(parseInt(flag, val)));
    else if (flag == "--exec-process-json") o.exec_process_json = v;
    else if (flag == "--preserve-fds") o.preserve_fds = int(TRY(parseInt(flag, val)));
    else if (flag == "--hold-fds") o.hold_fds = int(TRY(parseInt(flag, val)));
    else if (flag == "--timeout") o.timeout_s = TRY(parseInt(flag, val));
    else if (flag == "--hold-output-ms") o.hold_output_ms = TRY(parseInt(flag, val));
    else if (flag == "--restore") o.restore_path = v;
    else if (flag == "--health-interval-ms") {
      o.health_interval_ms = TRY(parseInt(flag, val));
      if (o.health_interval_ms <= 0) return makeError(Code::kInvalidArgument, "--health-interval-ms must be positive");
    }
    else return makeError(Code::kInvalidArgument, "unknown flag {}", flag);
  }
  auto need = [](const std::string& v, std::string_view flag) -> Status {
    if (v.empty()) return makeError(Code::kInvalidArgument, "{} is required", flag);
    return {};
  };
  TRY(need(o.id, "--id"));
  TRY(need(o.bundle, "--bundle"));
  TRY(need(o.runtime, "--runtime"));
  TRY(need(o.exit_file, "--exit-file"));
  TRY(need(o.pid_file, "--pid-file"));
  if (o.log_driver == LogDriver::kK8sFile || o.log_driver == LogDriver::kJsonFile)
    TRY(need(o.log_path, "--log-path"));
  if (o.exec) TRY(need(o.exec_process_json, "--exec-process-json"));
  if (o.runtime_log.empty()) o.runtime_log = o.bundle + "/oci-log";
  return o;
}

}  // namespace berth::monitor
