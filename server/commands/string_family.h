// What the files of the STRING family (string_*.cpp) share: Redis's rules for how a string value
// is encoded, looked up and bounded, and each file's bindings (string_bindings() joins them).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "server/command_table.h"
#include "server/commands/lookup.h"
#include "storage/entry.h"
#include "storage/keyspace.h"

namespace shardcache::server {

class Shard;
struct CommandContext;

// The encoding Redis's tryObjectEncoding gives a value a client stores as it is (SET, MSET,
// GETSET, APPEND to a new key): int for a canonical 64-bit integer of at most 20 characters,
// embstr up to 44 bytes, raw beyond.
storage::Encoding client_value_encoding(std::string_view value);
// The encoding of a string Redis builds itself with createStringObject (INCRBYFLOAT's result):
// never int.
storage::Encoding built_value_encoding(std::string_view value);

// lookup_read (lookup.h) of the command's database.
storage::Entry* lookup_read(CommandContext& ctx, std::string_view key);

// True, after replying WRONGTYPE, when `entry` exists and is not a string.
bool reject_wrong_type(CommandContext& ctx, const storage::Entry* entry);

// Redis's checkStringLength: false, after replying the error, when a string of `size` bytes
// grown by `append` would exceed proto-max-bulk-len.
bool check_string_length(CommandContext& ctx, std::uint64_t size, std::uint64_t append);

// An option as Redis compares it: as a C string, so that bytes after a NUL do not count.
std::string_view option_word(std::string_view arg);

// Replies with the value of `key` (null when absent), as Redis's getGenericCommand for GET,
// GETSET, GETDEL and SET ... GET. False after replying WRONGTYPE.
bool reply_string_value(CommandContext& ctx, std::string_view key);

// Stores the command's argument `value` under `key` in `db` as SET does
// (client_value_encoding): adopting the buffer the connection received it into when it is a
// large one (held_argument), copying it otherwise.
storage::Entry* store_large_argument(CommandContext& ctx, storage::Keyspace& db,
                                     std::string_view key, std::string_view value,
                                     std::int64_t expire_at_ms, bool keep_ttl);
inline storage::Entry* store_argument(CommandContext& ctx, storage::Keyspace& db,
                                      std::string_view key, std::string_view value,
                                      std::int64_t expire_at_ms, bool keep_ttl = false) {
  if (value.size() >= storage::kOutOfLineValueSize) [[unlikely]] {
    return store_large_argument(ctx, db, key, value, expire_at_ms, keep_ttl);
  }
  return db.set_string(key, value, client_value_encoding(value), expire_at_ms, keep_ttl);
}

std::vector<CommandBinding> string_set_bindings();       // SET SETNX SETEX PSETEX GETEX
std::vector<CommandBinding> string_counter_bindings();   // INCR DECR INCRBY DECRBY INCRBYFLOAT
std::vector<CommandBinding> string_range_bindings();     // APPEND STRLEN GETRANGE SUBSTR SETRANGE
std::vector<CommandBinding> string_multikey_bindings();  // MSETNX LCS

}  // namespace shardcache::server
