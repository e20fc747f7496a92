// Context: global options, the lazily opened engine, output and error reporting.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "berth/api/services.h"
#include "berth/bindings/connection.h"
#include "cli/command.h"
#include "cli/exit_codes.h"
#include "engine/engine.h"

namespace berth::cli {

class Context {
 public:
  Context();
  ~Context();

  // Global flags (podman's persistent flags).
  std::vector<Flag>& globals() { return globals_; }
  Status applyGlobals();
  // --log-level / --debug, as podman's root does before any command: on a bad value prints
  // podman's message (no "Error: " prefix) and returns 1; -1 when all is well. Logs
  // "<prog> filtering at log level <l>" (info) and "Called <cmd>.PersistentPreRunE(<argv>)"
  // (debug) as podman does.
  int applyLogLevel(const std::string& prog, const std::string& command_name);
  // --remote, --url or --connection was given.
  bool remoteRequested() const { return remote_ || !url_.empty() || !connection_.empty(); }

  // The services the command runs against (opened on first use): the local engine, or
  // in remote mode (--remote, --url, --connection, CONTAINER_HOST, CONTAINER_CONNECTION,
  // or a program name ending in "-remote") the service the destination names.
  Result<api::Services*> engine();
  // The local engine itself, for commands only it can serve; kUnimplemented in remote mode.
  Result<engine::Engine*> localEngine();
  // The remote service's connection (remote mode only; connects and pings on first use).
  Result<bindings::Connection*> connection();

  // Remote mode, as decided by applyGlobals.
  bool remote() const { return remote_mode_; }
  // The destination's URI in remote mode.
  const std::string& remoteUri() const { return remote_uri_; }
  // Called with argv[0]: a name ending in "-remote" (berth-remote) always runs remote.
  void setProgramName(const std::string& argv0);

  void out(std::string_view s);
  void err(std::string_view s);
  // Prints "Error: <msg>" and returns the exit code for the error (cli/exit_codes.h).
  int fail(const Error& e, Phase phase = Phase::kCommand);
  bool stdoutIsTerminal() const;
  bool stdinIsTerminal() const;
  std::string version() const;

  // podman's JSON output: indented, HTML-safe escaping off.
  static std::string jsonIndent(const Json& j, int indent);

  // The rows of the last table printed, kept here rather than freed after printing: the
  // process ends right after (main never destroys its Context), and freeing a thousand
  // rows of ps cost a tenth of its run. A later table (a --watch loop) frees the one before.
  Json& holdRows(std::vector<Json> rows) { return held_rows_ = Json(std::move(rows)); }
  // What must happen at exit although the Context is never destroyed: the database is
  // closed (its WAL checkpointed and removed, or every later command would replay it).
  void finish() {
    if (engine_) engine_->closeDatabase();
  }

  engine::Options opts;
  std::string log_level = "warn";
  bool version_requested = false;
  // The command is the API service: a long-lived process (engine::Options::one_shot off).
  bool serving = false;
  // The command being run, as typed ("berth image ls"), set before it runs.
  std::string command_path;

 private:
  std::vector<Flag> globals_;
  Status resolveRemote();
  Json held_rows_;

  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<api::Services> local_;  // engine_'s services
  std::unique_ptr<bindings::Connection> conn_;
  bool remote_mode_ = false, forced_remote_ = false, connect_failed_ = false;
  std::string remote_uri_, remote_identity_, host_;
  std::string syslog_, cgroup_manager_, conmon_, volumepath_, hooks_dir_;
  std::string url_, connection_, identity_, namespace_;
  std::vector<std::string> storage_opts_;
  bool remote_ = false, noout_ = false, syslog_flag_ = false, debug_ = false;
};

}  // namespace berth::cli
