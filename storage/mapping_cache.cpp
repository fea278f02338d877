#include "storage/mapping_cache.h"

#include <sys/mman.h>

#include <algorithm>

namespace shardcache::storage {
namespace {

// About 0.1 ms of holding the mmap lock.
constexpr std::size_t kUnmapSlice = 2 * 1024 * 1024;

// Four 32 MiB values' worth: enough for the overwrites of a few shards in flight at once.
constexpr std::size_t kProcessCapacity = 128 * 1024 * 1024;

}  // namespace

void unmap_in_slices(void* base, std::size_t length) {
  char* const start = static_cast<char*>(base);
  while (length > 0) {
    const std::size_t slice = std::min(length, kUnmapSlice);
    length -= slice;
    ::munmap(start + length, slice);
  }
}

MappingCache::~MappingCache() {
  for (const Kept& kept : kept_) unmap_in_slices(kept.base, kept.length);
}

void* MappingCache::take(std::size_t length, std::size_t* taken) {
  std::lock_guard lock(mutex_);
  auto best = kept_.end();
  for (auto it = kept_.begin(); it != kept_.end(); ++it) {
    if (it->length >= length && it->length - length <= length / 8 &&
        (best == kept_.end() || it->length < best->length)) {
      best = it;
    }
  }
  if (best == kept_.end()) return nullptr;
  void* base = best->base;
  *taken = best->length;
  bytes_ -= best->length;
  kept_.erase(best);
  return base;
}

bool MappingCache::keep(void* base, std::size_t length) {
  std::lock_guard lock(mutex_);
  if (bytes_ + length > capacity_) return false;
  kept_.push_back({base, length, Clock::now()});
  bytes_ += length;
  return true;
}

std::size_t MappingCache::trim(Clock::duration idle) {
  std::vector<Kept> expired;
  std::size_t left = 0;
  {
    std::lock_guard lock(mutex_);
    const Clock::time_point cutoff = Clock::now() - idle;
    const auto stale = std::stable_partition(kept_.begin(), kept_.end(),
                                             [&](const Kept& k) { return k.since > cutoff; });
    expired.assign(stale, kept_.end());
    kept_.erase(stale, kept_.end());
    for (const Kept& k : expired) bytes_ -= k.length;
    left = bytes_;
  }
  // Outside the lock: take() and keep() need not wait for the unmapping.
  for (const Kept& k : expired) unmap_in_slices(k.base, k.length);
  return left;
}

std::size_t MappingCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

MappingCache& MappingCache::process() {
  // Never destroyed: buffers may be released during static destruction.
  static MappingCache* cache = new MappingCache(kProcessCapacity);
  return *cache;
}

}  // namespace shardcache::storage
