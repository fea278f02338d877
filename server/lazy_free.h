// LazyFreer: one background thread that frees keyspace entries handed over by UNLINK and
// FLUSHALL/FLUSHDB ASYNC, so that freeing millions of entries never stalls a shard thread.
// The shard unlinks and stops accounting the entries first; only the free() calls move here.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/entry.h"

namespace shardcache::server {

class LazyFreer {
 public:
  LazyFreer();
  ~LazyFreer();  // frees what is still queued, then joins
  LazyFreer(const LazyFreer&) = delete;
  LazyFreer& operator=(const LazyFreer&) = delete;

  // Takes ownership of the entries. Safe from any thread.
  void free_later(std::vector<storage::Entry*>&& entries);
  // Entries queued and not yet freed (INFO lazyfree_pending_objects).
  std::size_t pending() const;

 private:
  void run();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::vector<storage::Entry*>> batches_;
  std::size_t pending_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace shardcache::server
