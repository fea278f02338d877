// Keyspace: one logical database (SELECT index) inside one shard, and the one door through which
// its data changes. Every mutation — a write command, a lazy or active expiry, an eviction, a
// flush — is a call here, and each can report a deterministic effect record to an EffectSink:
// SET with an absolute PXAT instead of a relative TTL, the resulting value instead of the
// operation that produced it, DEL for an expired or evicted key. Replication, keyspace
// notifications and client-side caching hang on that sink; command code never bypasses it.
//
// Single-threaded: only the owning shard thread calls it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/container.h"
#include "storage/entry.h"
#include "storage/eviction_clock.h"
#include "storage/expiry_index.h"
#include "storage/key_table.h"

namespace shardcache::storage {

enum class RemovalCause { kDeleted, kExpired, kEvicted };

// Receives effect records: argument vectors a replica or a replayed log can execute as-is.
class EffectSink {
 public:
  virtual ~EffectSink() = default;
  virtual void record(int db, std::span<const std::string_view> effect, RemovalCause cause) = 0;
};

class Keyspace;

// Told of every change to a key, whatever made it (a write, DEL, expiry, eviction): Redis's
// signalModifiedKey. WATCH hangs on it.
class KeyObserver {
 public:
  virtual ~KeyObserver() = default;
  virtual void key_modified(int db, std::string_view key) = 0;
  // Every key of `db` is about to go (FLUSHDB/FLUSHALL) or be exchanged (SWAPDB); `current`
  // still holds them.
  virtual void db_replacing(int db, const Keyspace& current) = 0;
};

// What the keyspace counts for INFO.
struct KeyspaceStats {
  std::uint64_t expired_keys = 0;
  std::uint64_t evicted_keys = 0;
};

class Keyspace {
 public:
  Keyspace(int db_index, const EvictionClock& clock);
  ~Keyspace();
  Keyspace(const Keyspace&) = delete;
  Keyspace& operator=(const Keyspace&) = delete;

  void set_effect_sink(EffectSink* sink) { sink_ = sink; }
  void set_key_observer(KeyObserver* observer) { observer_ = observer; }

  // Times are the clock's now(). The live entry for `key`, or nullptr. An entry whose TTL has passed is removed here (lazy
  // expiry). `touch` updates its LRU/LFU state, as a read by a client does.
  Entry* find(std::string_view key, bool touch = true);

  // Stores a string value, replacing whatever `key` held. expire_at_ms < 0 removes any TTL
  // unless keep_ttl. A held key whose TTL has passed is expired first (DEL effect), so keep_ttl
  // does not carry its past time. Returns the new entry.
  Entry* set_string(std::string_view key, std::string_view value, Encoding encoding,
                    std::int64_t expire_at_ms, bool keep_ttl = false);
  // As above, the value being `buffer`'s bytes: the entry adopts the buffer instead of copying
  // them (a large value the connection received straight into its own buffer).
  Entry* set_string(std::string_view key, ValueRef buffer, Encoding encoding,
                    std::int64_t expire_at_ms, bool keep_ttl = false);
  // Stores a container (hash, list, set, sorted set) under `key`, replacing whatever it held;
  // expire_at_ms < 0: no TTL. Records no effect: the caller fills the container and commits.
  Entry* set_container(std::string_view key, std::unique_ptr<Container> container,
                       std::int64_t expire_at_ms = -1);
  // Closes a change made in place to `entry`'s container: records `effect`, charges the
  // container's new size, updates the encoding OBJECT ENCODING shows, and deletes the key when
  // the container is empty (Redis deletes emptied keys; replaying the effect empties it too).
  // `entry` must not be used afterwards.
  void commit(Entry* entry, std::span<const std::string_view> effect);
  // Removes `key` (recording DEL) and hands its container over to the caller (RENAME and MOVE of
  // a container move the object itself). nullptr if the key is absent or a string.
  std::unique_ptr<Container> release_container(std::string_view key);
  // Removes `key`; returns whether it existed. The cause decides the statistics, not the effect
  // (always DEL).
  bool remove(std::string_view key, RemovalCause cause = RemovalCause::kDeleted);
  // As remove(), but hands the unlinked entry to the caller, who frees it (UNLINK frees on
  // another thread). nullptr if absent.
  Entry* detach(std::string_view key);
  // Sets (at_ms >= 0) or clears (at_ms < 0) the TTL of an existing key. An expiry time in the
  // past deletes the key, as Redis does. Returns false if the key does not exist (a key whose
  // TTL has passed is expired here, with its DEL effect, rather than given a new TTL).
  bool set_expiry(std::string_view key, std::int64_t at_ms);
  // Removes every key; calls `dispose` on the entries instead of freeing them when given (lazy
  // freeing on another thread). Emits one FLUSHDB-shaped effect.
  void clear(const std::function<void(std::vector<Entry*>&&)>& dispose = nullptr);

  // Removes keys whose TTL has passed, soonest first, until none is due or `budget` keys were
  // removed. Returns how many were removed.
  std::size_t expire_due(std::size_t budget);
  // The soonest expiry time, or -1 when no key has a TTL.
  std::int64_t next_expiry_ms() const { return expiry_.empty() ? -1 : expiry_.soonest_ms(); }

  std::size_t size() const { return table_.size(); }
  std::size_t volatile_size() const { return expiry_.size(); }
  // Average remaining TTL in ms over keys with a TTL (INFO keyspace avg_ttl), sampled cheaply.
  std::int64_t average_ttl_ms() const;
  // Every byte held for this keyspace's data: entries, buckets, the expiry heap.
  std::size_t used_bytes() const { return entry_bytes_ + table_.bucket_bytes() + expiry_.bytes(); }
  const KeyspaceStats& stats() const { return stats_; }
  void reset_stats() { stats_ = {}; }

  KeyTable& table() { return table_; }
  const KeyTable& table() const { return table_; }
  const ExpiryIndex& expiry() const { return expiry_; }
  int db_index() const { return db_; }

  // Incremental rehashing and shrinking of the table, called by the
  // shard's timer.
  void maintain(std::size_t rehash_buckets);

  // Exchanges all keys with `other` (SWAPDB).
  void swap_contents(Keyspace& other);

 private:
  // The TTL a new string value for a key now holding `old` (or nullptr) gets.
  static std::int64_t string_expiry(const Entry* old, std::int64_t expire_at_ms, bool keep_ttl);
  // Puts the new string entry `entry` for `key` in place of `old` (or nullptr) and records the
  // SET.
  Entry* install_string(std::string_view key, Entry* old, Entry* entry);
  void link(Entry* entry);
  void unlink_and_free(Entry* entry);
  // Frees an entry already unlinked from the table: leaves the expiry heap, counts `cause`,
  // records DEL.
  void drop(Entry* entry, RemovalCause cause);
  void record(std::initializer_list<std::string_view> effect, RemovalCause cause);

  int db_;
  const EvictionClock& clock_;
  KeyTable table_;
  ExpiryIndex expiry_;
  std::size_t entry_bytes_ = 0;
  KeyspaceStats stats_;
  EffectSink* sink_ = nullptr;
  KeyObserver* observer_ = nullptr;
  void modified(std::string_view key) {
    if (observer_ != nullptr) observer_->key_modified(db_, key);
  }
};

}  // namespace shardcache::storage
