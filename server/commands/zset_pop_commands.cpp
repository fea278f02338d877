// ZPOPMIN ZPOPMAX, ZMPOP (its keys may live on several shards: the first non-empty one in
// argument order is popped, as Redis's genericZpopCommand), and ZRANDMEMBER.
#include <algorithm>
#include <climits>
#include <unordered_set>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/container_access.h"
#include "server/commands/key_group.h"
#include "server/commands/zset_family.h"
#include "server/commands/zset_pop.h"
#include "server/server.h"
#include "server/shard.h"

namespace shardcache::server {

std::vector<Scored> pop_members(ZSet& zset, bool max, std::size_t count) {
  const std::size_t size = zset.size();
  const std::size_t n = count < size ? count : size;
  std::vector<Scored> popped =
      max ? copy_ranks(zset, size - n, size, true) : copy_ranks(zset, 0, n, false);
  if (max) zset.erase_ranks(size - n, size);
  else zset.erase_ranks(0, n);
  return popped;
}

void reply_popped(protocol::ReplyWriter& reply, std::string_view key,
                  const std::vector<Scored>& popped, bool nested, bool emit_key) {
  if (emit_key && nested) {
    reply.array(2);
    reply.bulk(key);
    reply.array(popped.size());
  } else if (emit_key) {
    reply.array(popped.size() * 2 + 1);
    reply.bulk(key);
  } else {
    reply.array(nested ? popped.size() : popped.size() * 2);
  }
  for (const Scored& item : popped) {
    if (nested) reply.array(2);
    reply.bulk(item.member);
    reply.dbl(item.score);
  }
}

std::vector<Scored> pop_and_commit(Shard& shard, int db, storage::Entry* entry, bool max,
                                   std::size_t count) {
  auto* zset = static_cast<ZSet*>(entry->container());
  const std::string key(entry->key());
  std::vector<Scored> popped = pop_members(*zset, max, count);
  const std::string count_text = std::to_string(count);
  const std::string_view effect[] = {max ? "ZPOPMAX" : "ZPOPMIN", key, count_text};
  shard.db(db).commit(entry, effect);
  return popped;
}

namespace {

constexpr const char* kErrPositive = "ERR value is out of range, must be positive";

void zpop_generic(CommandContext& ctx, bool max) {
  if (ctx.args.size() > 3) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  long long count = -1;
  if (ctx.args.size() == 3) {
    const auto parsed = parse_long(ctx.args[2]);
    if (!parsed || *parsed < 0) {
      ctx.reply.error(kErrPositive);
      return;
    }
    count = *parsed;
  }
  auto opened = open_write<ZSet>(ctx, ctx.args[1]);
  if (!opened) return;
  if (!*opened || count == 0) {
    ctx.reply.array(0);
    return;
  }
  const bool nested = ctx.reply.resp() > 2 && count != -1;
  const auto popped = pop_and_commit(ctx.shard, ctx.db, opened->entry, max,
                                     static_cast<std::size_t>(count == -1 ? 1 : count));
  reply_popped(ctx.reply, ctx.args[1], popped, nested, false);
}

void zpopmin(CommandContext& ctx) { zpop_generic(ctx, false); }
void zpopmax(CommandContext& ctx) { zpop_generic(ctx, true); }

// ZMPOP's state, shared by its steps.
struct MultiPop {
  std::vector<std::string> keys;
  std::vector<int> state;  // per key: 0 absent, 1 a sorted set, 2 another type
  bool max = false;
  long long count = 1;
  std::string popped_key;
  std::vector<Scored> popped;
};

void zmpop(CommandContext& ctx) {
  auto call = std::make_shared<MultiPop>();
  if (!parse_mpop(ctx, 1, call->keys, call->max, call->count)) return;
  call->state.assign(call->keys.size(), 0);
  std::vector<int> shards;
  const Server& server = ctx.shard.server();
  for (const std::string& key : call->keys) shards.push_back(server.shard_of_key(key));
  KeyGroup::run(ctx, call->keys, [call, shards](KeyGroup& group) {
    group.on(
        shards,
        [call, &group](Shard& shard) {
          for (std::size_t i = 0; i < call->keys.size(); ++i) {
            if (group.shard_of(call->keys[i]) != shard.index()) continue;
            const storage::Entry* entry = shard.db(group.db()).find(call->keys[i]);
            if (entry != nullptr) call->state[i] = entry->type() == ZSet::kType ? 1 : 2;
          }
        },
        [call, &group] {
          std::size_t i = 0;
          while (i < call->keys.size() && call->state[i] == 0) ++i;
          if (i == call->keys.size()) {
            group.finish([](protocol::ReplyWriter& reply) { reply.null_array(); });
            return;
          }
          if (call->state[i] == 2) {
            group.finish([](protocol::ReplyWriter& reply) { reply.error(kErrWrongType); });
            return;
          }
          call->popped_key = call->keys[i];
          group.on_key(
              call->popped_key,
              [call, &group](Shard& shard) {
                storage::Entry* entry = shard.db(group.db()).find(call->popped_key);
                call->popped = pop_and_commit(shard, group.db(), entry, call->max,
                                              static_cast<std::size_t>(call->count));
              },
              [call, &group] {
                group.finish([call](protocol::ReplyWriter& reply) {
                  reply_popped(reply, call->popped_key, call->popped, true, true);
                });
              });
        });
  });
}

// ZRANDMEMBER key count [WITHSCORES], as Redis's zrandmemberWithCountCommand: a negative count
// may repeat members, a positive one does not.
void zrandmember_count(CommandContext& ctx, long long count, bool withscores) {
  auto opened = open_read<ZSet>(ctx, ctx.args[1]);
  if (!opened) return;
  if (!*opened || count == 0) {
    ctx.reply.array(0);
    return;
  }
  const ZSet& zset = *opened->value;
  const std::size_t size = zset.size();
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::vector<Scored> picked;
  if (count < 0 || count == 1) {
    const auto n = static_cast<std::size_t>(count < 0 ? -count : count);
    std::uniform_int_distribution<std::size_t> pick(0, size - 1);
    picked.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t rank = pick(rng);
      auto one = copy_ranks(zset, rank, rank + 1, false);
      picked.push_back(std::move(one.front()));
    }
  } else if (static_cast<std::size_t>(count) >= size) {
    picked = copy_ranks(zset, 0, size, false);
  } else if (static_cast<std::size_t>(count) * 3 > size) {
    // Most of the set: shuffle a copy and keep a prefix (the order is random, as in Redis).
    picked = copy_ranks(zset, 0, size, false);
    std::shuffle(picked.begin(), picked.end(), rng);
    picked.resize(static_cast<std::size_t>(count));
  } else {
    // A small part: distinct random ranks.
    std::unordered_set<std::size_t> ranks;
    std::uniform_int_distribution<std::size_t> pick(0, size - 1);
    while (ranks.size() < static_cast<std::size_t>(count)) {
      const std::size_t rank = pick(rng);
      if (!ranks.insert(rank).second) continue;
      auto one = copy_ranks(zset, rank, rank + 1, false);
      picked.push_back(std::move(one.front()));
    }
  }
  reply_scored(ctx.reply, picked, withscores);
}

void zrandmember(CommandContext& ctx) {
  if (ctx.args.size() >= 3) {
    const auto count = parse_long(ctx.args[2]);
    if (!count) {
      ctx.reply.error(kErrNotInteger);
      return;
    }
    if (*count == LLONG_MIN) {
      ctx.reply.error(
          "ERR value is out of range, value must between -9223372036854775807 and "
          "9223372036854775807");
      return;
    }
    if (ctx.args.size() > 4 || (ctx.args.size() == 4 && !option_is(ctx.args[3], "withscores"))) {
      ctx.reply.error(kErrSyntax);
      return;
    }
    const bool withscores = ctx.args.size() == 4;
    if (withscores && (*count < -LLONG_MAX / 2 || *count > LLONG_MAX / 2)) {
      ctx.reply.error("ERR value is out of range");
      return;
    }
    zrandmember_count(ctx, *count, withscores);
    return;
  }
  auto opened = open_read<ZSet>(ctx, ctx.args[1]);
  if (!opened) return;
  if (!*opened) {
    ctx.reply.null();
    return;
  }
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, opened->value->size() - 1);
  const std::size_t rank = pick(rng);
  ctx.reply.bulk(copy_ranks(*opened->value, rank, rank + 1, false).front().member);
}

}  // namespace

