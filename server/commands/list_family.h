// The LIST family's shared rules: opening a list key, pushing and popping through the keyspace
// door (with the wake-up of blocked clients), argument parsing with Redis's error texts. The
// commands live in list_commands.cpp (pushes, pops, LLEN), list_index_commands.cpp (LRANGE
// LINDEX LSET LINSERT LREM LTRIM LPOS), list_move_commands.cpp (LMOVE RPOPLPUSH LMPOP) and
// list_blocking_commands.cpp (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/command_table.h"
#include "storage/keyspace.h"
#include "storage/list_value.h"

namespace shardcache::server {

class Shard;
struct CommandContext;

enum class End { kLeft, kRight };

// LEFT / RIGHT (any case), or nullopt (Redis answers a syntax error).
std::optional<End> parse_end(std::string_view word);

// Redis's getRangeLongFromObjectOrReply: an integer in [min, max], else replies `message` ("ERR
// ..." text) when given, or Redis's default texts.
std::optional<std::int64_t> parse_range(CommandContext& ctx, std::string_view text,
                                        std::int64_t min, std::int64_t max,
                                        const char* message = nullptr);

// The list at `key` in `db` (found for writing), or nullptr when absent; *wrong_type tells a key
// of another type.
storage::ListValue* find_list(storage::Keyspace& db, std::string_view key,
                              storage::Entry** entry, bool* wrong_type);

// Pushes `values` at `end` of the list at `key` (created when absent unless only_existing),
// commits `effect`, and wakes the clients blocked on the key. Returns the new length, -1 for a
// key of another type, 0 for an absent key with only_existing.
std::int64_t push_values(Shard& shard, int db, std::string_view key,
                         std::span<const std::string_view> values, End end,
                         std::span<const std::string_view> effect, bool only_existing = false);

// Pops up to `count` elements from `end` of an existing list, committing an LPOP/RPOP effect
// (the key is deleted when emptied).
std::vector<std::string> pop_values(Shard& shard, int db, storage::Entry* entry,
                                    storage::ListValue* list, std::string_view key, End end,
                                    std::size_t count);

// Each source file's bindings; list_bindings() joins them.
std::vector<CommandBinding> list_index_bindings();
std::vector<CommandBinding> list_move_bindings();
std::vector<CommandBinding> list_blocking_bindings();

// LMOVE's work for LMOVE, RPOPLPUSH and BLMOVE/BRPOPLPUSH inside MULTI: replies the moved
// element, or null when the source is empty. A Route::kHome handler's last action.
void move_element(CommandContext& ctx, std::string source, std::string destination, End from,
                  End to);

// LMPOP's argument parsing (numkeys at args[numkeys_index]): the keys, the end and the count, or
// nullopt after replying the error.
struct MultiPop {
  std::vector<std::string> keys;
  End end = End::kLeft;
  std::size_t count = 1;
};
std::optional<MultiPop> parse_multi_pop(CommandContext& ctx, std::size_t numkeys_index);

// Writes LMPOP's reply: [key, [elements...]].
void reply_multi_pop(protocol::ReplyWriter& reply, std::string_view key,
                     const std::vector<std::string>& values);

}  // namespace shardcache::server
