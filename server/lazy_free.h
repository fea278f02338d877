// LazyFreer: one background thread that frees keyspace entries handed over by UNLINK and
// FLUSHALL/FLUSHDB ASYNC, so that freeing millions of entries never stalls a shard thread.
// The shard unlinks and stops accounting the entries first; only the free() calls move here.
//
// It also frees large ValueBuffers whose last reference a shard thread dropped (an overwritten,
// deleted, expired or evicted large value; a reply done sending one): glibc returns such a
// buffer to the kernel with munmap, which takes longer than a shard may stall its clients; and
// it unmaps the mappings that storage::MappingCache kept for reuse once they sat unused for a
// second.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/entry.h"
#include "storage/value_buffer.h"

namespace shardcache::server {

// ValueBuffers of at least this size are freed by the LazyFreer. free() of a touched buffer
// from a shard-like thread on the 2-core VM (glibc 2.36, busy machine), median / max of 12: a
// 32 MiB one (always mmapped: above glibc's 32 MiB cap on its mmap threshold) 1.5-5 ms / 6 ms;
// 4-8 MiB ~1 us / 0.3-3 ms (a munmap, or a heap trim, now and then); 1 MiB ~0.5 us / 40-80 us.
// Below 1 MiB handing a buffer over costs more than freeing it.
inline constexpr std::size_t kLazyFreeValueSize = 1024 * 1024;

class LazyFreer {
 public:
  // Becomes the process's ValueBuffer deferred-free hook: at most one LazyFreer at a time.
  LazyFreer();
  ~LazyFreer();  // frees what is still queued, then joins
  LazyFreer(const LazyFreer&) = delete;
  LazyFreer& operator=(const LazyFreer&) = delete;

  // Takes ownership of the entries. Safe from any thread.
  void free_later(std::vector<storage::Entry*>&& entries);
  // Takes over a buffer whose last reference is gone. Safe from any thread.
  void free_later(storage::ValueBuffer* buffer);
  // Entries queued and not yet freed (INFO lazyfree_pending_objects). Buffers do not count:
  // Redis frees a string object at once and never reports it as pending.
  std::size_t pending() const;

 private:
  void run();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::vector<storage::Entry*>> batches_;
  std::vector<storage::ValueBuffer*> buffers_;
  std::size_t pending_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace shardcache::server
