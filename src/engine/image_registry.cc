// Registry transfers: pull (resolve, choose platform, stream each layer once into the
// store and the layer store, in parallel) and push (reuse blobs, upload the rest).
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>

#include <zstd.h>

#include "base/digest.h"
#include "base/fs.h"
#include "base/log.h"
#include "config/auth.h"
#include "config/host_env.h"
#include "config/policy.h"
#include "config/registries.h"
#include "engine/engine.h"
#include "engine/event_emit.h"
#include "engine/image_service.h"
#include "engine/registry_access.h"
#include "engine/store_lock.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "registry/registry_client.h"
#include "state/images.h"
#include "store/decompress.h"

namespace berth::engine {

namespace {

std::string hostArch() { return "amd64"; }

// Picks the manifest for the platform from an index.
Result<image::Descriptor> choosePlatform(const image::Index& idx, const api::ImagePullRequest& req,
                                         const std::string& what) {
  std::string os = req.os.empty() ? "linux" : req.os;
  std::string arch = req.arch.empty() ? hostArch() : req.arch;
  for (auto& m : idx.manifests) {
    if (!m.platform.is_object()) continue;
    if (m.platform.value("os", "") != os || m.platform.value("architecture", "") != arch) continue;
    if (!req.variant.empty() && m.platform.value("variant", "") != req.variant) continue;
    return m;
  }
  std::string have;
  for (auto& m : idx.manifests)
    if (m.platform.is_object())
      have += fmt::format(" {}/{}{}", m.platform.value("os", "?"), m.platform.value("architecture", "?"),
                          m.platform.contains("variant") ? "/" + m.platform.value("variant", "") : "");
  return makeError(Code::kNotFound, "{}: no image found in manifest list for architecture {:?}, variant {:?}, OS {:?} (available:{})",
                   what, arch, req.variant, os, have);
}

// clientOptions finds credentials by registry only; a login scoped to a namespace
// (berth login host/ns) applies to the repositories under it, most specific key first.
Result<registry::ClientOptions> repoClientOptions(const api::RegistryAccess& a, const std::string& reg,
                                                  const std::string& repo, bool insecure_by_conf) {
  auto o = TRY(clientOptions(a, reg, insecure_by_conf));
  if (a.creds.empty() && !repo.empty()) {
    auto env = config::HostEnv::current();
    auto auth = TRY(config::loadAuth(config::authFilePaths(env, a.authfile)));
    auto found = TRY(config::lookupCredentials(auth, reg + "/" + repo));
    if (found) o.creds = registry::Credentials{found->username, found->password, found->identity_token};
  }
  return o;
}

}  // namespace

Result<std::string> LocalImageService::pullOne(const std::string& full_ref, const api::ImagePullRequest& req) {
  auto env = config::HostEnv::current();
  auto conf = TRY(config::loadRegistriesConf(config::defaultConfPaths(env)));
  auto ref = TRY(image::parseNormalizedNamed(full_ref));
  auto policy_path = TRY(config::defaultPolicyPath(env));
  if (fs::exists(policy_path)) {
    auto policy = TRY(config::loadPolicy(policy_path));
    TRY(config::checkPolicy(policy, "docker", ref));
  }
  auto sources = TRY(config::pullSources(conf, ref));
  std::optional<Error> last;
  for (auto& src : sources) {
    auto sref = TRY(image::parseNormalizedNamed(src.reference));
    auto opts = TRY(repoClientOptions(req.access, src.registry, sref.path, src.insecure));
    registry::RegistryClient client(src.registry, opts);
    std::string tag_or_digest = !sref.digest.empty() ? sref.digest : (sref.tag.empty() ? "latest" : sref.tag);
    std::string what = sref.string();
    auto man = client.getManifest(sref.path, tag_or_digest);
    if (!man.ok()) {
      last = std::move(man).error().context(fmt::format("initializing source docker://{}", what));
      if (src.mirror) continue;
      break;
    }
    // An index: choose the platform and fetch that manifest.
    std::string index_digest;
    if (image::isIndexMediaType(man->media_type)) {
      index_digest = man->digest;
      auto idx = TRY(image::parseIndex(man->bytes, what));
      auto pick = TRY(choosePlatform(idx, req, what));
      man = client.getManifest(sref.path, pick.digest);
      if (!man.ok()) return std::move(man).error();
    }
    auto m = TRY(image::parseManifest(man->bytes, man->media_type));
    StoreLock lock = TRY(StoreLock::shared(e_.options().root));
    e_.content().setDeferSync(true);
    struct Restore {
      store::ContentStore& cs;
      ~Restore() { cs.setDeferSync(false); }
    } restore{e_.content()};
    auto emit = [&](api::TransferProgress p) {
      if (req.progress) req.progress(p);
    };
    // Config first: it names the layers' diff IDs.
    if (!e_.content().has(m.config.digest)) {
      auto r = TRY(client.openBlob(sref.path, m.config.digest, m.config.size));
      TRY_CTX(e_.content().write(r, m.config.digest, m.config.size), "copy config {}", m.config.digest);
    }
    std::string cfg_bytes = TRY(e_.content().readAll(m.config.digest));
    auto diff_ids = TRY(image::configDiffIds(cfg_bytes));
    if (diff_ids.size() != m.layers.size())
      return makeError(Code::kInvalidArgument, "{}: manifest has {} layers but the config {} diff IDs", what,
                       m.layers.size(), diff_ids.size());
    std::vector<std::string> chains;
    std::string parent;
    for (auto& d : diff_ids) {
      parent = store::chainId(parent, d);
      chains.push_back(parent);
    }
    // Layers in parallel: each is downloaded once, hashed, decompressed and
    // unpacked in one pass while the blob is teed into the content store.
    std::vector<std::optional<Error>> errors(m.layers.size());
    std::atomic<size_t> next{0};
    std::mutex progress_mu;
    auto worker = [&]() {
      registry::RegistryClient wc(src.registry, opts);
      for (;;) {
        size_t i = next++;
        if (i >= m.layers.size()) return;
        auto& l = m.layers[i];
        bool have_layer = e_.layers().exists(chains[i]);
        bool have_blob = e_.content().has(l.digest);
        if (have_layer && have_blob) {
          std::lock_guard g(progress_mu);
          emit({api::TransferProgress::kBlobSkipped, l.digest, 0, uint64_t(l.size), ""});
          continue;
        }
        auto run = [&]() -> Status {
          auto net = TRY(wc.openBlob(sref.path, l.digest, l.size, [&](uint64_t done) {
            std::lock_guard g(progress_mu);
            emit({api::TransferProgress::kBlob, l.digest, done, uint64_t(l.size), ""});
          }));
          auto writer = TRY(e_.content().beginWrite());
          store::Reader tee = [&](char* buf, size_t n) -> Result<size_t> {
            size_t r = TRY(net(buf, n));
            if (r) TRY(writer.write(buf, r));
            return r;
          };
          std::string parent_chain = i == 0 ? "" : chains[i - 1];
          if (have_layer) {
            // Only the blob is missing (kept for push): store it.
            char buf[65536];
            for (;;) {
              size_t r = TRY(tee(buf, sizeof buf));
              if (r == 0) break;
            }
          } else {
            auto unpacked = e_.layers().ensure(parent_chain, diff_ids[i], tee);
            if (!unpacked.ok()) {
              // A corrupted blob usually fails to decompress long before its digest is
              // checked at the end: read the rest so a digest (or size) mismatch, the real
              // cause, is what gets reported.
              char buf[65536];
              for (;;) {
                auto r = net(buf, sizeof buf);
                if (!r.ok()) {
                  if (r.error().code() == Code::kDataLoss) return std::move(r).error();
                  break;
                }
                if (*r == 0) break;
              }
              return std::move(unpacked).error().context(fmt::format("unpack layer {}", l.digest));
            }
            // Drain anything after the tar's end so the blob is whole.
            char buf[65536];
            for (;;) {
              size_t r = TRY(tee(buf, sizeof buf));
              if (r == 0) break;
            }
          }
          TRY(writer.commit(l.digest, l.size));
          return {};
        };
        Status s = run();
        if (!s.ok()) {
          errors[i] = std::move(s).error().context(fmt::format("copy blob {}", l.digest));
          continue;
        }
        std::lock_guard g(progress_mu);
        emit({api::TransferProgress::kBlobDone, l.digest, uint64_t(l.size), uint64_t(l.size), ""});
      }
    };
    size_t nthreads = std::min<size_t>(3, std::max<size_t>(1, m.layers.size()));
    std::vector<std::thread> threads;
    for (size_t t = 0; t < nthreads; ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
    for (auto& e : errors)
      if (e) return *e;
    emit({api::TransferProgress::kConfig, m.config.digest, 0, 0, ""});
    // The manifest as the registry served it, so its digest is the registry's.
    auto man_blob = TRY(e_.content().writeBytes(man->bytes));
    std::vector<state::LayerRecord> layers;
    for (auto& l : m.layers) layers.push_back(state::LayerRecord{l.digest, l.media_type, uint64_t(l.size), "", "", 0});
    std::vector<std::string> names;
    // Pulled by digest: no tag name, only a repo digest (as podman).
    image::Reference named = ref;
    if (named.digest.empty()) names.push_back(image::withDefaultTag(named).string());
    emit({api::TransferProgress::kManifest, man_blob.digest, 0, 0, ""});
    auto rec = TRY(commitImage(m.config.digest, man_blob.digest, m.media_type, std::move(layers), names));
    // Record the repo digests for name@digest lookups: the platform manifest's and, when
    // it came from an index, the index's too (as podman), so name@index-digest resolves.
    std::vector<std::string> rds = {ref.name() + "@" + man_blob.digest};
    if (!index_digest.empty()) rds.push_back(ref.name() + "@" + index_digest);
    TRY(e_.db().transaction([&]() -> Status {
      auto cur = TRY(state::getImage(e_.db(), rec.id));
      if (!cur) return {};
      bool changed = false;
      for (auto& rd : rds) {
        if (std::find(cur->repo_digests.begin(), cur->repo_digests.end(), rd) != cur->repo_digests.end()) continue;
        cur->repo_digests.push_back(rd);
        changed = true;
      }
      if (changed) TRY(state::putImage(e_.db(), *cur));
      return {};
    }));
    return rec.id;
  }
  if (last) return *last;
  return makeError(Code::kNotFound, "{}: no source to pull from", full_ref);
}

namespace {
// containers/image's local transports that pull and push accept besides registries.
constexpr std::string_view kLocalTransports[] = {"docker-archive:", "oci-archive:", "dir:", "oci:"};
std::string_view localTransport(std::string_view ref) {
  for (auto t : kLocalTransports)
    if (ref.rfind(t, 0) == 0) return t;
  return {};
}
}  // namespace

Result<api::ImagePullReport> LocalImageService::pull(const api::ImagePullRequest& req) {
  api::ImagePullReport rep;
  if (auto t = localTransport(req.reference); !t.empty()) {
    std::string path = req.reference.substr(t.size());
    if (t == "dir:" || t == "oci:")
      return makeError(Code::kUnimplemented, "pulling from {} is not supported yet", req.reference);
    // An archive: loaded as `load` does, reported as a pull.
    api::ImageLoadRequest lr;
    lr.input = path;
    lr.quiet = true;
    auto loaded = TRY(loadArchive(lr));
    auto emit = [&](api::TransferProgress::Kind k, const std::string& digest) {
      if (req.progress) req.progress({k, digest, 0, 0, ""});
    };
    for (auto& n : loaded.names) {
      rep.names.push_back(n);
      auto ri = resolve(n);
      rep.ids.push_back(ri.ok() ? ri->rec.id : n);
      // What was copied, in podman's words (blobs, config, manifest).
      if (ri.ok()) {
        for (auto& l : ri->rec.layers) emit(api::TransferProgress::kBlobDone, l.digest);
        emit(api::TransferProgress::kConfig, "sha256:" + ri->rec.id);
        emit(api::TransferProgress::kManifest, "");
      }
    }
  } else {
    rep = TRY(pullRegistry(req));
    if (rep.up_to_date) return rep;
  }
  emitImageEvent(e_, "pull", "", req.reference);
  return rep;
}

Result<api::ImagePullReport> LocalImageService::pullRegistry(const api::ImagePullRequest& req) {
  auto env = config::HostEnv::current();
  auto conf = TRY(config::loadRegistriesConf(config::defaultConfPaths(env)));
  if (req.reference.empty()) return makeError(Code::kInvalidArgument, "no image reference given");
  if (req.reference.find("://") != std::string::npos && req.reference.rfind("docker://", 0) != 0)
    return makeError(Code::kUnimplemented, "{}: only the docker:// transport is supported", req.reference);
  std::string input = req.reference.rfind("docker://", 0) == 0 ? req.reference.substr(9) : req.reference;
  TRY_CTX(image::parseNormalizedNamed(input), "parsing reference {:?}", input);
  auto res = TRY(config::resolveShortName(conf, input, req.have_tty));
  std::vector<image::Reference> candidates = res.candidates;
  if (!res.description.empty() && req.progress)
    req.progress({api::TransferProgress::kMessage, "", 0, 0, res.description});
  if (res.needs_prompt) {
    if (!req.choose) return makeError(Code::kInvalidArgument, "short-name resolution enforced but cannot prompt without a TTY");
    std::vector<std::string> names;
    for (auto& c : candidates) names.push_back(c.string());
    size_t pick = TRY(req.choose(names));
    candidates = {candidates.at(pick)};
  }
  api::ImagePullReport rep;
  std::vector<std::string> refs;
  if (req.all_tags) {
    auto base = candidates.at(0);
    if (!base.digest.empty() || (!base.tag.empty() && input.find(':') != std::string::npos && input.rfind(':') > input.rfind('/')))
      return makeError(Code::kInvalidArgument, "tag can't be used with --all-tags/-a");
    auto opts = TRY(repoClientOptions(req.access, base.domain, base.path, config::isInsecure(conf, base.domain)));
    registry::RegistryClient client(base.domain, opts);
    for (auto& t : TRY(client.listTags(base.path))) {
      image::Reference r = base;
      r.tag = t;
      r.digest.clear();
      refs.push_back(r.string());
    }
  } else {
    for (auto& c : candidates) refs.push_back(c.string());
  }
  if (req.if_newer && !req.all_tags) {
    for (auto& r : refs) {
      auto local = resolve(r);
      if (!local.ok()) continue;
      auto named = TRY(image::parseNormalizedNamed(r));
      std::string tag_or_digest = !named.digest.empty() ? named.digest : (named.tag.empty() ? "latest" : named.tag);
      auto opts = repoClientOptions(req.access, named.domain, named.path, config::isInsecure(conf, named.domain));
      Result<std::optional<std::string>> remote =
          opts.ok() ? registry::RegistryClient(named.domain, *opts).headManifest(named.path, tag_or_digest)
                    : Result<std::optional<std::string>>(std::move(opts).error());
      const auto& rds = local->rec.repo_digests;
      bool same = remote.ok() && *remote && std::find(rds.begin(), rds.end(), named.name() + "@" + **remote) != rds.end();
      if (!remote.ok()) LOG_WARN("checking if image {} is newer: {}", r, remote.error().what());
      if (same || !remote.ok()) {
        rep.ids.push_back(local->rec.id);
        rep.names.push_back(r);
        rep.up_to_date = true;
        return rep;
      }
      break;
    }
  }
  std::optional<Error> first;
  for (auto& r : refs) {
    if (req.progress && !req.all_tags) req.progress({api::TransferProgress::kStart, "", 0, 0, "Trying to pull " + r + "..."});
    auto id = pullOne(r, req);
    if (!id.ok()) {
      if (!first) first = std::move(id).error();
      if (req.all_tags) return *first;
      continue;  // next candidate
    }
    rep.ids.push_back(*id);
    rep.names.push_back(r);
    if (!req.all_tags) {
      if (res.needs_prompt) (void)config::recordShortNameAlias(conf.alias_file, res.short_name, image::parseNormalizedNamed(r)->name());
      break;
    }
  }
  if (rep.ids.empty()) return first ? *first : makeError(Code::kNotFound, "{}: image not known", req.reference);
  return rep;
}

// --- push -------------------------------------------------------------------------

namespace {

// Compresses a stored layer blob (decompressing it first if it is gzip or
// zstd) to `format` ("gzip" or "zstd"), handing the bytes to `out`.
// gzip at level 1 (store::gzipCompress) and zstd at level 3 (its default): layers are
// mostly binaries, where higher levels gain little for much CPU.
Status compressStream(store::ContentStore& cs, const std::string& digest, const std::string& format,
                      const std::function<Status(const char*, size_t)>& out) {
  UniqueFd in = TRY(cs.open(digest));
  store::Reader plain = TRY(store::decompressingReader(store::fdReader(in.get()), nullptr));
  std::vector<char> ibuf(1 << 20), obuf(1 << 20);
  if (format == "zstd") {
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    if (!cctx) return makeError(Code::kInternal, "ZSTD_createCCtx failed");
    struct Free {
      ZSTD_CCtx* c;
      ~Free() { ZSTD_freeCCtx(c); }
    } free_ctx{cctx};
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 3);
    for (bool eof = false; !eof;) {
      size_t n = TRY(plain(ibuf.data(), ibuf.size()));
      eof = n == 0;
      ZSTD_inBuffer ib{ibuf.data(), n, 0};
      for (;;) {
        ZSTD_outBuffer ob{obuf.data(), obuf.size(), 0};
        size_t left = ZSTD_compressStream2(cctx, &ob, &ib, eof ? ZSTD_e_end : ZSTD_e_continue);
        if (ZSTD_isError(left)) return makeError(Code::kInternal, "zstd compress {}: {}", digest, ZSTD_getErrorName(left));
        if (ob.pos) TRY(out(obuf.data(), ob.pos));
        if (eof ? left == 0 : ib.pos == ib.size) break;
      }
    }
    return {};
  }
  return store::gzipCompress(plain, out);
}

// A layer compressed on its way to the registry: the compressor writes into a pipe on a thread
// of its own while the upload reads the pipe, so neither waits for the other and nothing is
// written to disk. Returns the digest and size of what was sent.
Result<std::pair<std::string, uint64_t>> streamCompressed(store::ContentStore& cs, registry::RegistryClient& client,
                                                          const std::string& repo, const std::string& digest,
                                                          const std::string& format,
                                                          std::function<void(uint64_t)> progress) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return errnoError("pipe");
  UniqueFd rd(p[0]), wr(p[1]);
  Status produced;
  std::thread producer([&] {
    produced = compressStream(cs, digest, format,
                              [&](const char* b, size_t n) { return fs::writeAll(wr.get(), std::string_view(b, n)); });
    wr.reset();  // EOF for the upload
  });
  // The upload's EOF is the compressor's end: only then is it known whether the stream is whole.
  store::Reader from_pipe = [&](char* buf, size_t n) -> Result<size_t> {
    ssize_t r;
    do r = ::read(rd.get(), buf, n);
    while (r < 0 && errno == EINTR);
    if (r < 0) return errnoError("read the compressed layer {}", digest);
    if (r == 0) {
      if (producer.joinable()) producer.join();
      if (!produced.ok()) return produced.error();
    }
    return size_t(r);
  };
  auto sent = client.uploadBlobStream(repo, from_pipe, std::move(progress));
  rd.reset();  // a compressor still writing (the upload failed) gets EPIPE and stops
  if (producer.joinable()) producer.join();
  if (!sent.ok()) return sent;  // the cause; a compressor cut off by it only saw a broken pipe
  if (!produced.ok()) return std::move(produced).error().context(fmt::format("compress layer {}", digest));
  return sent;
}

// What a layer became when it was last compressed for a push (podman's blob-info cache): the
// compressed digest and size, in <root>/cache/blob-info/<format>/<uncompressed hex>. A later push
// asks the registry for that digest and sends nothing if it is there.
std::string blobInfoPath(const Engine& e, const std::string& format, const std::string& digest) {
  return e.options().root + "/cache/blob-info/" + format + "/" + std::string(digestHex(digest));
}

std::optional<std::pair<std::string, uint64_t>> cachedCompression(const Engine& e, const std::string& format,
                                                                  const std::string& digest) {
  auto text = fs::readFile(blobInfoPath(e, format, digest));
  if (!text.ok()) return std::nullopt;
  auto nl = text->find('\n');
  if (nl == std::string::npos) return std::nullopt;
  std::string d = text->substr(0, nl);
  char* end = nullptr;
  unsigned long long size = std::strtoull(text->c_str() + nl + 1, &end, 10);
  if (!validateDigest(d).ok() || end == text->c_str() + nl + 1) return std::nullopt;  // damaged: ignored
  return std::make_pair(d, uint64_t(size));
}

void rememberCompression(const Engine& e, const std::string& format, const std::string& digest,
                         const std::pair<std::string, uint64_t>& compressed) {
  std::string path = blobInfoPath(e, format, digest);
  Status st = fs::mkdirAll(path.substr(0, path.rfind('/')), 0700);
  if (st.ok()) st = fs::writeFileReplace(path, fmt::format("{}\n{}\n", compressed.first, compressed.second));
  if (!st.ok()) LOG_DEBUG("remember the compressed digest of {}: {}", digest, st.error().what());
}

// The layer's compression from its media type: "", "gzip" or "zstd".
std::string layerCompression(const std::string& media_type) {
  if (media_type.size() >= 4 && (media_type.ends_with("gzip"))) return "gzip";
  if (media_type.ends_with("zstd")) return "zstd";
  return "";
}

}  // namespace

