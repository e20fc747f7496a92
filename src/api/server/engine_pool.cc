// Engine pool.
#include "api/server/engine_pool.h"

namespace berth::api::server {

Result<EnginePool::Lease> EnginePool::acquire() {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (!idle_.empty()) {
      auto e = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(e));
    }
  }
  auto e = TRY(engine::Engine::open(opts_));
  return Lease(this, std::move(e));
}

void EnginePool::giveBack(std::unique_ptr<engine::Engine> e) {
  std::lock_guard<std::mutex> g(mu_);
  if (idle_.size() < 64) idle_.push_back(std::move(e));
}

}  // namespace berth::api::server
