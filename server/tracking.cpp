#include "server/tracking.h"

#include <algorithm>

#include "protocol/reply_writer.h"
#include "server/connection.h"
#include "server/shard.h"
#include "server/watch_registry.h"

namespace shardcache::server {
namespace {

thread_local std::uint64_t t_current_client = 0;

constexpr std::string_view kInvalidateChannel = "__redis__:invalidate";

// The invalidation as `target` receives it; empty when it cannot receive one (RESP2 without a
// subscription to __redis__:invalidate).
std::string frame_for(Connection& target, const std::string* key) {
  std::string out;
  protocol::ReplyWriter writer(out, target.state().resp);
  const auto write_keys = [&] {
    if (key == nullptr) {
      writer.null();
    } else {
      writer.array(1);
      writer.bulk(*key);
    }
  };
  if (target.state().resp >= 3) {
    writer.push(2);
    writer.bulk("invalidate");
    write_keys();
    return out;
  }
  const auto& channels = target.subscriptions().channels;
  if (std::find(channels.begin(), channels.end(), kInvalidateChannel) == channels.end()) return {};
  writer.array(3);
  writer.bulk("message");
  writer.bulk(kInvalidateChannel);
  write_keys();
  return out;
}

}  // namespace

void set_current_client(std::uint64_t id) { t_current_client = id; }

void TrackingHub::add_connection(std::uint64_t id, const std::shared_ptr<Connection>& conn) {
  std::lock_guard lock(mutex_);
  connections_[id] = conn;
}

void TrackingHub::remove_connection(std::uint64_t id) {
  disable(id);
  std::lock_guard lock(mutex_);
  connections_.erase(id);
}

bool TrackingHub::connected(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  return connections_.contains(id);
}

void TrackingHub::enable(std::uint64_t id, const TrackingSettings& settings) {
  disable(id);
  std::lock_guard lock(mutex_);
  trackers_[id] = Tracker{settings};
  tracking_clients_.fetch_add(1);
  if (settings.bcast) bcast_clients_.fetch_add(1);
}

void TrackingHub::disable(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  const auto it = trackers_.find(id);
  if (it == trackers_.end()) return;
  if (it->second.settings.bcast) bcast_clients_.fetch_sub(1);
  tracking_clients_.fetch_sub(1);
  trackers_.erase(it);
}

void TrackingHub::send_locked(std::uint64_t id, const Tracker& tracker, const std::string* key) {
  if (tracker.settings.noloop && key != nullptr && id == t_current_client) return;
  const std::uint64_t target_id = tracker.settings.redirect != 0 ? tracker.settings.redirect : id;
  const auto it = connections_.find(target_id);
  if (it == connections_.end()) return;
  std::shared_ptr<Connection> target = it->second.lock();
  if (!target) return;
  std::shared_ptr<const std::string> owned_key =
      key != nullptr ? std::make_shared<const std::string>(*key) : nullptr;
  target->shard().post([target, owned_key] {
    const std::string message = frame_for(*target, owned_key.get());
    if (!message.empty()) target->push_message(message);
  });
}

void TrackingHub::invalidate(const std::vector<std::uint64_t>& clients, const std::string* key) {
  std::lock_guard lock(mutex_);
  for (std::uint64_t id : clients) {
    const auto it = trackers_.find(id);
    // A client that turned tracking off (or reconnected in BCAST mode) is not told.
    if (it == trackers_.end() || it->second.settings.bcast) continue;
    send_locked(id, it->second, key);
  }
}

void TrackingHub::invalidate_prefixes(std::string_view key) {
  std::lock_guard lock(mutex_);
  const std::string owned(key);
  for (const auto& [id, tracker] : trackers_) {
    if (!tracker.settings.bcast) continue;
    const auto& prefixes = tracker.settings.prefixes;
    const bool matches = prefixes.empty() || std::any_of(prefixes.begin(), prefixes.end(),
                                                         [&](const std::string& prefix) {
                                                           return key.starts_with(prefix);
                                                         });
    if (matches) send_locked(id, tracker, &owned);
  }
}

void TrackingHub::invalidate_all() {
  std::lock_guard lock(mutex_);
  for (const auto& [id, tracker] : trackers_) send_locked(id, tracker, nullptr);
}

void TrackingTable::remember(std::string_view key, std::uint64_t id) {
  auto& readers = readers_[std::string(key)];
  if (std::find(readers.begin(), readers.end(), id) == readers.end()) readers.push_back(id);
}

void TrackingTable::key_modified(int db, std::string_view key) {
  watches_.key_modified(db, key);
  if (!readers_.empty()) {
    const auto it = readers_.find(std::string(key));
    if (it != readers_.end()) {
      // Told once: the client registers the key again when it reads it again.
      const std::vector<std::uint64_t> clients = std::move(it->second);
      const std::string owned = it->first;
      readers_.erase(it);
      hub_.invalidate(clients, &owned);
    }
  }
  if (hub_.any_bcast()) hub_.invalidate_prefixes(key);
}

void TrackingTable::db_replacing(int db, const storage::Keyspace& current) {
  watches_.db_replacing(db, current);
  readers_.clear();
  // Emptying an empty database changes nothing a client may have cached.
  if (current.size() > 0 && hub_.any_tracking()) hub_.invalidate_all();
}

}  // namespace shardcache::server
