// The HASH family: HSET HSETNX HMSET HGET HMGET HGETALL HDEL HEXISTS HLEN HSTRLEN HKEYS HVALS.
// The counters (HINCRBY HINCRBYFLOAT) are in hash_counter_commands.cpp, HRANDFIELD in
// hash_random_commands.cpp and HSCAN in hash_scan_commands.cpp.
#include "server/command_context.h"
#include "server/commands/families.h"
#include "server/commands/hash_family.h"
#include "server/shard.h"

namespace shardcache::server {
namespace {

using storage::HashValue;

void reply_wrong_arity(CommandContext& ctx) {
  ctx.reply.error("ERR wrong number of arguments for '" + ctx.spec.name + "' command");
}

// Writes the field/value pairs of args[2..]; returns how many fields were new. As Redis's
// hsetCommand, a long field or value converts the hash before any pair is written.
std::size_t write_pairs(CommandContext& ctx, const OpenedHash& opened) {
  const storage::EncodingLimits limits = encoding_limits(ctx);
  HashValue& hash = *opened.value;
  const auto pairs = ctx.args.subspan(2);
  hash.convert_for(pairs, limits);
  std::size_t created = 0;
  for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) {
    if (hash.set(pairs[i], pairs[i + 1], limits)) ++created;
  }
  commit(ctx, opened, ctx.args);
  return created;
}

// HSET key field value [field value ...]: the number of new fields.
void hset(CommandContext& ctx) {
  if (ctx.args.size() % 2 != 0) return reply_wrong_arity(ctx);
  const auto opened = open_hash_or_create(ctx);
  if (!opened) return;
  ctx.reply.integer(static_cast<std::int64_t>(write_pairs(ctx, *opened)));
}

// HMSET key field value [field value ...]: HSET replying +OK.
void hmset(CommandContext& ctx) {
  if (ctx.args.size() % 2 != 0) return reply_wrong_arity(ctx);
  const auto opened = open_hash_or_create(ctx);
  if (!opened) return;
  write_pairs(ctx, *opened);
  ctx.reply.ok();
}

// HSETNX key field value. (Unlike HSET, Redis 7.0 converts the hash only when it writes.)
void hsetnx(CommandContext& ctx) {
  const auto opened = open_hash_or_create(ctx);
  if (!opened) return;
  HashValue& hash = *opened->value;
  const bool absent = !hash.contains(ctx.args[2]);
  if (absent) {
    hash.set(ctx.args[2], ctx.args[3], encoding_limits(ctx));
    commit(ctx, *opened, ctx.args);
  }
  ctx.reply.integer(absent ? 1 : 0);
}

void hget(CommandContext& ctx) {
  const auto opened = open_hash_read(ctx);
  if (!opened) return;
  const auto value = *opened ? opened->value->get(ctx.args[2]) : std::nullopt;
  if (value) {
    ctx.reply.bulk(*value);
  } else {
    ctx.reply.null();
  }
}

void hmget(CommandContext& ctx) {
  const auto opened = open_hash_read(ctx);
  if (!opened) return;
  ctx.reply.array(ctx.args.size() - 2);
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    const auto value = *opened ? opened->value->get(ctx.args[i]) : std::nullopt;
    if (value) {
      ctx.reply.bulk(*value);
    } else {
      ctx.reply.null();
    }
  }
}

// What HGETALL, HKEYS and HVALS list of each pair.
enum class PairPart { kBoth, kField, kValue };

void reply_all(CommandContext& ctx, PairPart part) {
  const auto opened = open_hash_read(ctx);
  if (!opened) return;
  const std::size_t count = *opened ? opened->value->size() : 0;
  if (part == PairPart::kBoth) {
    ctx.reply.map(count);
  } else {
    ctx.reply.array(count);
  }
  if (count == 0) return;
  opened->value->for_each([&](std::string_view field, std::string_view value) {
    if (part != PairPart::kValue) ctx.reply.bulk(field);
    if (part != PairPart::kField) ctx.reply.bulk(value);
  });
}

void hgetall(CommandContext& ctx) { reply_all(ctx, PairPart::kBoth); }
void hkeys(CommandContext& ctx) { reply_all(ctx, PairPart::kField); }
void hvals(CommandContext& ctx) { reply_all(ctx, PairPart::kValue); }

void hdel(CommandContext& ctx) {
  const auto opened = open_hash_write(ctx);
  if (!opened) return;
  std::int64_t deleted = 0;
  if (*opened) {
    for (std::size_t i = 2; i < ctx.args.size(); ++i) {
      if (opened->value->remove(ctx.args[i])) ++deleted;
    }
    if (deleted > 0) commit(ctx, *opened, ctx.args);
  }
  ctx.reply.integer(deleted);
}

void hexists(CommandContext& ctx) {
  const auto opened = open_hash_read(ctx);
  if (!opened) return;
  ctx.reply.integer(*opened && opened->value->contains(ctx.args[2]) ? 1 : 0);
}

void hlen(CommandContext& ctx) {
  const auto opened = open_hash_read(ctx);
  if (!opened) return;
  ctx.reply.integer(*opened ? static_cast<std::int64_t>(opened->value->size()) : 0);
}

void hstrlen(CommandContext& ctx) {
  const auto opened = open_hash_read(ctx);
  if (!opened) return;
  const auto value = *opened ? opened->value->get(ctx.args[2]) : std::nullopt;
  ctx.reply.integer(value ? static_cast<std::int64_t>(value->size()) : 0);
}

}  // namespace

std::vector<CommandBinding> hash_bindings() {
  std::vector<CommandBinding> bindings = {
      {"hset", hset, Route::kKeys},       {"hmset", hmset, Route::kKeys},
      {"hsetnx", hsetnx, Route::kKeys},   {"hget", hget, Route::kKeys},
      {"hmget", hmget, Route::kKeys},     {"hgetall", hgetall, Route::kKeys},
      {"hkeys", hkeys, Route::kKeys},     {"hvals", hvals, Route::kKeys},
      {"hdel", hdel, Route::kKeys},       {"hexists", hexists, Route::kKeys},
      {"hlen", hlen, Route::kKeys},       {"hstrlen", hstrlen, Route::kKeys},
  };
  for (auto family : {hash_counter_bindings, hash_random_bindings, hash_scan_bindings}) {
    for (CommandBinding& binding : family()) bindings.push_back(binding);
  }
  return bindings;
}

}  // namespace shardcache::server
