// INCR DECR INCRBY DECRBY INCRBYFLOAT. A counter keeps its key's TTL (Redis overwrites the value
// in place); an absent key counts from 0 and gets none.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include "server/command_context.h"
#include "server/command_table.h"
#include "server/commands/arguments.h"
#include "server/commands/string_family.h"
#include "server/shard.h"
#include "server/commands/number_text.h"

namespace shardcache::server {
namespace {

constexpr const char* kErrNotFloat = "ERR value is not a valid float";

void incr_by(CommandContext& ctx, std::int64_t incr) {
  storage::Keyspace& db = ctx.shard.db(ctx.db);
  const std::string_view key = ctx.args[1];
  const storage::Entry* entry = db.find(key);
  if (reject_wrong_type(ctx, entry)) return;
  std::int64_t value = 0;
  if (entry != nullptr) {
    const auto parsed = parse_int64(entry->value());
    if (!parsed) {
      ctx.reply.error(kErrNotInteger);
      return;
    }
    value = *parsed;
  }
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  if ((incr < 0 && value < 0 && incr < kMin - value) ||
      (incr > 0 && value > 0 && incr > kMax - value)) {
    ctx.reply.error("ERR increment or decrement would overflow");
    return;
  }
  value += incr;
  db.set_string(key, std::to_string(value), storage::Encoding::kInt, -1, /*keep_ttl=*/true);
  ctx.reply.integer(value);
}

void incr(CommandContext& ctx) { incr_by(ctx, 1); }
void decr(CommandContext& ctx) { incr_by(ctx, -1); }

void incrby(CommandContext& ctx) {
  const auto incr = parse_int64(ctx.args[2]);
  if (!incr) {
    ctx.reply.error(kErrNotInteger);
    return;
  }
  incr_by(ctx, *incr);
}

void decrby(CommandContext& ctx) {
  const auto decr = parse_int64(ctx.args[2]);
  if (!decr) {
    ctx.reply.error(kErrNotInteger);
    return;
  }
  // Its negation does not exist.
  if (*decr == std::numeric_limits<std::int64_t>::min()) {
    ctx.reply.error("ERR decrement would overflow");
    return;
  }
  incr_by(ctx, -*decr);
}

// INCRBYFLOAT key increment: the stored value is parsed before the increment, both as long
// doubles. The result is stored as Redis formats it, without an integer encoding.
void incrbyfloat(CommandContext& ctx) {
  storage::Keyspace& db = ctx.shard.db(ctx.db);
  const std::string_view key = ctx.args[1];
  const storage::Entry* entry = db.find(key);
  if (reject_wrong_type(ctx, entry)) return;
  std::optional<long double> value = 0.0L;
  if (entry != nullptr) value = parse_long_double(entry->value());
  const auto incr = parse_long_double(ctx.args[2]);
  if (!value || !incr) {
    ctx.reply.error(kErrNotFloat);
    return;
  }
  const long double result = *value + *incr;
  if (std::isnan(result) || std::isinf(result)) {
    ctx.reply.error("ERR increment would produce NaN or Infinity");
    return;
  }
  const std::string text = format_long_double(result);
  db.set_string(key, text, built_value_encoding(text), -1, /*keep_ttl=*/true);
  ctx.reply.bulk(text);
}

}  // namespace

std::vector<CommandBinding> string_counter_bindings() {
  return {
      {"incr", incr, Route::kKeys},
      {"decr", decr, Route::kKeys},
      {"incrby", incrby, Route::kKeys},
      {"decrby", decrby, Route::kKeys},
      {"incrbyfloat", incrbyfloat, Route::kKeys},
  };
}

}  // namespace shardcache::server
