// Takes the kernel's cgroup attach lock in the background, shortly before an OCI runtime needs it.
//
// Moving a process into a cgroup (a write to cgroup.procs: runc and crun do it for every new
// container and every exec on cgroup v1, and runc on v2) takes the global
// cgroup_threadgroup_rwsem for writing. That per-CPU rwsem first waits for a whole RCU grace
// period (rcu_sync_enter -> synchronize_rcu) unless another writer held it within about the last
// grace period. A grace period is 10-20 ms on a small VM, which is as much as the runtime's own
// work for a container. Moving this process into the cgroup it is already in (writing "0" to
// its own cgroup.procs) changes nothing, but pays that wait on a thread of its own while the
// engine prepares the container, and repeating it every few milliseconds keeps the lock warm
// for the runtime's moves while containers are being started (a pod's infra after its network,
// then its members). Hosts mounted with `favordynmods` never wait; there this costs the writes.
#pragma once

namespace berth::sys {

// Keeps the lock warm for the next second (a background thread moves this process every 5 ms;
// each call extends the second). Never fails: a host without a cgroup v2 tree, or a process that
// may not write its cgroup.procs, simply gets no warming.
void warmCgroupAttach() noexcept;

}  // namespace berth::sys
