// APPEND STRLEN GETRANGE SUBSTR SETRANGE. A value these commands change in place in Redis
// (APPEND to, or SETRANGE on, an existing key) keeps its TTL and becomes raw-encoded.
#include <algorithm>
#include <cstdint>
#include <string>

#include "server/command_context.h"
#include "server/command_table.h"
#include "server/commands/arguments.h"
#include "server/commands/string_family.h"
#include "server/shard.h"

namespace shardcache::server {
namespace {

// APPEND key value: a new key stores the value as SET would (with its int/embstr encoding).
void append(CommandContext& ctx) {
  storage::Keyspace& db = ctx.shard.db(ctx.db);
  const std::string_view key = ctx.args[1], tail = ctx.args[2];
  const storage::Entry* entry = db.find(key);
  if (entry == nullptr) {
    db.set_string(key, tail, client_value_encoding(tail), -1);
    ctx.reply.integer(static_cast<std::int64_t>(tail.size()));
    return;
  }
  if (reject_wrong_type(ctx, entry)) return;
  if (!check_string_length(ctx, entry->value().size(), tail.size())) return;
  std::string joined;
  joined.reserve(entry->value().size() + tail.size());
  joined.append(entry->value()).append(tail);
  db.set_string(key, joined, storage::Encoding::kRaw, -1, /*keep_ttl=*/true);
  ctx.reply.integer(static_cast<std::int64_t>(joined.size()));
}

void strlen_command(CommandContext& ctx) {
  const storage::Entry* entry = lookup_read(ctx, ctx.args[1]);
  if (reject_wrong_type(ctx, entry)) return;
  ctx.reply.integer(entry == nullptr ? 0 : static_cast<std::int64_t>(entry->value().size()));
}

// GETRANGE key start end (and SUBSTR): inclusive, negative indexes from the end, clamped to the
// value. The indexes are parsed before the lookup.
void getrange(CommandContext& ctx) {
  const auto start = parse_int64(ctx.args[2]);
  const auto end = parse_int64(ctx.args[3]);
  if (!start || !end) {
    ctx.reply.error(kErrNotInteger);
    return;
  }
  const storage::Entry* entry = lookup_read(ctx, ctx.args[1]);
  if (reject_wrong_type(ctx, entry)) return;
  if (entry == nullptr) {
    ctx.reply.bulk("");
    return;
  }
  const std::string_view value = entry->value();
  const auto len = static_cast<std::int64_t>(value.size());
  std::int64_t from = *start, to = *end;
  // Both from the end and reversed: empty, even where clamping would make them overlap.
  if (from < 0 && to < 0 && from > to) {
    ctx.reply.bulk("");
    return;
  }
  if (from < 0) from = std::max<std::int64_t>(from + len, 0);
  if (to < 0) to = std::max<std::int64_t>(to + len, 0);
  to = std::min(to, len - 1);
  if (from > to || len == 0) {
    ctx.reply.bulk("");
    return;
  }
  ctx.reply.bulk(
      value.substr(static_cast<std::size_t>(from), static_cast<std::size_t>(to - from + 1)));
}

// SETRANGE key offset value: writes value at offset, zero-padding the string up to it. An empty
// value changes nothing (and creates no key).
void setrange(CommandContext& ctx) {
  const auto offset = parse_int64(ctx.args[2]);
  if (!offset) {
    ctx.reply.error(kErrNotInteger);
    return;
  }
  if (*offset < 0) {
    ctx.reply.error("ERR offset is out of range");
    return;
  }
  storage::Keyspace& db = ctx.shard.db(ctx.db);
  const std::string_view key = ctx.args[1], patch = ctx.args[3];
  const storage::Entry* entry = db.find(key);
  if (reject_wrong_type(ctx, entry)) return;
  const std::size_t old_size = entry == nullptr ? 0 : entry->value().size();
  if (patch.empty()) {
    ctx.reply.integer(static_cast<std::int64_t>(old_size));
    return;
  }
  const auto at = static_cast<std::uint64_t>(*offset);
  if (!check_string_length(ctx, at, patch.size())) return;
  std::string updated(entry == nullptr ? std::string_view() : entry->value());
  updated.resize(std::max<std::size_t>(old_size, at + patch.size()), '\0');
  updated.replace(at, patch.size(), patch);
  db.set_string(key, updated, storage::Encoding::kRaw, -1, /*keep_ttl=*/true);
  ctx.reply.integer(static_cast<std::int64_t>(updated.size()));
}

}  // namespace

std::vector<CommandBinding> string_range_bindings() {
  return {
      {"append", append, Route::kKeys},
      {"strlen", strlen_command, Route::kKeys},
      {"getrange", getrange, Route::kKeys},
      {"substr", getrange, Route::kKeys},
      {"setrange", setrange, Route::kKeys},
  };
}

}  // namespace shardcache::server
