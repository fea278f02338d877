// Client-side caching (CLIENT TRACKING), as Redis 6+/7.
//
// A tracking client in the default mode has the keys of its read-only commands remembered by
// the shard owning each key (TrackingTable: key → client ids). When such a key changes — any
// write, DEL, expiry, eviction — the shard sends each remembered client one invalidation and
// forgets the key, until the client reads it again. A BCAST client instead registers prefixes
// and is told of every changed key that starts with one of them. FLUSHDB/FLUSHALL invalidate
// everything (a null key list).
//
// Invalidations go to the client (RESP3 push ["invalidate", [key]]) or to its REDIRECT client:
// a RESP3 one gets the push, a RESP2 one subscribed to __redis__:invalidate gets it as a pub/sub
// message. The TrackingHub, shared by all shard threads, knows every connection by id (for
// REDIRECT and delivery) and every BCAST prefix.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/keyspace.h"

namespace shardcache::server {

class Connection;
class WatchRegistry;

// CLIENT TRACKING's options for one client.
struct TrackingSettings {
  bool on = false;
  bool bcast = false;
  bool optin = false;
  bool optout = false;
  bool noloop = false;
  std::uint64_t redirect = 0;  // 0: none
  std::vector<std::string> prefixes;
};

// The client whose command runs on this thread now (0 for the server's own work: expiry,
// eviction), for NOLOOP.
void set_current_client(std::uint64_t id);

class TrackingHub {
 public:
  void add_connection(std::uint64_t id, const std::shared_ptr<Connection>& conn);
  void remove_connection(std::uint64_t id);
  bool connected(std::uint64_t id);

  // CLIENT TRACKING ON/OFF of client `id`.
  void enable(std::uint64_t id, const TrackingSettings& settings);
  void disable(std::uint64_t id);

  // Tells `clients` that `key` changed (a null key: everything), except a NOLOOP client whose
  // own command changed it.
  void invalidate(const std::vector<std::uint64_t>& clients, const std::string* key);
  // Tells the BCAST clients with a prefix of `key`.
  void invalidate_prefixes(std::string_view key);
  // FLUSHDB/FLUSHALL: every tracking client flushes its whole cache.
  void invalidate_all();
  bool any_bcast() const { return bcast_clients_.load(std::memory_order_relaxed) > 0; }
  bool any_tracking() const { return tracking_clients_.load(std::memory_order_relaxed) > 0; }

 private:
  struct Tracker {
    TrackingSettings settings;
  };
  // Sends one invalidation for client `id` (under the lock).
  void send_locked(std::uint64_t id, const Tracker& tracker, const std::string* key);

  std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> connections_;
  std::unordered_map<std::uint64_t, Tracker> trackers_;
  std::atomic<int> bcast_clients_{0};
  std::atomic<int> tracking_clients_{0};
};

// One shard's remembered reads, and the observer of its keyspaces that turns changes into
// invalidations (and WATCH flags, through the WatchRegistry).
class TrackingTable : public storage::KeyObserver {
 public:
  TrackingTable(TrackingHub& hub, WatchRegistry& watches) : hub_(hub), watches_(watches) {}
  // Remembers that client `id` read `key` (the database does not matter, as in Redis).
  void remember(std::string_view key, std::uint64_t id);

  void key_modified(int db, std::string_view key) override;
  void db_replacing(int db, const storage::Keyspace& current) override;

 private:
  TrackingHub& hub_;
  WatchRegistry& watches_;
  std::unordered_map<std::string, std::vector<std::uint64_t>> readers_;
};

}  // namespace shardcache::server
