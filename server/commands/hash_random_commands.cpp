// HRANDFIELD key [count [WITHVALUES]], with Redis 7.0's cases: no count (one field or null), a
// negative count (that many picks, repeats allowed), a count at least the size (the whole hash,
// in its order), and a smaller positive count (distinct fields; a listpack keeps its order).
#include <algorithm>
#include <limits>
#include <random>
#include <unordered_set>
#include <vector>

#include "server/ascii.h"
#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/hash_family.h"
#include "server/shard.h"

namespace shardcache::server {
namespace {

using Pair = storage::HashValue::Pair;

std::mt19937_64& random_engine() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

// One element of the reply: the field, or in RESP3 a [field, value] pair, or in RESP2 the field
// then its value (the array length counted both).
void reply_pair(CommandContext& ctx, const Pair& pair, bool with_values) {
  if (with_values && ctx.reply.resp() > 2) ctx.reply.array(2);
  ctx.reply.bulk(pair.first);
  if (with_values) ctx.reply.bulk(pair.second);
}

void reply_header(CommandContext& ctx, std::size_t count, bool with_values) {
  ctx.reply.array(with_values && ctx.reply.resp() == 2 ? count * 2 : count);
}

// `count` distinct pairs of a hash holding more than `count`.
std::vector<Pair> distinct_pairs(const storage::HashValue& hash, std::size_t count) {
  std::mt19937_64& rng = random_engine();
  std::vector<Pair> picked;
  picked.reserve(count);
  const std::size_t size = hash.size();
  if (hash.encoding() == storage::Encoding::kListpack) {
    // Selection sampling (Knuth's algorithm S): a uniform subset, in the listpack's order.
    std::size_t index = 0;
    hash.for_each([&](std::string_view field, std::string_view value) {
      const std::size_t left = size - index++;
      const std::size_t wanted = count - picked.size();
      if (wanted > 0 && rng() % left < wanted) picked.emplace_back(field, value);
    });
    return picked;
  }
  if (count * 3 > size) {
    // Most of the hash: shuffle the first `count` places of a full copy.
    std::vector<Pair> all;
    all.reserve(size);
    hash.for_each([&](std::string_view f, std::string_view v) { all.emplace_back(f, v); });
    for (std::size_t i = 0; i < count; ++i) {
      std::swap(all[i], all[i + rng() % (size - i)]);
    }
    all.resize(count);
    return all;
  }
  // A small part of a large hash: random picks, skipping repeats.
  std::unordered_set<std::string_view> seen;
  while (picked.size() < count) {
    const Pair pair = hash.random_pair(rng);
    if (seen.insert(pair.first).second) picked.push_back(pair);
  }
  return picked;
}

void hrandfield_count(CommandContext& ctx, std::int64_t requested, bool with_values) {
  const auto opened = open_hash_read(ctx);
  if (!opened) return;
  if (!*opened || requested == 0) return ctx.reply.array(0);
  const storage::HashValue& hash = *opened->value;
  const bool distinct = requested > 0;
  const auto count = static_cast<std::size_t>(distinct ? requested : -requested);
  if (!distinct || count == 1) {
    reply_header(ctx, count, with_values);
    for (std::size_t i = 0; i < count; ++i) {
      reply_pair(ctx, hash.random_pair(random_engine()), with_values);
    }
    return;
  }
  if (count >= hash.size()) {
    reply_header(ctx, hash.size(), with_values);
    hash.for_each([&](std::string_view field, std::string_view value) {
      reply_pair(ctx, {field, value}, with_values);
    });
    return;
  }
  const std::vector<Pair> picked = distinct_pairs(hash, count);
  reply_header(ctx, picked.size(), with_values);
  for (const Pair& pair : picked) reply_pair(ctx, pair, with_values);
}

void hrandfield(CommandContext& ctx) {
  if (ctx.args.size() >= 3) {
    const auto count = parse_int64(ctx.args[2]);
    if (!count) return ctx.reply.error(kErrNotInteger);
    if (*count == std::numeric_limits<std::int64_t>::min()) {
      return ctx.reply.error(
          "ERR value is out of range, value must between -9223372036854775807 and "
          "9223372036854775807");
    }
    const bool with_values = ctx.args.size() == 4;
    if (ctx.args.size() > 4 || (with_values && !iequals(ctx.args[3], "withvalues"))) {
      return ctx.reply.error(kErrSyntax);
    }
    constexpr std::int64_t kHalf = std::numeric_limits<std::int64_t>::max() / 2;
    if (with_values && (*count < -kHalf || *count > kHalf)) {
      return ctx.reply.error("ERR value is out of range");
    }
    return hrandfield_count(ctx, *count, with_values);
  }
  const auto opened = open_hash_read(ctx);
  if (!opened) return;
  if (!*opened) return ctx.reply.null();
  ctx.reply.bulk(opened->value->random_pair(random_engine()).first);
}

}  // namespace

std::vector<CommandBinding> hash_random_bindings() {
  return {{"hrandfield", hrandfield, Route::kKeys}};
}

}  // namespace shardcache::server
