// berth-monitor's command line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace berth::monitor {

enum class LogDriver { kK8sFile, kJsonFile, kNone, kPassthrough };
enum class RestartPolicy { kNo, kAlways, kOnFailure, kUnlessStopped };

struct Options {
  std::string id;
  std::string bundle;
  std::string runtime;                    // absolute path of crun/runc
  std::vector<std::string> runtime_args;  // global args, e.g. --root DIR
  std::string runtime_log;                // --log for the runtime; default <bundle>/oci-log
  std::string exit_file;
  std::string log_path;
  LogDriver log_driver = LogDriver::kK8sFile;
  int64_t log_max_size = 0;  // 0: unlimited
  std::string socket_path;   // attach socket; empty: no attach
  std::string ctl_path;      // ctl fifo; empty: none
  std::string pid_file;      // the container's pid, written by the runtime
  std::string monitor_pid_file;
  bool tty = false;
  bool stdin_open = false;        // --stdin
  bool leave_stdin_open = false;  // --leave-stdin-open
  RestartPolicy restart_policy = RestartPolicy::kNo;
  int restart_max = 0;  // on-failure: 0 = unlimited
  std::string exit_command;
  std::vector<std::string> exit_command_args;
  int sync_fd = -1;
  // --go-fd N: the engine spawned the monitor before the bundle was ready. The monitor gets
  // ready for the runtime, then reads fd N: the byte '1' is the go; EOF (or anything else)
  // cancels: the monitor exits 0 at once, having written no file and reported nothing.
  int go_fd = -1;
  bool start = false;
  bool exec = false;
  std::string exec_process_json;
  bool foreground = false;  // --foreground: do not daemonize (debugging, passthrough)
  // --preserve-fds N: fds 3..3+N-1 are handed to the runtime's first create.
  int preserve_fds = 0;
  // --hold-fds N: fds sync_fd+1 .. sync_fd+N are held open for the monitor's life and given
  // to no child (the published ports' sockets, which reserve the host ports).
  int hold_fds = 0;
  // --timeout SECONDS: the container is killed that long after its first start; 0 = never.
  int64_t timeout_s = 0;
  // --health-interval-ms N: while the container runs, the exit command is run with
  // --healthcheck first, N ms after the container started and then N ms after each check
  // ended (one check at a time). 0: no schedule.
  int64_t health_interval_ms = 0;
  // --hold-output-ms N (with --start, for an attached run): the container's output is left
  // unread until the first attach client connects, or N ms have passed, so the client that
  // started the container sees all of it. 0: output is read from the start.
  int64_t hold_output_ms = 0;
  // --restore DIR: the first run is the runtime's `restore --detach` of the CRIU images in
  // DIR (CRIU's restore.log goes to the bundle) instead of a new `run`; restarts run anew.
  std::string restore_path;
  bool restore_tcp_established = false;  // --restore-tcp-established
  bool restore_file_locks = false;       // --restore-file-locks
};

// Parses argv[1..]. Flags take their value as the next argument or after
// '='. kInvalidArgument names the bad flag; missing required flags too.
Result<Options> parseOptions(int argc, const char* const* argv);

Result<LogDriver> parseLogDriver(std::string_view s);
// "no", "always", "on-failure", "on-failure:N", "unless-stopped".
Status parseRestartPolicy(std::string_view s, Options& o);

}  // namespace berth::monitor
