// The attach socket protocol between berth-monitor and its clients (conmon's).
#pragma once

#include <cstddef>

namespace berth::runtime {

// The attach socket is AF_UNIX SOCK_SEQPACKET. Every packet the monitor
// sends is one stream-id byte followed by data; a packet a client sends is
// raw data for the container's stdin, and shutdown(SHUT_WR) (or close)
// ends that stdin unless the monitor runs with --leave-stdin-open.
inline constexpr char kAttachStdout = 2;
inline constexpr char kAttachStderr = 3;

// Largest stdin packet a client may send. SEQPACKET truncates a packet
// longer than the receiver's buffer, so the monitor receives into a buffer
// larger than this and treats a truncated packet as a broken client.
inline constexpr size_t kAttachMaxInPacket = 32 * 1024;
// The monitor's receive buffer (> kAttachMaxInPacket, see above).
inline constexpr size_t kAttachRecvBuffer = 64 * 1024;
// Largest packet the monitor sends (stream byte + data); clients receive
// into at least this much.
inline constexpr size_t kAttachMaxOutPacket = 1 + 8192;

}  // namespace berth::runtime
