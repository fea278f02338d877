// KeyspaceNotifier: Redis's keyspace notifications (notify-keyspace-events). It receives the
// effect records of the shard's keyspaces — every write, DEL, expiry and eviction passes the
// mutation door — and publishes "__keyspace@<db>__:<key> <event>" and
// "__keyevent@<db>__:<event> <key>" for the classes the setting enables. Installed on the
// keyspaces only while the setting is non-empty, so it costs nothing otherwise.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "storage/keyspace.h"

namespace shardcache::server {

class PubSub;

class KeyspaceNotifier : public storage::EffectSink {
 public:
  explicit KeyspaceNotifier(PubSub& pubsub) : pubsub_(pubsub) {}
  void set_flags(std::uint32_t flags) { flags_ = flags; }
  std::uint32_t flags() const { return flags_; }

  void record(int db, std::span<const std::string_view> effect,
              storage::RemovalCause cause) override;

 private:
  PubSub& pubsub_;
  std::uint32_t flags_ = 0;
};

}  // namespace shardcache::server
