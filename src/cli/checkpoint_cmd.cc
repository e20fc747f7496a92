// container checkpoint / container restore (CRIU through the OCI runtime).
#include <chrono>

#include "cli/container_cmds.h"
#include "network/ports.h"

namespace berth::cli {

namespace {

// --print-stats: podman's statistics document instead of the names (errors still reported).
int reportStats(Context& ctx, const std::vector<api::NameResult>& results, const char* total_key,
                std::chrono::steady_clock::time_point began) {
  int rc = 0;
  Json stats = Json::array();
  for (auto& r : results) {
    if (r.error) rc = ctx.fail(*r.error);
    else if (r.report) stats.push_back(*r.report);
  }
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - began).count();
  ctx.out(Json{{total_key, us}, {"container_statistics", stats}}.dump(4) + "\n");
  return rc;
}

}  // namespace

std::unique_ptr<Command> checkpointCommand() {
  auto sel = std::make_shared<Selection>();
  auto o = std::make_shared<api::CheckpointRequest>();
  auto c = std::make_unique<Command>("checkpoint [options] CONTAINER [CONTAINER...]",
                                     "Checkpoint one or more containers");
  Command* self = c.get();
  c->description("Checkpoints one or more running containers. The container name or ID can be used.");
  sel->addFlags(*c, "Checkpoint all running containers", false, false);
  c->flag("keep", 'k', &o->keep, "Keep all temporary checkpoint files")
      .flag("leave-running", 'R', &o->leave_running, "Leave the container running after writing checkpoint to disk")
      .flag("tcp-established", 0, &o->tcp_established, "Checkpoint a container with established TCP connections")
      .flag("file-locks", 0, &o->file_locks, "Checkpoint a container with file locks")
      .flag("export", 'e', &o->export_path, "Export the checkpoint image to a tar.gz")
      .flag("ignore-rootfs", 0, &o->ignore_rootfs, "Do not include root file-system changes when exporting")
      .flag("ignore-volumes", 0, &o->ignore_volumes, "Do not export volumes associated with container")
      .flag("compress", 'c', &o->compression,
            "Select compression algorithm (gzip, none, zstd) for checkpoint archive.")
      .flag("print-stats", 0, &o->print_stats, "Display checkpoint statistics");
  c->run(orFail([sel, o, self](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
    auto began = std::chrono::steady_clock::now();
    // podman's checks, in its words.
    if (o->export_path.empty() && o->ignore_rootfs)
      return makeError(Code::kInvalidArgument, "--ignore-rootfs can only be used with --export");
    if (o->export_path.empty() && o->ignore_volumes)
      return makeError(Code::kInvalidArgument, "--ignore-volumes can only be used with --export");
    if (o->compression != "none" && o->compression != "gzip" && o->compression != "zstd")
      return makeError(Code::kInvalidArgument, "selected compression algorithm ({:?}) not supported. Please select one from: gzip, none, zstd",
                       o->compression);
    auto [svc, names] = TRY(sel->resolve(ctx, *self, args));
    api::CheckpointRequest req = *o;
    req.names = names;
    req.all = sel->all;
    auto res = TRY(svc->checkpoint(req));
    if (req.print_stats) return reportStats(ctx, res, "podman_checkpoint_duration", began);
    return reportNames(ctx, res, sel->printIds());
  }));
  return c;
}

std::unique_ptr<Command> restoreCommand() {
  auto sel = std::make_shared<Selection>();
  auto o = std::make_shared<api::RestoreRequest>();
  auto publish = std::make_shared<std::vector<std::string>>();
  auto c = std::make_unique<Command>("restore [options] CONTAINER [CONTAINER...]",
                                     "Restores one or more containers from a checkpoint");
  Command* self = c.get();
  c->description("Restores a container from a checkpoint. The container name or ID can be used.");
  sel->addFlags(*c, "Restore all checkpointed containers", false, false);
  c->flag("keep", 'k', &o->keep, "Keep all temporary checkpoint files")
      .flag("tcp-established", 0, &o->tcp_established, "Restore a container with established TCP connections")
      .flag("file-locks", 0, &o->file_locks, "Restore a container with file locks")
      .flag("import", 'i', &o->import_path, "Restore from exported checkpoint archive (tar.gz)")
      .flag("name", 'n', &o->name, "Specify new name for container restored from exported checkpoint (only works with --import)")
      .flag("ignore-rootfs", 0, &o->ignore_rootfs, "Do not apply root file-system changes when importing from exported checkpoint")
      .flag("ignore-volumes", 0, &o->ignore_volumes, "Do not export volumes associated with container")
      .flag("ignore-static-ip", 0, &o->ignore_static_ip, "Ignore IP address set via --static-ip")
      .flag("ignore-static-mac", 0, &o->ignore_static_mac, "Ignore MAC address set via --mac-address")
      .sliceFlag("publish", 'p', publish.get(), "Publish a container's port, or a range of ports, to the host (default [])")
      .flag("print-stats", 0, &o->print_stats, "Display restore statistics");
  c->run(orFail([sel, o, publish, self](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
    auto began = std::chrono::steady_clock::now();
    if (o->import_path.empty()) {
      if (!o->name.empty()) return makeError(Code::kInvalidArgument, "--name can only be used with --import");
      if (o->ignore_rootfs) return makeError(Code::kInvalidArgument, "--ignore-rootfs can only be used with --import");
      if (o->ignore_volumes) return makeError(Code::kInvalidArgument, "--ignore-volumes can only be used with --import");
    } else if (!args.empty() || sel->all || sel->latest) {
      return makeError(Code::kInvalidArgument, "--import can not be used with containers, --all or --latest");
    }
    api::RestoreRequest req = *o;
    if (self->changed("publish")) {
      if (o->import_path.empty()) return makeError(Code::kInvalidArgument, "--publish can only be used with --import");
      req.publish.emplace();
      for (auto& p : *publish) {
        auto m = TRY(network::parsePublish(p));
        req.publish->push_back(api::PortMapping{m.host_ip, m.container_port, m.host_port, m.range, m.protocol});
      }
    }
    std::vector<api::NameResult> res;
    bool ids = true;
    if (!o->import_path.empty()) {
      auto svc = TRY(containerService(ctx));
      res = TRY(svc->restore(req));
    } else {
      auto [svc, names] = TRY(sel->resolve(ctx, *self, args));
      req.names = names;
      req.all = sel->all;
      res = TRY(svc->restore(req));
      ids = sel->printIds();
    }
    if (req.print_stats) return reportStats(ctx, res, "podman_restore_duration", began);
    return reportNames(ctx, res, ids);
  }));
  return c;
}

}  // namespace berth::cli
