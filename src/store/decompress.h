// Streaming decompression of layer blobs (gzip, zstd or plain), chosen by magic number.
#pragma once

#include <functional>
#include <string_view>

#include "base/digest.h"
#include "base/result.h"
#include "store/content_store.h"

namespace berth::store {

enum class Compression { kNone, kGzip, kZstd };

// Classifies a stream by its first bytes: 1f 8b is gzip, 28 b5 2f fd is zstd,
// anything else (including fewer than two bytes) is plain.
Compression detectCompression(std::string_view head);
std::string_view compressionName(Compression c);

// Wraps `compressed` in a Reader yielding the decompressed bytes. It reads the
// first bytes to detect the compression, so it may fail with `compressed`'s error.
// Every byte read from `compressed` is fed to `compressed_hash` when non-null
// (the hasher must outlive the returned Reader). The returned Reader reports
// EOF only once `compressed` reported EOF, so a drained Reader has hashed the
// whole blob. Gzip may have several members (pigz); zstd several frames.
// Errors: kDataLoss for a corrupt or truncated stream, trailing garbage after a
// gzip member included; kInternal if a decoder cannot be allocated.
// When `detected` is non-null it receives the compression found; for kNone the
// compressed hash is then not fed (it equals the decompressed stream's).
Result<Reader> decompressingReader(Reader compressed, Sha256* compressed_hash,
                                   Compression* detected = nullptr);

// Writes `plain` to `out` as one gzip member, compressed for speed (level 1, as pgzip's fast
// setting: layers are mostly binaries, where higher levels gain little for much CPU), with
// igzip where it can be loaded, else zlib.
Status gzipCompress(const Reader& plain, const std::function<Status(const char*, size_t)>& out);
// Writes `plain` to `out` as one zstd frame (the default level).
Status zstdCompress(const Reader& plain, const std::function<Status(const char*, size_t)>& out);

}  // namespace berth::store
