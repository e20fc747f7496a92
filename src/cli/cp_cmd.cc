// cp: copy files between containers and the host (podman cp / container cp).
#include "cli/commands.h"
#include "cli/context.h"
#include "engine/copy_archives.h"

namespace berth::cli {

namespace {

std::unique_ptr<Command> cpCommand(const std::string& example) {
  struct O {
    bool overwrite = false, archive = true, extract = false, pause = true;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("cp [options] [CONTAINER:]SRC_PATH [CONTAINER:]DEST_PATH",
                                     "Copy files/folders between a container and the local filesystem");
  c->args(2, 2)
      .description(
          "Copy the contents of SRC_PATH to the DEST_PATH.\n\n  You can copy from the container's file system to "
          "the local machine or the reverse, from the local filesystem to the container. If \"-\" is specified "
          "for either the SRC_PATH or DEST_PATH, you can also stream a tar archive from STDIN or to STDOUT. The "
          "CONTAINER can be a running or stopped container. The SRC_PATH or DEST_PATH can be a file or a "
          "directory.")
      .example(example)
      .flag("overwrite", 0, &o->overwrite, "Allow to overwrite directories with non-directories and vice versa")
      .flag("archive", 'a', &o->archive, "Chown copied files to the primary uid/gid of the destination container.")
      .hiddenFlag("extract", &o->extract)
      .hiddenFlag("pause", &o->pause)
      .run([o](Context& ctx, const std::vector<std::string>& args) {
        auto eng = ctx.engine();
        if (!eng.ok()) return ctx.fail(eng.error());
        api::CopyRequest req;
        req.source = args[0];
        req.destination = args[1];
        req.archive = o->archive;
        req.overwrite = o->overwrite;
        // Remotely the host side is here and the service only sees archives, as with podman.
        auto s = ctx.remote() ? engine::copyThroughArchives((*eng)->containers(), req)
                              : (*eng)->containers().copy(req);
        if (!s.ok()) return ctx.fail(s.error());
        return 0;
      });
  return c;
}

}  // namespace

void addCopyCommands(Command& root) {
  root.add(cpCommand("podman cp [options] [CONTAINER:]SRC_PATH [CONTAINER:]DEST_PATH"));
  if (Command* ctr = root.find("container"))
    ctr->add(cpCommand("podman container cp [CONTAINER:]SRC_PATH [CONTAINER:]DEST_PATH"));
}

}  // namespace berth::cli
