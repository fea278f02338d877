// The SORTED SET family's single-member commands: ZADD (NX XX GT LT CH INCR) ZINCRBY ZREM ZCARD
// ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT ZLEXCOUNT; zset_bindings() gathers the family's files.
#include <cmath>
#include <vector>

#include "server/blocking.h"
#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/container_access.h"
#include "server/commands/families.h"
#include "server/commands/zset_family.h"

namespace shardcache::server {
namespace {

struct ZaddFlags {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
};

// ZADD and ZINCRBY (which is ZADD key INCR increment member, options loop included, as Redis's
// zaddGenericCommand).
void zadd_generic(CommandContext& ctx, bool incr) {
  const std::string_view key = ctx.args[1];
  ZaddFlags flags;
  flags.incr = incr;
  std::size_t at = 2;
  for (; at < ctx.args.size(); ++at) {
    const std::string_view opt = ctx.args[at];
    if (option_is(opt, "nx")) flags.nx = true;
    else if (option_is(opt, "xx")) flags.xx = true;
    else if (option_is(opt, "ch")) flags.ch = true;
    else if (option_is(opt, "incr")) flags.incr = true;
    else if (option_is(opt, "gt")) flags.gt = true;
    else if (option_is(opt, "lt")) flags.lt = true;
    else break;
  }
  const std::size_t rest = ctx.args.size() - at;
  if (rest == 0 || rest % 2 != 0) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  const std::size_t pairs = rest / 2;
  if (flags.nx && flags.xx) {
    ctx.reply.error("ERR XX and NX options at the same time are not compatible");
    return;
  }
  if ((flags.gt && flags.nx) || (flags.lt && flags.nx) || (flags.gt && flags.lt)) {
    ctx.reply.error("ERR GT, LT, and/or NX options at the same time are not compatible");
    return;
  }
  if (flags.incr && pairs > 1) {
    ctx.reply.error("ERR INCR option supports a single increment-element pair");
    return;
  }
  std::vector<double> scores(pairs);
  for (std::size_t i = 0; i < pairs; ++i) {
    const auto score = parse_score(ctx.args[at + 2 * i]);
    if (!score) {
      ctx.reply.error(kErrNotFloat);
      return;
    }
    scores[i] = *score;
  }
  auto existing = open_write<ZSet>(ctx, key);
  if (!existing) return;
  if (!*existing && flags.xx) {
    if (flags.incr) ctx.reply.null();
    else ctx.reply.integer(0);
    return;
  }
  const storage::EncodingLimits limits = encoding_limits(ctx);
  const bool created = !*existing;
  auto opened = open_or_create<ZSet>(ctx, key, [&] {
    return ZSet::make_for(1, ctx.args[at + 1].size(), limits);
  });
  ZSet& zset = *opened->value;
  std::size_t added = 0, updated = 0, processed = 0;
  double last_score = 0;
  bool nan = false;
  for (std::size_t i = 0; i < pairs; ++i) {
    const std::string_view member = ctx.args[at + 2 * i + 1];
    double score = scores[i];
    const std::optional<double> current = zset.score(member);
    if (current) {
      if (flags.nx) continue;
      if (flags.incr) {
        score += *current;
        if (std::isnan(score)) {
          nan = true;
          break;
        }
      }
      if ((flags.lt && score >= *current) || (flags.gt && score <= *current)) continue;
      if (score != *current) {
        zset.set(member, score, limits);
        ++updated;
      }
    } else {
      if (flags.xx) continue;
      zset.set(member, score, limits);
      ++added;
    }
    ++processed;
    last_score = score;
  }
  if (added + updated > 0 || created) commit(ctx, *opened, ctx.args);
  // Only a key that was absent can have clients blocked on it (BZPOPMIN ...).
  if (created && added > 0) blocking::signal_key_ready(ctx.shard, ctx.db, key);
  if (nan) {
    ctx.reply.error(kErrNan);
  } else if (flags.incr) {
    if (processed > 0) ctx.reply.dbl(last_score);
    else ctx.reply.null();
  } else {
    ctx.reply.integer(static_cast<std::int64_t>(flags.ch ? added + updated : added));
  }
}

void zadd(CommandContext& ctx) { zadd_generic(ctx, false); }
void zincrby(CommandContext& ctx) { zadd_generic(ctx, true); }

void zrem(CommandContext& ctx) {
  auto opened = open_write<ZSet>(ctx, ctx.args[1]);
  if (!opened) return;
  if (!*opened) {
    ctx.reply.integer(0);
    return;
  }
  std::int64_t removed = 0;
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    if (opened->value->remove(ctx.args[i])) ++removed;
    if (opened->value->size() == 0) break;
  }
  if (removed > 0) commit(ctx, *opened, ctx.args);
  ctx.reply.integer(removed);
}

void zcard(CommandContext& ctx) {
  auto opened = open_read<ZSet>(ctx, ctx.args[1]);
  if (!opened) return;
  ctx.reply.integer(*opened ? static_cast<std::int64_t>(opened->value->size()) : 0);
}

void zscore(CommandContext& ctx) {
  auto opened = open_read<ZSet>(ctx, ctx.args[1]);
  if (!opened) return;
  const auto score = *opened ? opened->value->score(ctx.args[2]) : std::nullopt;
  if (score) ctx.reply.dbl(*score);
  else ctx.reply.null();
}

void zmscore(CommandContext& ctx) {
  auto opened = open_read<ZSet>(ctx, ctx.args[1]);
  if (!opened) return;
  ctx.reply.array(ctx.args.size() - 2);
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    const auto score = *opened ? opened->value->score(ctx.args[i]) : std::nullopt;
    if (score) ctx.reply.dbl(*score);
    else ctx.reply.null();
  }
}

