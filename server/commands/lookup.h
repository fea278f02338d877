// Key lookups shared by the command families.
#pragma once

#include <string_view>

#include "storage/entry.h"

namespace shardcache::server {

class Shard;

inline constexpr const char* kErrWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";

// Redis's lookupKeyRead: the live entry of `key` or nullptr, counting a keyspace hit or miss.
// `touch` false is Redis's LOOKUP_NOTOUCH (TYPE, EXISTS, TTL, OBJECT read without refreshing the
// key's LRU/LFU state).
storage::Entry* lookup_read(Shard& shard, int db, std::string_view key, bool touch = true);

}  // namespace shardcache::server
