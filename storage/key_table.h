// KeyTable: the hash table of one keyspace. Separate chaining through Entry::next, bucket counts
// that are powers of two, and Redis-style incremental rehashing: growing (or shrinking) moves a
// few buckets per operation and a bounded slice per timer tick, so no single operation stalls,
// whatever the table's size. The new bucket array comes from calloc, whose fresh pages the kernel
// zeroes lazily: allocating 2^25 buckets costs no 256 MB memset.
//
// SCAN uses Redis's reverse-binary cursor: every key present for the whole scan is returned at
// least once, even while the table grows or shrinks between calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <string_view>

#include "storage/entry.h"

namespace shardcache::storage {

std::uint64_t hash_key(std::string_view key);

class KeyTable {
 public:
  KeyTable() = default;
  KeyTable(const KeyTable&) = delete;
  KeyTable& operator=(const KeyTable&) = delete;
  KeyTable(KeyTable&& other) noexcept;
  KeyTable& operator=(KeyTable&& other) noexcept;
  // Frees the bucket arrays, not the entries (see release_all / destroy_entries).
  ~KeyTable();

  Entry* find(std::string_view key) const;
  // Links `entry`, whose key must be absent.
  void insert(Entry* entry);
  // Unlinks the entry holding `key` and returns it (the caller owns it), or nullptr.
  Entry* remove(std::string_view key);
  // Puts `replacement` (same key) in the place of the linked `current`. `current` is only
  // compared, never read: it may already be freed (Entry::with_value / with_expiry free it).
  void replace(Entry* current, Entry* replacement);

  std::size_t size() const { return size_; }
  // Bytes of the bucket arrays.
  std::size_t bucket_bytes() const;
  bool rehashing() const { return rehash_index_ >= 0; }

  // Calls fn for the entries of the buckets at `cursor` and returns the next cursor (0: done).
  std::uint64_t scan(std::uint64_t cursor, const std::function<void(Entry*)>& fn) const;
  // A random entry (nullptr if empty), as Redis's dictGetFairRandomKey: random bucket, then a
  // random element of its chain.
  Entry* random_entry(std::mt19937_64& rng) const;

  // Moves up to `buckets` buckets of a rehash in progress; returns whether one is in progress.
  bool rehash_step(std::size_t buckets);
  // Starts shrinking when the table is mostly empty (the timer calls this).
  void maybe_shrink();
  // Calls fn on every entry and empties the table (fn takes ownership).
  void release_all(const std::function<void(Entry*)>& fn);

 private:
  struct Buckets {
    Entry** slots = nullptr;
    std::size_t mask = 0;  // count - 1; slots == nullptr means no array
    std::size_t count() const { return slots ? mask + 1 : 0; }
  };

  void start_resize(std::size_t buckets);
  void step_if_rehashing() {
    if (rehash_index_ >= 0) rehash_step(1);
  }
  static void free_buckets(Buckets& b);
  // Returns to the kernel the pages of tables_[0] that the rehash has emptied so far.
  void release_rehashed_pages();

  Buckets tables_[2];
  std::size_t size_ = 0;
  // Next bucket of tables_[0] to move to tables_[1]; -1 when not rehashing.
  std::ptrdiff_t rehash_index_ = -1;
  // Address up to which release_rehashed_pages has released tables_[0]'s pages.
  std::uintptr_t released_until_ = 0;
};

}  // namespace shardcache::storage
