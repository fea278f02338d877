#include "server/watch_registry.h"

#include <algorithm>
#include <cstring>

namespace shardcache::server {

std::string WatchRegistry::slot_name(int db, std::string_view key) {
  std::string name(sizeof(db) + key.size(), '\0');
  std::memcpy(name.data(), &db, sizeof(db));
  std::memcpy(name.data() + sizeof(db), key.data(), key.size());
  return name;
}

void WatchRegistry::watch(int db, std::string_view key, const WatchFlag& flag) {
  auto& flags = watchers_[slot_name(db, key)];
  if (std::find(flags.begin(), flags.end(), flag) == flags.end()) flags.push_back(flag);
}

void WatchRegistry::unwatch(int db, std::string_view key, const WatchFlag& flag) {
  const auto it = watchers_.find(slot_name(db, key));
  if (it == watchers_.end()) return;
  auto& flags = it->second;
  flags.erase(std::remove(flags.begin(), flags.end(), flag), flags.end());
  if (flags.empty()) watchers_.erase(it);
}

void WatchRegistry::key_modified(int db, std::string_view key) {
  if (watchers_.empty()) return;  // the common case: one emptiness check per write
  const auto it = watchers_.find(slot_name(db, key));
  if (it == watchers_.end()) return;
  for (const WatchFlag& flag : it->second) flag->store(true, std::memory_order_release);
}

void WatchRegistry::db_replacing(int db, const storage::Keyspace& current) {
  // As Redis's touchAllWatchedKeysInDb: only keys that exist are changed by a flush.
  for (const auto& [name, flags] : watchers_) {
    int watched_db = 0;
    std::memcpy(&watched_db, name.data(), sizeof(watched_db));
    if (watched_db != db) continue;
    const std::string_view key = std::string_view(name).substr(sizeof(watched_db));
    if (current.table().find(key) == nullptr) continue;
    for (const WatchFlag& flag : flags) flag->store(true, std::memory_order_release);
  }
}

}  // namespace shardcache::server
