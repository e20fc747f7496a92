// Gzip (igzip or zlib inflate, multi-member) and zstd (ZSTD_decompressStream) Readers; gzip
// compression.
#include "store/decompress.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include "store/igzip.h"

namespace berth::store {

Compression detectCompression(std::string_view head) {
  auto starts = [&](std::string_view magic) { return head.substr(0, magic.size()) == magic; };
  if (starts(std::string_view("\x1f\x8b", 2))) return Compression::kGzip;
  if (starts(std::string_view("\x28\xb5\x2f\xfd", 4))) return Compression::kZstd;
  return Compression::kNone;
}

std::string_view compressionName(Compression c) {
  switch (c) {
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
    case Compression::kNone:
      break;
  }
  return "none";
}

namespace {

constexpr size_t kInBufSize = 128 * 1024;

// The compressed side: a Reader that hashes what it reads and first replays
// the bytes consumed by detection.
class Source {
 public:
  Source(Reader in, Sha256* hash) : in_(std::move(in)), hash_(hash) {}

  // Reads into buf, first from the replay prefix.
  Result<size_t> read(char* buf, size_t n) {
    if (pos_ < prefix_.size()) {
      size_t k = std::min(n, prefix_.size() - pos_);
      std::memcpy(buf, prefix_.data() + pos_, k);
      pos_ += k;
      return k;
    }
    if (eof_) return size_t(0);
    size_t r = TRY(in_(buf, n));
    if (r == 0) {
      eof_ = true;
    } else if (hash_) {
      hash_->update(buf, r);
    }
    return r;
  }

  // Stops feeding the hash (the caller hashes the same bytes elsewhere).
  void stopHashing() { hash_ = nullptr; }

  // Reads up to n bytes (fewer only at EOF) to detect the format; they are replayed.
  Result<std::string_view> peek(size_t n) {
    prefix_.resize(n);
    size_t got = 0;
    while (got < n && !eof_) {
      size_t r = TRY(in_(prefix_.data() + got, n - got));
      if (r == 0) eof_ = true;
      if (hash_) hash_->update(prefix_.data() + got, r);
      got += r;
    }
    prefix_.resize(got);
    return std::string_view(prefix_);
  }

 private:
  Reader in_;
  Sha256* hash_;
  std::string prefix_;
  size_t pos_ = 0;
  bool eof_ = false;
};

class Decoder {
 public:
  explicit Decoder(std::unique_ptr<Source> src) : src_(std::move(src)), in_(kInBufSize) {}
  virtual ~Decoder() = default;
  virtual Result<size_t> read(char* buf, size_t n) = 0;

 protected:
  // Refills in_ when empty; returns false at EOF of the compressed stream.
  Result<bool> fill() {
    if (in_pos_ < in_len_) return true;
    in_pos_ = in_len_ = 0;
    in_len_ = TRY(src_->read(in_.data(), in_.size()));
    return in_len_ > 0;
  }

  // After the last member/frame: zero padding up to EOF is accepted (bsdtar
  // pads its output to a 10240-byte block; gzip(1) ignores trailing zeros),
  // anything else is trailing garbage.
  Status skipZeroPadding(std::string_view format) {
    for (;;) {
      if (!TRY(fill())) return {};
      for (; in_pos_ < in_len_; ++in_pos_) {
        if (in_[in_pos_] != 0)
          return makeError(Code::kDataLoss, "trailing garbage after the {} stream", format);
      }
    }
  }

  std::unique_ptr<Source> src_;
  std::vector<char> in_;
  size_t in_pos_ = 0;
  size_t in_len_ = 0;
};

class PlainDecoder : public Decoder {
 public:
  using Decoder::Decoder;
  Result<size_t> read(char* buf, size_t n) override { return src_->read(buf, n); }
};

// A gzip stream: one or more members (pigz), then optional zero padding. Subclasses inflate
// one step of a member (zlib or igzip); the member bookkeeping is here.
class GzipMembersDecoder : public Decoder {
 public:
  using Decoder::Decoder;

