// What the files of the key family (key_*.cpp) share: their bindings and Redis's key lookups.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "server/command_table.h"
#include "server/commands/lookup.h"
#include "storage/entry.h"

namespace shardcache::server {

class Shard;
struct CommandContext;

std::vector<CommandBinding> key_expire_bindings();   // EXPIRE* PEXPIRE* TTL PTTL PERSIST
std::vector<CommandBinding> key_move_bindings();     // RENAME RENAMENX COPY MOVE SWAPDB
std::vector<CommandBinding> key_scan_bindings();     // SCAN
std::vector<CommandBinding> key_listing_bindings();  // KEYS RANDOMKEY

// The database index of COPY ... DB and MOVE: an int as Redis's getIntFromObjectOrReply, then
// in range. On failure replies with Redis's error and returns nullopt.
std::optional<int> parse_db_index(CommandContext& ctx, std::string_view text);

}  // namespace shardcache::server