Result<std::string> LocalImageService::push(const api::ImagePushRequest& req) {
  auto ri = TRY(resolve(req.source));
  std::string dest_given = req.destination.empty() ? req.source : req.destination;
  if (auto t = localTransport(req.destination); !t.empty()) {
    std::string path = req.destination.substr(t.size());
    api::ImageSaveRequest sr;
    sr.images = {req.source};
    sr.output = path;
    sr.format = t == "dir:" ? "docker-dir" : t == "oci:" ? "oci-dir" : t == "oci-archive:" ? "oci-archive" : "docker-archive";
    TRY(saveImages(sr));
    emitImageEvent(e_, "push", ri.rec.id, req.destination);
    return ri.rec.digest;
  }
  // podman takes "docker" for Docker's schema 2 too.
  auto normalized = req;
  if (normalized.format == "docker") normalized.format = "v2s2";
  auto digest = TRY(pushRegistry(normalized, ri));
  emitImageEvent(e_, "push", ri.rec.id, dest_given);
  return digest;
}

Result<std::string> LocalImageService::pushRegistry(const api::ImagePushRequest& req, const ResolvedImage& ri) {
  std::string dest_in = req.destination.empty() ? (ri.matched_name.empty() ? req.source : ri.matched_name) : req.destination;
  if (dest_in.rfind("docker://", 0) == 0) dest_in = dest_in.substr(9);
  auto dest = TRY_CTX(image::parseNormalizedNamed(dest_in), "push destination {:?}", dest_in);
  if (!dest.digest.empty()) return makeError(Code::kInvalidArgument, "push destination {:?} must not contain a digest", dest_in);
  dest = image::withDefaultTag(dest);
  auto env = config::HostEnv::current();
  auto conf = TRY(config::loadRegistriesConf(config::defaultConfPaths(env)));
  // Blocked and insecure are per reference, as for pull: the longest matching prefix decides.
  const config::Registry* dest_reg = config::findRegistry(conf, dest.name());
  if (dest_reg && dest_reg->blocked)
    return makeError(Code::kPermissionDenied, "registry {} is blocked in {}", dest_reg->prefix,
                     conf.sources_description.empty() ? std::string("registries.conf") : conf.sources_description);
  auto opts = TRY(repoClientOptions(req.access, dest.domain, dest.path, dest_reg && dest_reg->endpoint.insecure));
  registry::RegistryClient client(dest.domain, opts);
  auto emit = [&](api::TransferProgress p) {
    if (req.progress) req.progress(p);
  };
  std::string man_bytes = TRY(e_.content().readAll(ri.rec.digest));
  auto m = TRY(image::parseManifest(man_bytes, ri.rec.manifest_type));
  if (!req.format.empty() && req.format != "oci" && req.format != "v2s2")
    return makeError(Code::kInvalidArgument, "unsupported manifest format {:?}: want oci, v2s2 or docker", req.format);
  if (!req.compression_format.empty() && req.compression_format != "gzip" && req.compression_format != "zstd")
    return makeError(Code::kInvalidArgument, "unsupported compression format {:?}: want gzip or zstd", req.compression_format);
  // Docker schema2 has no zstd layer type: zstd implies an OCI manifest (as podman).
  if (req.compression_format == "zstd") {
    if (req.format == "v2s2")
      return makeError(Code::kInvalidArgument, "--compression-format zstd needs an OCI manifest, not --format v2s2");
    if (m.media_type != image::media::kOciManifest) m = TRY(image::toOciManifest(m));
  }
  bool rewrite = m.media_type != ri.rec.manifest_type;  // converted for zstd
  // Repositories on the destination registry that the image was pulled from.
  std::vector<std::string> mount_sources;
  for (auto& rd : ri.rec.repo_digests) {
    auto at = rd.find('@');
    auto r = image::parseNormalizedNamed(rd.substr(0, at));
    if (r.ok() && r->domain == dest.domain && r->path != dest.path) mount_sources.push_back(r->path);
  }
  std::mutex mu;
  // Layers in parallel: compress an uncompressed layer (podman pushes gzip by
  // default), then skip it if the registry has it, else upload it.
  std::vector<std::optional<Error>> errors(m.layers.size());
  std::atomic<size_t> next{0};
  auto worker = [&]() {
    registry::RegistryClient wc(dest.domain, opts);
    for (;;) {
      size_t i = next++;
      if (i >= m.layers.size()) return;
      image::Descriptor l;
      {
        std::lock_guard g(mu);
        l = m.layers[i];
      }
      auto run = [&]() -> Status {
        std::string have = layerCompression(l.media_type);
        std::string want = req.compression_format.empty() ? (have.empty() ? "gzip" : have) : req.compression_format;
        if (want != have) {
          // Compressed on the way: its digest is known once it is sent. The registry is asked
          // first only for what an earlier push of this layer produced (the blob-info cache).
          std::string plain_digest = l.digest;
          uint64_t plain_size = uint64_t(l.size);
          bool oci = m.media_type == image::media::kOciManifest;
          if (want == "zstd") l.media_type = image::media::kOciLayerZstd;
          else l.media_type = oci ? std::string(image::media::kOciLayerGzip) : std::string(image::media::kDockerLayerGzip);
          auto setLayer = [&](const std::pair<std::string, uint64_t>& c) {
            l.digest = c.first;
            l.size = int64_t(c.second);
            std::lock_guard g(mu);
            m.layers[i] = l;
            rewrite = true;
          };
          if (auto known = cachedCompression(e_, want, plain_digest); known && TRY(wc.blobExists(dest.path, known->first))) {
            setLayer(*known);
            std::lock_guard g(mu);
            emit({api::TransferProgress::kBlobSkipped, l.digest, 0, uint64_t(l.size), ""});
            return {};
          }
          auto sent = TRY_CTX(streamCompressed(e_.content(), wc, dest.path, plain_digest, want,
                                               [&](uint64_t done) {
                                                 std::lock_guard g(mu);
                                                 emit({api::TransferProgress::kBlob, plain_digest, done, plain_size, ""});
                                               }),
                              "push blob {}", plain_digest);
          rememberCompression(e_, want, plain_digest, sent);
          setLayer(sent);
          std::lock_guard g(mu);
          emit({api::TransferProgress::kBlobDone, l.digest, sent.second, sent.second, ""});
          return {};
        }
        if (TRY(wc.blobExists(dest.path, l.digest))) {
          std::lock_guard g(mu);
          emit({api::TransferProgress::kBlobSkipped, l.digest, 0, uint64_t(l.size), ""});
          return {};
        }
        // A repository of the same registry the image came from has the blob:
        // mount it across repositories instead of uploading it again.
        for (auto& rd : mount_sources) {
          if (!TRY(wc.mountBlob(dest.path, l.digest, rd))) continue;
          std::lock_guard g(mu);
          emit({api::TransferProgress::kBlobSkipped, l.digest, 0, uint64_t(l.size), ""});
          return {};
        }
        UniqueFd fd = TRY(e_.content().open(l.digest));
        TRY_CTX(wc.uploadBlob(dest.path, l.digest, uint64_t(l.size), store::fdReader(fd.get()),
                              [&](uint64_t done) {
                                std::lock_guard g(mu);
                                emit({api::TransferProgress::kBlob, l.digest, done, uint64_t(l.size), ""});
                              }),
                "push blob {}", l.digest);
        std::lock_guard g(mu);
        emit({api::TransferProgress::kBlobDone, l.digest, uint64_t(l.size), uint64_t(l.size), ""});
        return {};
      };
      Status st = run();
      if (!st.ok()) errors[i] = std::move(st).error();
    }
  };
  {
    std::vector<std::thread> threads;
    size_t n = std::min<size_t>(3, std::max<size_t>(1, m.layers.size()));
    for (size_t t = 0; t < n; ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
  }
  for (auto& e : errors)
    if (e) return *e;
  if (req.format == "oci" && m.media_type != image::media::kOciManifest) {
    m = TRY(image::toOciManifest(m));
    rewrite = true;
  } else if (req.format == "v2s2" && m.media_type != image::media::kDockerManifest) {
    m = TRY(image::toDockerManifest(m));
    rewrite = true;
  }
  // The config last, then the manifest that names everything.
  if (!TRY(client.blobExists(dest.path, m.config.digest))) {
    UniqueFd fd = TRY(e_.content().open(m.config.digest));
    TRY_CTX(client.uploadBlob(dest.path, m.config.digest, uint64_t(m.config.size), store::fdReader(fd.get())),
            "push config {}", m.config.digest);
  }
  emit({api::TransferProgress::kConfig, m.config.digest, 0, 0, ""});
  std::string out_bytes = rewrite ? image::serializeManifest(m) : man_bytes;
  std::string digest = sha256Digest(out_bytes);
  emit({api::TransferProgress::kManifest, digest, 0, 0, ""});
  TRY_CTX(client.putManifest(dest.path, dest.tag, out_bytes, m.media_type), "push manifest to {}", dest.string());
  if (!req.digestfile.empty()) TRY(fs::writeFileAtomic(req.digestfile, digest));
  return digest;
}

}  // namespace berth::engine