  Result<size_t> read(char* buf, size_t n) override {
    if (done_ || n == 0) return size_t(0);
    for (;;) {
      if (member_ended_) {
        // Between members: EOF of the input ends the stream, anything else must be another member.
        if (!TRY(fill()) || in_[in_pos_] == 0) {
          TRY(skipZeroPadding("gzip"));
          done_ = true;
          return size_t(0);
        }
        TRY(resetMember());
        member_ended_ = false;
      }
      // An inflater may hold output (a long match) with its input consumed, so it is called
      // even at EOF; no progress at EOF means the member is truncated.
      bool eof = !TRY(fill());
      size_t produced = TRY(step(buf, std::min<size_t>(n, 1u << 30), member_ended_));
      if (produced > 0) return produced;
      if (eof && !member_ended_) return makeError(Code::kDataLoss, "gzip stream truncated");
    }
  }

 protected:
  // Inflates from in_[in_pos_, in_len_) into buf, advancing in_pos_; sets `ended` at the end of
  // the member (its trailer checked). Returns the bytes produced.
  virtual Result<size_t> step(char* buf, size_t n, bool& ended) = 0;
  virtual Status resetMember() = 0;

 private:
  bool member_ended_ = false;
  bool done_ = false;
};

class GzipDecoder : public GzipMembersDecoder {
 public:
  using GzipMembersDecoder::GzipMembersDecoder;
  ~GzipDecoder() override {
    if (init_) inflateEnd(&z_);
  }

  Status init() {
    std::memset(&z_, 0, sizeof z_);
    // 15 + 16: a gzip wrapper is required (not zlib, not raw deflate).
    if (inflateInit2(&z_, 15 + 16) != Z_OK)
      return makeError(Code::kInternal, "inflateInit2 failed");
    init_ = true;
    return {};
  }

 protected:
  Result<size_t> step(char* buf, size_t n, bool& ended) override {
    z_.next_in = reinterpret_cast<Bytef*>(in_.data() + in_pos_);
    z_.avail_in = uInt(in_len_ - in_pos_);
    z_.next_out = reinterpret_cast<Bytef*>(buf);
    z_.avail_out = uInt(n);
    int rc = inflate(&z_, Z_NO_FLUSH);
    in_pos_ = in_len_ - z_.avail_in;
    if (rc == Z_STREAM_END) ended = true;
    else if (rc != Z_OK && rc != Z_BUF_ERROR)
      return makeError(Code::kDataLoss, "corrupt gzip stream: {}", z_.msg ? z_.msg : "inflate error");
    return size_t(reinterpret_cast<char*>(z_.next_out) - buf);
  }

  Status resetMember() override {
    if (inflateReset(&z_) != Z_OK) return makeError(Code::kInternal, "inflateReset failed");
    return {};
  }

 private:
  z_stream z_;
  bool init_ = false;
};

// The same through ISA-L's inflate (store/igzip.h).
class IgzipDecoder : public GzipMembersDecoder {
 public:
  IgzipDecoder(std::unique_ptr<Source> src, const IgzipApi* api)
      : GzipMembersDecoder(std::move(src)), api_(api), st_(std::make_unique<inflate_state>()) {
    api_->inflate_init(st_.get());
    st_->crc_flag = ISAL_GZIP;  // the gzip header is parsed and the trailer's CRC and size checked
  }

 protected:
  Result<size_t> step(char* buf, size_t n, bool& ended) override {
    st_->next_in = reinterpret_cast<uint8_t*>(in_.data() + in_pos_);
    st_->avail_in = uint32_t(in_len_ - in_pos_);
    st_->next_out = reinterpret_cast<uint8_t*>(buf);
    st_->avail_out = uint32_t(n);
    int rc = api_->inflate(st_.get());
    // At a member's end ISA-L gives back the bytes it had read ahead: next_in is exact.
    in_pos_ = in_len_ - st_->avail_in;
    if (rc < 0) return makeError(Code::kDataLoss, "corrupt gzip stream: {}", inflateError(rc));
    if (st_->block_state == ISAL_BLOCK_FINISH) ended = true;
    return size_t(reinterpret_cast<char*>(st_->next_out) - buf);
  }

