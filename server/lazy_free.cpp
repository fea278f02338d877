#include "server/lazy_free.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cassert>
#include <chrono>

#include "storage/mapping_cache.h"

namespace shardcache::server {
namespace {

LazyFreer* g_freer = nullptr;  // the installed hook's target; see the constructor

// The lowest priority: a waking shard thread preempts this one, which still gets a small share
// of a busy core (unlike SCHED_IDLE, under which memory could wait to be freed indefinitely).
constexpr int kNice = 19;
// How often the thread looks at the mappings kept for reuse, and how long one may stay unused.
constexpr auto kTrimEvery = std::chrono::milliseconds(250);
constexpr auto kMappingIdle = std::chrono::seconds(1);

void defer_buffer(storage::ValueBuffer* buffer) { g_freer->free_later(buffer); }

}  // namespace

LazyFreer::LazyFreer() : thread_([this] { run(); }) {
  assert(g_freer == nullptr);
  g_freer = this;
  storage::ValueBuffer::set_deferred_free(defer_buffer, kLazyFreeValueSize);
}

LazyFreer::~LazyFreer() {
  // The shards are gone by now (the Server destroys this last): buffers are freed in place again.
  storage::ValueBuffer::set_deferred_free(nullptr, 0);
  g_freer = nullptr;
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

void LazyFreer::free_later(storage::ValueBuffer* buffer) {
  // This thread's own releases (an entry it destroys) free at once: it is here to block.
  if (std::this_thread::get_id() == thread_.get_id()) {
    storage::ValueBuffer::free_now(buffer);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    buffers_.push_back(buffer);
  }
  wake_.notify_one();
}

std::size_t LazyFreer::pending() const {
  std::lock_guard lock(mutex_);
  return pending_;
}

void LazyFreer::run() {
  // Background work: where this thread shares a core with a shard thread (taskset, more
  // threads than cores), the shard must win it at once. Linux keeps nice values per thread.
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kNice);
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait_for(lock, kTrimEvery,
                   [this] { return stopping_ || !batches_.empty() || !buffers_.empty(); });
    std::vector<storage::ValueBuffer*> buffers;
    buffers.swap(buffers_);
    std::vector<storage::Entry*> batch;
    if (!batches_.empty()) {
      batch = std::move(batches_.front());
      batches_.pop_front();
    }
    lock.unlock();
    for (storage::ValueBuffer* buffer : buffers) storage::ValueBuffer::free_now(buffer);
    for (storage::Entry* entry : batch) storage::Entry::destroy(entry);
    // Mappings kept for reuse that no new large value took go back to the kernel.
    storage::MappingCache::process().trim(kMappingIdle);
    lock.lock();
    pending_ -= batch.size();
    if (stopping_ && batches_.empty() && buffers_.empty()) return;  // everything is freed
  }
}

}  // namespace shardcache::server
