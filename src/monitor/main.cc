// berth-monitor: one per container or exec session (our conmon).
//
// Contract with the engine (flags take "--name value" or "--name=value"):
//   required  --id ID --bundle DIR --runtime PATH --exit-file PATH --pid-file PATH
//             --log-path PATH (k8s-file, json-file)
//   optional  --runtime-arg ARG... (global runtime args; always pass --root DIR)
//             --runtime-log PATH (runtime --log, JSON; default <bundle>/oci-log)
//             --log-driver k8s-file|json-file|none|passthrough  --log-max-size BYTES
//             --socket-path PATH (attach, SOCK_SEQPACKET, < 108 bytes; runtime/attach_protocol.h)
//             --ctl-path PATH (fifo: "1 ROWS COLS\n" resize, "2\n" or "2 0 0\n" reopen log)
//             --monitor-pid-file PATH  --sync-fd N  --go-fd N  --tty  --stdin  --leave-stdin-open
//             --restart-policy no|always|on-failure[:N]|unless-stopped  --restart-max N
//             --exit-command PATH [--exit-command-arg A]...  --start
//             --exec --exec-process-json PATH  --foreground (no daemonizing; debugging)
//             --preserve-fds N (fds 3..3+N-1 go to the first create, runtime --preserve-fds)
//             --timeout SECONDS (SIGKILL the container that long after it started;
//             its exit code is then -1 and it is not restarted)
// Sync fd: exactly one line, then closed: {"pid":N} once `create` (and with
// --start, `start`; with --exec, `exec --detach`) succeeded, else
// {"error":"<runtime's message>","code":<runtime exit code>} and the monitor exits 1.
// Exit file: {"exit_code":N,"exited_at":NS,"oom_killed":false,"restarts":K},
// written atomically after every exit of the container (128+sig for signals).
// "<exit-file>.stopping", created by the engine before it kills, vetoes a restart.
// passthrough: the container gets the monitor's own stdio; the monitor still
// detaches but keeps that stdio instead of /dev/null, so it is only useful
// when the caller's stdio should outlive it (or with --foreground).
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

#include <cstdio>

#include "base/json.h"
#include "monitor/monitor.h"
#include "monitor/options.h"

namespace {

// A monitor lives as long as its container but, once the container runs, executes only its event
// loop. Its code and constants (read-only, never written: dropping a page just unmaps it; the
// page cache keeps it for every other monitor) are mapped page by page as they are used, and
// what the start-up used is unmapped right before the loop's first blocking wait (see
// idleWait in monitor.cc), so the resident set is what the loop then uses. (MADV_RANDOM asks
// for no fault-around, which maps 15 neighbours with every page; kernels since 6.x do it
// regardless, hence the care in idleWait.)
// The read-only segments of the executable: its PT_LOAD segments without write permission
// (the ELF header, .text, .rodata and .eh_frame). RELRO is left alone: written at start-up.
int readOnlySegment(struct dl_phdr_info* info, size_t, void*) {
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD || (ph.p_flags & PF_W)) continue;
    auto start = uintptr_t(info->dlpi_addr + ph.p_vaddr) & ~uintptr_t(4095);
    auto end = (uintptr_t(info->dlpi_addr + ph.p_vaddr + ph.p_memsz) + 4095) & ~uintptr_t(4095);
    if (end <= start) continue;
    (void)::madvise(reinterpret_cast<void*>(start), end - start, MADV_RANDOM);
    berth::monitor::addStartupRange(start, end - start);
  }
  return 1;  // the first object is the executable itself
}

}  // namespace

int main(int argc, char** argv) {
  using namespace berth::monitor;
  (void)::dl_iterate_phdr(readOnlySegment, nullptr);
  auto opts = parseOptions(argc, argv);
  if (!opts.ok()) {
    std::string msg = opts.error().what();
    fprintf(stderr, "berth-monitor: %s\n", msg.c_str());
    return 2;
  }
  // The sync pipe must not leak into the runtime or the container.
  if (opts->sync_fd >= 0) ::fcntl(opts->sync_fd, F_SETFD, FD_CLOEXEC);
  for (int fd = 3; fd < 3 + opts->preserve_fds; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  if (opts->sync_fd >= 0)
    for (int fd = opts->sync_fd + 1; fd <= opts->sync_fd + opts->hold_fds; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  if (opts->go_fd >= 0) ::fcntl(opts->go_fd, F_SETFD, FD_CLOEXEC);
  if (!opts->foreground) {
    if (auto st = daemonize(*opts); !st.ok()) {
      std::string msg = st.error().what();
      fprintf(stderr, "berth-monitor: %s\n", msg.c_str());
      return 1;
    }
  }
  return runMonitor(*opts);
}
