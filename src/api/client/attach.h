// The client end of a hijacked attach or exec connection: stdin to the service (with
// detach keys), the service's output to the caller's streams (raw for a tty, 8-byte
// multiplexed frames otherwise), terminal raw mode, window-size changes and signal
// forwarding.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "api/client/http.h"
#include "base/result.h"
#include "berth/api/containers.h"

namespace berth::api::client {

// podman's term.ToBytes: "ctrl-p,ctrl-q" -> "\x10\x11". kInvalidArgument for an unknown key.
Result<std::string> detachKeyBytes(std::string_view spec);

struct PumpHooks {
  // Called with the terminal's size when it changes (tty with a terminal on stdin).
  std::function<void(int height, int width)> resize;
  // Called with a signal the user sent to this process (signal forwarding).
  std::function<void(int sig)> signal;
};

// Runs until the service ends the stream (returns 0) or the detach keys are typed
// (returns -1). Output errors (the reader of our stdout went away) end it as a detach.
// kDataLoss for a broken frame stream; a frame on stream 3 is the service's error.
Result<int> pumpAttach(HijackedConn conn, const AttachStreams& s, bool tty, const PumpHooks& hooks);

// The terminal size of `fd`, if it is a terminal.
bool terminalSize(int fd, int& height, int& width);

}  // namespace berth::api::client
