#include "server/lazy_free.h"

namespace shardcache::server {

LazyFreer::LazyFreer() : thread_([this] { run(); }) {}

LazyFreer::~LazyFreer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void LazyFreer::free_later(std::vector<storage::Entry*>&& entries) {
  if (entries.empty()) return;
  {
    std::lock_guard lock(mutex_);
    pending_ += entries.size();
    batches_.push_back(std::move(entries));
  }
  wake_.notify_one();
}

std::size_t LazyFreer::pending() const {
  std::lock_guard lock(mutex_);
  return pending_;
}

void LazyFreer::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !batches_.empty(); });
    if (batches_.empty()) return;  // stopping, and everything is freed
    std::vector<storage::Entry*> batch = std::move(batches_.front());
    batches_.pop_front();
    lock.unlock();
    for (storage::Entry* entry : batch) storage::Entry::destroy(entry);
    lock.lock();
    pending_ -= batch.size();
  }
}

}  // namespace shardcache::server
