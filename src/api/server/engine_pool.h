// EnginePool: engines (state DB connection and stores) for concurrent requests. An
// Engine is used by one thread at a time; a request borrows one and gives it back.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "engine/engine.h"

namespace berth::api::server {

class EnginePool {
 public:
  explicit EnginePool(engine::Options opts) : opts_(std::move(opts)) {}

  class Lease {
   public:
    Lease(EnginePool* pool, std::unique_ptr<engine::Engine> e) : pool_(pool), e_(std::move(e)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = default;
    ~Lease() {
      if (e_) pool_->giveBack(std::move(e_));
    }
    engine::Engine* get() const { return e_.get(); }

   private:
    EnginePool* pool_;
    std::unique_ptr<engine::Engine> e_;
  };

  // An idle engine, or a newly opened one.
  Result<Lease> acquire();
  const engine::Options& options() const { return opts_; }

 private:
  void giveBack(std::unique_ptr<engine::Engine> e);

  engine::Options opts_;
  std::mutex mu_;
  std::vector<std::unique_ptr<engine::Engine>> idle_;
};

}  // namespace berth::api::server
