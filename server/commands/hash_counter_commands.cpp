// HINCRBY HINCRBYFLOAT: a field read as a number, incremented and written back as text. As in
// Redis, the increment is parsed before the key is looked up, and a missing field counts from 0.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/hash_family.h"
#include "server/shard.h"
#include "server/commands/number_text.h"

namespace shardcache::server {
namespace {

// The hash at args[1] (nullopt after WRONGTYPE) and the current value of field args[2].
struct Counter {
  OpenedHash opened;
  std::optional<std::string_view> value;
};

std::optional<Counter> open_counter(CommandContext& ctx) {
  const auto opened = open_hash_write(ctx);
  if (!opened) return std::nullopt;
  Counter counter{*opened, std::nullopt};
  if (*opened) counter.value = opened->value->get(ctx.args[2]);
  return counter;
}

// Stores `text` in field args[2], creating the key if needed, and commits `effect`.
void store(CommandContext& ctx, std::string_view text, std::span<const std::string_view> effect) {
  const auto opened = open_hash_or_create(ctx);  // cannot be WRONGTYPE: checked before
  opened->value->set(ctx.args[2], text, encoding_limits(ctx));
  commit(ctx, *opened, effect);
}

// HINCRBY key field increment
void hincrby(CommandContext& ctx) {
  const auto incr = parse_int64(ctx.args[3]);
  if (!incr) return ctx.reply.error(kErrNotInteger);
  const auto counter = open_counter(ctx);
  if (!counter) return;
  std::int64_t value = 0;
  if (counter->value) {
    const auto parsed = parse_int64(*counter->value);
    if (!parsed) return ctx.reply.error("ERR hash value is not an integer");
    value = *parsed;
  }
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  if ((*incr < 0 && value < 0 && *incr < kMin - value) ||
      (*incr > 0 && value > 0 && *incr > kMax - value)) {
    return ctx.reply.error("ERR increment or decrement would overflow");
  }
  value += *incr;
  store(ctx, std::to_string(value), ctx.args);
  ctx.reply.integer(value);
}

// HINCRBYFLOAT key field increment: replicated as HSET key field <result>, as Redis does, so that
// a replica does not redo the floating-point arithmetic.
void hincrbyfloat(CommandContext& ctx) {
  const auto incr = parse_long_double(ctx.args[3]);
  if (!incr) return ctx.reply.error("ERR value is not a valid float");
  if (std::isinf(*incr)) return ctx.reply.error("ERR value is NaN or Infinity");
  const auto counter = open_counter(ctx);
  if (!counter) return;
  long double value = 0;
  if (counter->value) {
    const auto parsed = parse_long_double(*counter->value);
    if (!parsed) return ctx.reply.error("ERR hash value is not a float");
    value = *parsed;
  }
  value += *incr;
  if (std::isnan(value) || std::isinf(value)) {
    return ctx.reply.error("ERR increment would produce NaN or Infinity");
  }
  const std::string text = format_long_double(value);
  const std::string_view effect[] = {"HSET", ctx.args[1], ctx.args[2], text};
  store(ctx, text, effect);
  ctx.reply.bulk(text);
}

}  // namespace

std::vector<CommandBinding> hash_counter_bindings() {
  return {
      {"hincrby", hincrby, Route::kKeys},
      {"hincrbyfloat", hincrbyfloat, Route::kKeys},
  };
}

}  // namespace shardcache::server
