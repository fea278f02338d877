// ExpiryIndex: the keys of one keyspace that have a TTL, as a binary min-heap on the expiry time.
// Each entry records its heap slot, so removing or re-timing a key is O(log n) without a search,
// and the active expiry cycle takes exactly the keys that are due, soonest first — no sampling,
// so expired keys do not linger (Redis samples and tolerates ~10% stale keys).
// A random slot is a random volatile key (volatile-* eviction samples here).
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "storage/entry.h"

namespace shardcache::storage {

class ExpiryIndex {
 public:
  void add(Entry* entry);            // entry->has_expiry() must hold
  void remove(Entry* entry);
  // The entry at entry->expiry_slot() was reallocated: point the slot at `moved`.
  void relink(Entry* moved) { slots_[moved->expiry_slot()].entry = moved; }
  // After entry's expiry time changed in place (a new entry at the same slot): restore order.
  void update(Entry* entry);

  bool empty() const { return slots_.empty(); }
  std::size_t size() const { return slots_.size(); }
  Entry* soonest() const { return slots_.empty() ? nullptr : slots_.front().entry; }
  std::int64_t soonest_ms() const { return slots_.front().at; }
  Entry* at_slot(std::size_t slot) const { return slots_[slot].entry; }
  // How many keys are due (expiry <= now_ms), counting at most `limit`: a walk of the heap
  // that skips every subtree whose root is not due, so it costs O(due keys).
  std::size_t count_due(std::int64_t now_ms, std::size_t limit) const;
  // The deque's blocks in use (512 bytes each in libstdc++).
  std::size_t bytes() const {
    constexpr std::size_t kBlock = 512;
    return (slots_.size() * sizeof(Slot) + kBlock - 1) / kBlock * kBlock;
  }
  void clear() { std::deque<Slot>().swap(slots_); }

 private:
  struct Slot {
    std::int64_t at;
    Entry* entry;
  };
  void place(std::size_t index, Slot slot);
  void sift_up(std::size_t index);
  void sift_down(std::size_t index);

  // A deque, not a vector: growing never moves the slots already there (a vector's doubling
  // would copy 160 MB at 10M keys with a TTL, stalling the shard), and its blocks are freed as
  // the heap shrinks.
  std::deque<Slot> slots_;
};

}  // namespace shardcache::storage
