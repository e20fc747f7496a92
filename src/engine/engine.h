// Engine: the local implementation of the service interfaces over one store.
#pragma once

#include <memory>
#include <string>

#include "berth/api/containers.h"
#include "berth/api/images.h"
#include "berth/api/kube.h"
#include "berth/api/networks.h"
#include "berth/api/pods.h"
#include "berth/api/system.h"
#include "berth/api/secrets.h"
#include "berth/api/volumes.h"
#include "base/result.h"
#include "network/store.h"
#include "events/log.h"
#include "state/db.h"
#include "store/content_store.h"
#include "store/layer_store.h"

namespace berth::engine {

struct Options {
  std::string root = "/var/lib/berth";
  std::string runroot = "/run/berth";
  std::string tmpdir;           // default <runroot>/tmp
  std::string storage_driver;   // overlay|vfs; default: the root's recorded driver, else overlay if usable
  std::string runtime;          // OCI runtime name or path
  std::vector<std::string> runtime_flags;  // --runtime-flag: global runtime flags, without "--"
  std::string events_backend = "file";
  std::string events_logfile_path;            // default <tmpdir>/events/events.log
  uint64_t events_logfile_max_size = 1000000;  // podman's default; 0 = never rotate
  std::string log_level = "warn";
  std::string network_config_dir;  // network definitions; default <root>/networks
  std::string volume_path;         // --volumepath; default <root>/volumes
  // The process ends with the one command it runs (the CLI, not the API service): work that
  // nothing later in it waits for may outlive it (the runtime's delete of a `run --rm`).
  bool one_shot = false;
};

// Owns the state DB, the content store and the layer store of one root.
// Opening it takes no locks that outlive the call; every command opens it.
class Engine {
 public:
  static Result<std::unique_ptr<Engine>> open(const Options& opts);
  ~Engine();

  const Options& options() const { return opts_; }
  state::Db& db() { return *db_; }
  // For a process about to exit without destroying the engine (the CLI): see Db::close.
  void closeDatabase() {
    if (db_) db_->close();
  }
  store::ContentStore& content() { return *content_; }
  store::LayerStore& layers() { return *layers_; }
  const std::string& driver() const { return driver_; }

  api::ImageService& images();
  api::ContainerService& containers();
  api::SystemService& system();
  api::NetworkService& networks();
  api::VolumeService& volumes();
  api::SecretService& secrets();
  api::PodService& pods();
  api::KubeService& kube();
  // Network definitions (<root>/networks or --network-config-dir), IPAM and
  // netavark state (<runroot>/networks).
  network::Store& networkStore();
  // The event log every operation reports to (events.h's Log never fails the caller).
  const events::Log& events() const { return *events_; }

 private:
  Engine() = default;
  Options opts_;
  std::string driver_;
  std::unique_ptr<state::Db> db_;
  std::unique_ptr<store::ContentStore> content_;
  std::unique_ptr<store::LayerStore> layers_;
  std::unique_ptr<api::ImageService> images_;
  std::unique_ptr<api::ContainerService> containers_;
  std::unique_ptr<api::SystemService> system_;
  std::unique_ptr<api::NetworkService> networks_;
  std::unique_ptr<api::VolumeService> volumes_;
  std::unique_ptr<api::SecretService> secrets_;
  std::unique_ptr<api::PodService> pods_;
  std::unique_ptr<api::KubeService> kube_;
  std::unique_ptr<network::Store> network_store_;
  std::unique_ptr<events::Log> events_;
};

}  // namespace berth::engine