void zrank_generic(CommandContext& ctx, bool reverse) {
  auto opened = open_read<ZSet>(ctx, ctx.args[1]);
  if (!opened) return;
  const auto rank = *opened ? opened->value->rank(ctx.args[2]) : std::nullopt;
  if (!rank) {
    ctx.reply.null();
    return;
  }
  const std::size_t size = opened->value->size();
  ctx.reply.integer(static_cast<std::int64_t>(reverse ? size - 1 - *rank : *rank));
}

void zrank(CommandContext& ctx) { zrank_generic(ctx, false); }
void zrevrank(CommandContext& ctx) { zrank_generic(ctx, true); }

// ZCOUNT and ZLEXCOUNT: members within a parsed score or lex range (the error when unparsed).
template <class Range>
void count_in_range(CommandContext& ctx, const std::optional<Range>& range, const char* error) {
  if (!range) {
    ctx.reply.error(error);
    return;
  }
  auto opened = open_read<ZSet>(ctx, ctx.args[1]);
  if (!opened) return;
  if (!*opened) {
    ctx.reply.integer(0);
    return;
  }
  const auto [first, last] = ranks_in(*opened->value, *range);
  ctx.reply.integer(first < last ? static_cast<std::int64_t>(last - first) : 0);
}

void zcount(CommandContext& ctx) {
  count_in_range(ctx, parse_score_range(ctx.args[2], ctx.args[3]), kErrScoreRange);
}

void zlexcount(CommandContext& ctx) {
  count_in_range(ctx, parse_lex_range(ctx.args[2], ctx.args[3]), kErrLexRange);
}

}  // namespace

std::vector<CommandBinding> zset_basic_bindings() {
  return {
      {"zadd", zadd, Route::kKeys},         {"zincrby", zincrby, Route::kKeys},
      {"zrem", zrem, Route::kKeys},         {"zcard", zcard, Route::kKeys},
      {"zscore", zscore, Route::kKeys},     {"zmscore", zmscore, Route::kKeys},
      {"zrank", zrank, Route::kKeys},       {"zrevrank", zrevrank, Route::kKeys},
      {"zcount", zcount, Route::kKeys},     {"zlexcount", zlexcount, Route::kKeys},
  };
}

std::vector<CommandBinding> zset_bindings() {
  std::vector<CommandBinding> all;
  for (auto part : {zset_basic_bindings, zset_range_bindings, zset_pop_bindings,
                    zset_setop_bindings, zset_scan_bindings, zset_blocking_bindings}) {
    for (CommandBinding& binding : part()) all.push_back(binding);
  }
  return all;
}

}  // namespace shardcache::server
