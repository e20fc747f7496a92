// Engine: opens a root's state and stores, chooses the storage driver.
#include "engine/engine.h"

#include <sys/utsname.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/log.h"
#include "engine/container_service.h"
#include "engine/image_service.h"
#include "engine/network_service.h"
#include "engine/kube_service.h"
#include "engine/pod_service.h"
#include "engine/system_service.h"
#include "engine/secret_service.h"
#include "engine/volume_service.h"

namespace berth::engine {

namespace {

bool overlaySupported() {
  auto fsys = fs::readFile("/proc/filesystems");
  return fsys.ok() && fsys->find("\toverlay\n") != std::string::npos;
}

// The driver is fixed per root at first use and recorded in <root>/driver.
Result<std::string> chooseDriver(const Options& o) {
  std::string recorded_path = o.root + "/driver";
  std::string recorded;
  if (auto r = fs::readFile(recorded_path); r.ok()) {
    recorded = *r;
    while (!recorded.empty() && (recorded.back() == '\n' || recorded.back() == ' ')) recorded.pop_back();
  }
  std::string want = o.storage_driver;
  if (!want.empty() && want != "overlay" && want != "vfs")
    return makeError(Code::kInvalidArgument, "unsupported storage driver {:?}: want overlay or vfs", want);
  if (!recorded.empty()) {
    if (!want.empty() && want != recorded)
      return makeError(Code::kFailedPrecondition,
                       "database storage graph driver {:?} does not match our storage graph driver {:?}: "
                       "use --storage-driver {} or a different --root",
                       recorded, want, recorded);
    return recorded;
  }
  if (want.empty()) want = overlaySupported() ? "overlay" : "vfs";
  TRY(fs::writeFileAtomic(recorded_path, want + "\n"));
  return want;
}

}  // namespace

Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::open(const Options& opts) {
  std::unique_ptr<Engine> e(new Engine());
  e->opts_ = opts;
  if (e->opts_.tmpdir.empty()) e->opts_.tmpdir = opts.runroot + "/tmp";
  TRY_CTX(fs::mkdirAll(opts.root, 0700), "create root");
  TRY_CTX(fs::mkdirAll(opts.runroot, 0700), "create runroot");
  e->driver_ = TRY(chooseDriver(e->opts_));
  LOG_TRACE("storage driver {:?}, graph root {:?}, run root {:?}", e->driver_, opts.root, opts.runroot);
  e->db_ = TRY(state::Db::open(opts.root + "/berth.db"));
  LOG_TRACE("opened state database {:?}", opts.root + "/berth.db");
  e->content_ = std::make_unique<store::ContentStore>(opts.root);
  auto driver = e->driver_ == "overlay" ? store::Driver::kOverlay : store::Driver::kVfs;
  std::string layer_root = opts.root + "/" + e->driver_;
  TRY(fs::mkdirAll(layer_root, 0700));
  e->layers_ = std::make_unique<store::LayerStore>(layer_root, driver);
  events::LogConfig ec;
  ec.backend = e->opts_.events_backend;
  ec.path = e->opts_.events_logfile_path.empty() ? e->opts_.tmpdir + "/events/events.log"
                                                 : e->opts_.events_logfile_path;
  e->opts_.events_logfile_path = ec.path;
  ec.max_size = e->opts_.events_logfile_max_size;
  e->events_ = std::make_unique<events::Log>(ec);
  return e;
}

api::ImageService& Engine::images() {
  if (!images_) images_ = std::make_unique<LocalImageService>(*this);
  return *images_;
}

api::ContainerService& Engine::containers() {
  if (!containers_) containers_ = std::make_unique<LocalContainerService>(*this);
  return *containers_;
}

api::NetworkService& Engine::networks() {
  if (!networks_) networks_ = std::make_unique<LocalNetworkService>(*this);
  return *networks_;
}

api::PodService& Engine::pods() {
  if (!pods_) pods_ = std::make_unique<LocalPodService>(*this);
  return *pods_;
}

api::KubeService& Engine::kube() {
  if (!kube_) kube_ = std::make_unique<LocalKubeService>(*this);
  return *kube_;
}

api::VolumeService& Engine::volumes() {
  if (!volumes_) volumes_ = std::make_unique<LocalVolumeService>(*this);
  return *volumes_;
}

api::SecretService& Engine::secrets() {
  if (!secrets_) secrets_ = std::make_unique<LocalSecretService>(*this);
  return *secrets_;
}

network::Store& Engine::networkStore() {
  if (!network_store_) {
    network::StoreOptions o;
    o.config_dir = opts_.network_config_dir.empty() ? opts_.root + "/networks" : opts_.network_config_dir;
    o.run_dir = opts_.runroot + "/networks";
    o.log_level = opts_.log_level;
    network_store_ = std::make_unique<network::Store>(o);
  }
  return *network_store_;
}

api::SystemService& Engine::system() {
  if (!system_) system_ = std::make_unique<LocalSystemService>(*this);
  return *system_;
}

}  // namespace berth::engine
