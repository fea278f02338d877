#include "server/keyspace_notifier.h"

#include <string>

#include "config/keyspace_events.h"
#include "server/ascii.h"
#include "server/pubsub.h"

namespace shardcache::server {
namespace {

struct Event {
  std::string name;
  std::uint32_t event_class;
};

// The event an effect record stands for. Container commands record their own arguments, so
// their event is the command's name (hset, lpush, sadd, zadd ...), classed by its type.
Event event_of(std::string_view command, storage::RemovalCause cause) {
  std::string name = to_lower(command);
  if (name == "set") return {"set", config::kEventString};
  if (name == "del") {
    if (cause == storage::RemovalCause::kExpired) return {"expired", config::kEventExpired};
    if (cause == storage::RemovalCause::kEvicted) return {"evicted", config::kEventEvicted};
    return {"del", config::kEventGeneric};
  }
  if (name == "pexpireat") return {"expire", config::kEventGeneric};
  // Commands whose event Redis names otherwise.
  if (name == "zincrby") return {"zincr", config::kEventZset};
  if (name == "hmset") return {"hset", config::kEventHash};
  if (name == "persist") return {"persist", config::kEventGeneric};
  switch (name.empty() ? '\0' : name[0]) {
    case 'h':
      return {name, config::kEventHash};
    case 'l':
    case 'r':
      return {name, config::kEventList};
    case 'b':  // the blocking pops: blpop, brpop, blmove ... bzpopmin
      return {name, name.size() > 1 && name[1] == 'z' ? config::kEventZset : config::kEventList};
    case 's':
      return {name, config::kEventSet};
    case 'z':
      return {name, config::kEventZset};
    default:
      return {name, config::kEventGeneric};
  }
}

}  // namespace

void KeyspaceNotifier::record(int db, std::span<const std::string_view> effect,
                              storage::RemovalCause cause) {
  // FLUSHDB and other keyless records notify nothing, as Redis.
  if (flags_ == 0 || effect.size() < 2) return;
  const Event event = event_of(effect[0], cause);
  if ((flags_ & event.event_class) == 0) return;
  const std::string_view key = effect[1];
  const std::string prefix = "__key";
  const std::string at_db = "@" + std::to_string(db) + "__:";
  if (flags_ & config::kEventKeyspace) {
    pubsub_.publish(prefix + "space" + at_db + std::string(key), event.name, false);
  }
  if (flags_ & config::kEventKeyevent) {
    pubsub_.publish(prefix + "event" + at_db + event.name, key, false);
  }
}

}  // namespace shardcache::server