  Status resetMember() override {
    api_->inflate_reset(st_.get());
    st_->crc_flag = ISAL_GZIP;
    return {};
  }

 private:
  static const char* inflateError(int rc) {
    switch (rc) {
      case ISAL_INVALID_BLOCK: return "invalid block";
      case ISAL_INVALID_SYMBOL: return "invalid symbol";
      case ISAL_INVALID_LOOKBACK: return "invalid distance too far back";
      case ISAL_INVALID_WRAPPER: return "incorrect header check";
      case ISAL_UNSUPPORTED_METHOD: return "unknown compression method";
      case ISAL_INCORRECT_CHECKSUM: return "incorrect data check";
      default: return "inflate error";
    }
  }

  const IgzipApi* api_;
  std::unique_ptr<inflate_state> st_;  // ~40 kB: never on a stack
};

class ZstdDecoder : public Decoder {
 public:
  explicit ZstdDecoder(std::unique_ptr<Source> src) : Decoder(std::move(src)) {}
  ~ZstdDecoder() override { ZSTD_freeDStream(ds_); }

  Status init() {
    ds_ = ZSTD_createDStream();
    if (!ds_) return makeError(Code::kInternal, "ZSTD_createDStream failed");
    ZSTD_initDStream(ds_);
    return {};
  }

  Result<size_t> read(char* buf, size_t n) override {
    if (done_ || n == 0) return size_t(0);
    ZSTD_outBuffer out{buf, n, 0};
    for (;;) {
      // A frame may still hold buffered output with no input left, so decode
      // with whatever input there is before asking for more.
      if (!frame_open_ && !flushing_ && in_pos_ < in_len_ && in_[in_pos_] == 0) {
        TRY(skipZeroPadding("zstd"));
        done_ = true;
        return out.pos;
      }
      if (in_pos_ == in_len_ && !flushing_) {
        if (!TRY(fill())) {
          if (frame_open_) return makeError(Code::kDataLoss, "zstd stream truncated");
          done_ = true;
          return out.pos;
        }
      }
      ZSTD_inBuffer in{in_.data(), in_len_, in_pos_};
      size_t rc = ZSTD_decompressStream(ds_, &out, &in);
      in_pos_ = in.pos;
      if (ZSTD_isError(rc)) {
        return makeError(Code::kDataLoss, "corrupt zstd stream: {}", ZSTD_getErrorName(rc));
      }
      frame_open_ = rc != 0;
      // Output full: the decoder may hold more, call again without new input.
      flushing_ = out.pos == out.size;
      if (out.pos > 0) return out.pos;
    }
  }

