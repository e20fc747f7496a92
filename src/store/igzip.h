// ISA-L's igzip (Debian's libisal2), loaded on first use: gzip deflate and inflate several
// times faster than zlib on the same core (its deflate level 1 is ~1 GB/s here against zlib's
// ~100 MB/s), which is what bounds a push of uncompressed layers and the decompression of a
// pull. Loading it lazily keeps it off every other command's start; a host without the library
// (or BERTH_IGZIP=0 in the environment) uses zlib, with the same results.
#pragma once

#include <isa-l/igzip_lib.h>

namespace berth::store {

struct IgzipApi {
  void (*deflate_init)(struct isal_zstream*);
  int (*deflate)(struct isal_zstream*);
  void (*inflate_init)(struct inflate_state*);
  void (*inflate_reset)(struct inflate_state*);
  int (*inflate)(struct inflate_state*);
};

// The entry points, or nullptr when igzip is not to be used.
const IgzipApi* igzip();

// Tests: force the zlib paths (false) or back to the default (true).
void setIgzipEnabledForTesting(bool enabled);

}  // namespace berth::store
