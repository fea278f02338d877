// WatchRegistry: the keys of one shard that clients WATCH, and who watches each. It observes the
// shard's keyspaces (storage::KeyObserver): any change to a watched key — a write, DEL, expiry,
// eviction, FLUSHDB/FLUSHALL of a database where it exists, SWAPDB — raises the watching
// clients' flags, and their EXEC then fails.
//
// Owned and called by one shard thread; the flags are atomics because EXEC reads them on the
// client's home thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/keyspace.h"

namespace shardcache::server {

// Raised when a watched key changes. One per WATCH session of a client: UNWATCH, EXEC and
// DISCARD start a new one, so a late change to an old key cannot fail a later transaction.
using WatchFlag = std::shared_ptr<std::atomic<bool>>;

class WatchRegistry : public storage::KeyObserver {
 public:
  void watch(int db, std::string_view key, const WatchFlag& flag);
  void unwatch(int db, std::string_view key, const WatchFlag& flag);
  // Watched keys of this shard (distinct db/key pairs).
  std::size_t size() const { return watchers_.size(); }

  void key_modified(int db, std::string_view key) override;
  void db_replacing(int db, const storage::Keyspace& current) override;

 private:
  // The database index in front of the key bytes: one flat map for all databases.
  static std::string slot_name(int db, std::string_view key);

  std::unordered_map<std::string, std::vector<WatchFlag>> watchers_;
};

}  // namespace shardcache::server