 private:
  ZSTD_DStream* ds_ = nullptr;
  bool frame_open_ = false;
  bool flushing_ = false;
  bool done_ = false;
};

}  // namespace

Result<Reader> decompressingReader(Reader compressed, Sha256* compressed_hash,
                                   Compression* detected) {
  auto src = std::make_unique<Source>(std::move(compressed), compressed_hash);
  std::string_view head = TRY(src->peek(4));
  std::shared_ptr<Decoder> dec;
  Compression c = detectCompression(head);
  if (detected) *detected = c;
  switch (c) {
    case Compression::kGzip: {
      if (const IgzipApi* api = igzip()) {
        dec = std::make_shared<IgzipDecoder>(std::move(src), api);
        break;
      }
      auto g = std::make_shared<GzipDecoder>(std::move(src));
      TRY(g->init());
      dec = g;
      break;
    }
    case Compression::kZstd: {
      auto z = std::make_shared<ZstdDecoder>(std::move(src));
      TRY(z->init());
      dec = z;
      break;
    }
    case Compression::kNone:
      // Plain bytes are the decompressed bytes: a caller that asked which
      // compression it got hashes them once, on the decompressed side.
      if (detected) src->stopHashing();
      dec = std::make_shared<PlainDecoder>(std::move(src));
      break;
  }
  return Reader([dec](char* buf, size_t n) { return dec->read(buf, n); });
}

Status zstdCompress(const Reader& plain, const std::function<Status(const char*, size_t)>& out) {
  std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> cctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
  if (!cctx) return makeError(Code::kInternal, "zstd: cannot allocate a compression context");
  std::vector<char> ibuf(ZSTD_CStreamInSize()), obuf(ZSTD_CStreamOutSize());
  for (bool eof = false; !eof;) {
    size_t n = TRY(plain(ibuf.data(), ibuf.size()));
    eof = n == 0;
    ZSTD_EndDirective mode = eof ? ZSTD_e_end : ZSTD_e_continue;
    ZSTD_inBuffer in{ibuf.data(), n, 0};
    for (bool done = false; !done;) {
      ZSTD_outBuffer ob{obuf.data(), obuf.size(), 0};
      size_t left = ZSTD_compressStream2(cctx.get(), &ob, &in, mode);
      if (ZSTD_isError(left)) return makeError(Code::kInternal, "zstd: {}", ZSTD_getErrorName(left));
      if (ob.pos) TRY(out(obuf.data(), ob.pos));
      done = eof ? left == 0 : in.pos == in.size;
    }
  }
  return {};
}

Status gzipCompress(const Reader& plain, const std::function<Status(const char*, size_t)>& out) {
  std::vector<char> ibuf(1 << 20), obuf(1 << 20);
  if (const IgzipApi* api = igzip()) {
    auto zs = std::make_unique<isal_zstream>();  // ~150 kB of state: never on a stack
    std::vector<uint8_t> level_buf(ISAL_DEF_LVL1_DEFAULT);
    api->deflate_init(zs.get());
    zs->level = 1;
    zs->level_buf = level_buf.data();
    zs->level_buf_size = uint32_t(level_buf.size());
    zs->gzip_flag = IGZIP_GZIP;
    for (bool eof = false; !eof;) {
      size_t n = TRY(plain(ibuf.data(), ibuf.size()));
      eof = n == 0;
      zs->next_in = reinterpret_cast<uint8_t*>(ibuf.data());
      zs->avail_in = uint32_t(n);
      zs->end_of_stream = eof ? 1 : 0;
      zs->flush = NO_FLUSH;
      // Until the input is consumed and, at the end, until the trailer is written.
      for (int rounds = 0;; ++rounds) {
        zs->next_out = reinterpret_cast<uint8_t*>(obuf.data());
        zs->avail_out = uint32_t(obuf.size());
        if (int rc = api->deflate(zs.get()); rc != COMP_OK)
          return makeError(Code::kInternal, "igzip deflate failed ({})", rc);
        size_t have = obuf.size() - zs->avail_out;
        if (have) TRY(out(obuf.data(), have));
        bool finished = eof ? zs->internal_state.state == ZSTATE_END : zs->avail_in == 0;
        if (finished && zs->avail_out > 0) break;
        if (have == 0 && rounds > 64) return makeError(Code::kInternal, "igzip deflate made no progress");
      }
    }
    return {};
  }
  // zlib at level 1, as pgzip's fast setting.
  z_stream zs = {};
  if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return makeError(Code::kInternal, "deflateInit2 failed");
  struct End {
    z_stream* z;
    ~End() { deflateEnd(z); }
  } end_guard{&zs};
  for (bool eof = false; !eof;) {
    size_t n = TRY(plain(ibuf.data(), ibuf.size()));
    eof = n == 0;
    zs.next_in = reinterpret_cast<Bytef*>(ibuf.data());
    zs.avail_in = uInt(n);
    do {
      zs.next_out = reinterpret_cast<Bytef*>(obuf.data());
      zs.avail_out = uInt(obuf.size());
      deflate(&zs, eof ? Z_FINISH : Z_NO_FLUSH);
      size_t have = obuf.size() - zs.avail_out;
      if (have) TRY(out(obuf.data(), have));
    } while (zs.avail_out == 0);
  }
  return {};
}

}  // namespace berth::store
