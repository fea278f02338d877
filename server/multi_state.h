// What one connection holds for MULTI/EXEC/WATCH: the commands queued since MULTI, whether one
// was refused while queuing (EXEC then aborts), the keys it WATCHes and, while EXEC runs, how
// the queued commands' replies come back.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "server/watch_registry.h"

namespace shardcache::server {

struct CommandSpec;
class Transaction;

struct QueuedCommand {
  const CommandSpec* spec;
  std::vector<std::string> args;
};

struct WatchedKey {
  int db;
  std::string key;
  int shard;
  // The key's expiry time when WATCH saw it (-1: none, or no key): a watched key that expires
  // before EXEC fails the transaction, as Redis 7.
  std::int64_t expire_at_ms;
};

struct MultiState {
  bool active = false;  // between MULTI and EXEC/DISCARD
  bool dirty = false;   // a command was refused while queuing
  std::vector<QueuedCommand> queued;
  std::vector<WatchedKey> watched;
  WatchFlag flag;  // raised when a watched key changes; null before the first WATCH

  // While EXEC runs.
  bool executing = false;
  // The EXEC's Transaction when its keys span shards: a queued command that would start a
  // Transaction of its own (MSET over shards, RENAME, SINTERSTORE ...) joins this one instead,
  // since its keys are already held.
  Transaction* outer = nullptr;
  // A queued command waits for other shards; its reply goes to on_reply.
  bool waiting = false;
  std::function<void(std::string_view)> on_reply;
};

}  // namespace shardcache::server