bool parse_mpop(CommandContext& ctx, std::size_t numkeys_at, std::vector<std::string>& keys,
                bool& max, long long& count) {
  const auto& args = ctx.args;
  const auto numkeys = parse_long(args[numkeys_at]);
  if (!numkeys || *numkeys < 1) {
    ctx.reply.error("ERR numkeys should be greater than 0");
    return false;
  }
  if (static_cast<unsigned long long>(*numkeys) >= args.size() - numkeys_at - 1) {
    ctx.reply.error(kErrSyntax);
    return false;
  }
  const std::size_t where_at = numkeys_at + static_cast<std::size_t>(*numkeys) + 1;
  if (option_is(args[where_at], "min")) {
    max = false;
  } else if (option_is(args[where_at], "max")) {
    max = true;
  } else {
    ctx.reply.error(kErrSyntax);
    return false;
  }
  count = -1;
  for (std::size_t j = where_at + 1; j < args.size(); ++j) {
    const bool more = j + 1 < args.size();
    if (count == -1 && option_is(args[j], "count") && more) {
      ++j;
      const auto parsed = parse_long(args[j]);
      if (!parsed || *parsed < 1) {
        ctx.reply.error("ERR count should be greater than 0");
        return false;
      }
      count = *parsed;
    } else {
      ctx.reply.error(kErrSyntax);
      return false;
    }
  }
  if (count == -1) count = 1;
  keys.assign(args.begin() + static_cast<std::ptrdiff_t>(numkeys_at) + 1,
              args.begin() + static_cast<std::ptrdiff_t>(where_at));
  return true;
}

std::vector<CommandBinding> zset_pop_bindings() {
  return {
      {"zpopmin", zpopmin, Route::kKeys},
      {"zpopmax", zpopmax, Route::kKeys},
      {"zmpop", zmpop, Route::kHome},
      {"zrandmember", zrandmember, Route::kKeys},
  };
}

}  // namespace shardcache::server
