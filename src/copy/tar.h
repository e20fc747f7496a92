// Tar streams as tree sources and sinks (cp to/from "-", the archive API, export).
#pragma once

#include <memory>

#include "base/result.h"
#include "copy/tree.h"

namespace berth::copy {

// Writes members as a POSIX (pax) tar stream to `fd`, which it does not own;
// finish() writes the trailer. Owners, modes, times, xattrs, links and device
// numbers are kept.
std::unique_ptr<Sink> tarSink(int fd);

// Reads a tar stream (plain, gzip, bzip2, xz or zstd, by magic) from `fd`
// into `sink` and calls sink.finish(). Errors: kInvalidArgument
// "not a (compressed) tar archive" when the first member cannot be read
// (nothing has reached the sink then), kDataLoss for a corrupt stream later,
// or the sink's error.
Status readTar(int fd, Sink& sink);

}  // namespace berth::copy
