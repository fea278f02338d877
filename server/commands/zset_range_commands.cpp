// ZRANGE (BYSCORE BYLEX REV LIMIT WITHSCORES) and its older forms ZREVRANGE ZRANGEBYSCORE
// ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX, ZRANGESTORE (source and destination may live on
// different shards), and ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX. Argument parsing and
// its errors follow Redis's zrangeGenericCommand and zremrangeGenericCommand in order.
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/container_access.h"
#include "server/commands/key_group.h"
#include "server/commands/lookup.h"
#include "server/commands/zset_family.h"
#include "server/shard.h"

namespace shardcache::server {
namespace {

enum class RangeType { kAuto, kRank, kScore, kLex };
enum class Direction { kAuto, kForward, kReverse };

struct RangeSpec {
  RangeType type = RangeType::kAuto;
  bool reverse = false;
  long long start = 0, end = 0;  // ranks
  ScoreRange score;
  LexRange lex;
  long long offset = 0, limit = -1;
  bool withscores = false;
};

// Parses a range request whose key is args[first]; false after replying an error.
bool parse_range(CommandContext& ctx, std::size_t first, bool store, RangeType type,
                 Direction direction, RangeSpec& spec) {
  const auto& args = ctx.args;
  std::size_t min_at = first + 1, max_at = first + 2;
  for (std::size_t j = first + 3; j < args.size(); ++j) {
    const std::size_t left = args.size() - j - 1;
    if (!store && option_is(args[j], "withscores")) {
      spec.withscores = true;
    } else if (option_is(args[j], "limit") && left >= 2) {
      const auto offset = parse_long(args[j + 1]);
      const auto limit = offset ? parse_long(args[j + 2]) : std::nullopt;
      if (!offset || !limit) {
        ctx.reply.error(kErrNotInteger);
        return false;
      }
      spec.offset = *offset;
      spec.limit = *limit;
      j += 2;
    } else if (direction == Direction::kAuto && option_is(args[j], "rev")) {
      direction = Direction::kReverse;
    } else if (type == RangeType::kAuto && option_is(args[j], "bylex")) {
      type = RangeType::kLex;
    } else if (type == RangeType::kAuto && option_is(args[j], "byscore")) {
      type = RangeType::kScore;
    } else {
      ctx.reply.error(kErrSyntax);
      return false;
    }
  }
  if (direction == Direction::kAuto) direction = Direction::kForward;
  if (type == RangeType::kAuto) type = RangeType::kRank;
  if (spec.limit != -1 && type == RangeType::kRank) {
    ctx.reply.error(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    return false;
  }
  if (spec.withscores && type == RangeType::kLex) {
    ctx.reply.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    return false;
  }
  spec.type = type;
  spec.reverse = direction == Direction::kReverse;
  if (spec.reverse && type != RangeType::kRank) std::swap(min_at, max_at);
  switch (type) {
    case RangeType::kAuto:
    case RangeType::kRank: {
      const auto start = parse_long(args[min_at]);
      const auto end = start ? parse_long(args[max_at]) : std::nullopt;
      if (!start || !end) {
        ctx.reply.error(kErrNotInteger);
        return false;
      }
      spec.start = *start;
      spec.end = *end;
      break;
    }
    case RangeType::kScore: {
      const auto range = parse_score_range(args[min_at], args[max_at]);
      if (!range) {
        ctx.reply.error(kErrScoreRange);
        return false;
      }
      spec.score = *range;
      break;
    }
    case RangeType::kLex: {
      auto range = parse_lex_range(args[min_at], args[max_at]);
      if (!range) {
        ctx.reply.error(kErrLexRange);
        return false;
      }
      spec.lex = std::move(*range);
      break;
    }
  }
  return true;
}

// Redis's rank sanitizing: negative ranks count from the end; [start, end] clipped. False when
// the range is empty.
bool clip_ranks(long long& start, long long& end, long long size) {
  if (start < 0) start += size;
  if (end < 0) end += size;
  if (start < 0) start = 0;
  if (start > end || start >= size) return false;
  if (end >= size) end = size - 1;
  return true;
}

std::vector<Scored> select_range(const ZSet& zset, const RangeSpec& spec) {
  const auto size = static_cast<long long>(zset.size());
  if (spec.type == RangeType::kRank) {
    long long start = spec.start, end = spec.end;
    if (!clip_ranks(start, end, size)) return {};
    if (spec.reverse) {
      return copy_ranks(zset, static_cast<std::size_t>(size - 1 - end),
                        static_cast<std::size_t>(size - start), true);
    }
    return copy_ranks(zset, static_cast<std::size_t>(start), static_cast<std::size_t>(end + 1),
                      false);
  }
  const auto [first, last] =
      spec.type == RangeType::kScore ? ranks_in(zset, spec.score) : ranks_in(zset, spec.lex);
  if (first >= last || spec.offset < 0) return {};
  const auto in_range = static_cast<long long>(last - first);
  if (spec.offset >= in_range) return {};
  long long count = in_range - spec.offset;
  if (spec.limit >= 0 && spec.limit < count) count = spec.limit;
  const auto offset = static_cast<std::size_t>(spec.offset);
  const auto n = static_cast<std::size_t>(count);
  if (spec.reverse) return copy_ranks(zset, last - offset - n, last - offset, true);
  return copy_ranks(zset, first + offset, first + offset + n, false);
}

void zrange_generic(CommandContext& ctx, RangeType type, Direction direction) {
  RangeSpec spec;
  if (!parse_range(ctx, 1, false, type, direction, spec)) return;
  auto opened = open_read<ZSet>(ctx, ctx.args[1]);
  if (!opened) return;
  if (!*opened) {
    ctx.reply.array(0);
    return;
  }
  reply_scored(ctx.reply, select_range(*opened->value, spec), spec.withscores);
}

void zrange(CommandContext& ctx) { zrange_generic(ctx, RangeType::kAuto, Direction::kAuto); }
void zrevrange(CommandContext& ctx) {
  zrange_generic(ctx, RangeType::kRank, Direction::kReverse);
}
void zrangebyscore(CommandContext& ctx) {
  zrange_generic(ctx, RangeType::kScore, Direction::kForward);
}
void zrevrangebyscore(CommandContext& ctx) {
  zrange_generic(ctx, RangeType::kScore, Direction::kReverse);
}
void zrangebylex(CommandContext& ctx) {
  zrange_generic(ctx, RangeType::kLex, Direction::kForward);
}
void zrevrangebylex(CommandContext& ctx) {
  zrange_generic(ctx, RangeType::kLex, Direction::kReverse);
}

// ZRANGESTORE's state, shared by its steps.
struct RangeStore {
  std::vector<std::string> args;
  RangeSpec spec;
  bool wrong_type = false;
  std::vector<Scored> items;
};

void zrangestore(CommandContext& ctx) {
  auto call = std::make_shared<RangeStore>();
  if (!parse_range(ctx, 2, true, RangeType::kAuto, Direction::kAuto, call->spec)) return;
  call->args.assign(ctx.args.begin(), ctx.args.end());
  const std::string dst(ctx.args[1]), src(ctx.args[2]);
  KeyGroup::run(ctx, {dst, src}, [call, dst, src](KeyGroup& group) {
    group.on_key(
        src,
        [call, src, &group](Shard& shard) {
          storage::Entry* entry = lookup_read(shard, group.db(), src);
          if (entry == nullptr) return;
          if (entry->type() != ZSet::kType) {
            call->wrong_type = true;
            return;
          }
          call->items = select_range(*static_cast<ZSet*>(entry->container()), call->spec);
        },
        [call, dst, &group] {
          if (call->wrong_type) {
            group.finish([](protocol::ReplyWriter& reply) { reply.error(kErrWrongType); });
            return;
          }
          group.on_key(
              dst,
              [call, dst, &group](Shard& shard) {
                const std::size_t hint =
                    call->spec.type == RangeType::kRank ? call->items.size() : 0;
                store_scored(shard, group.db(), dst, call->items, hint, 0, call->args);
              },
              [call, &group] {
                const auto stored = static_cast<std::int64_t>(call->items.size());
                group.finish([stored](protocol::ReplyWriter& reply) { reply.integer(stored); });
              });
        });
  });
}

// ZREMRANGEBYRANK / BYSCORE / BYLEX.
void zremrange_generic(CommandContext& ctx, RangeType type) {
  RangeSpec spec;
  spec.type = type;
  if (type == RangeType::kRank) {
    const auto start = parse_long(ctx.args[2]);
    const auto end = start ? parse_long(ctx.args[3]) : std::nullopt;
    if (!start || !end) {
      ctx.reply.error(kErrNotInteger);
      return;
    }
    spec.start = *start;
    spec.end = *end;
  } else if (type == RangeType::kScore) {
    const auto range = parse_score_range(ctx.args[2], ctx.args[3]);
    if (!range) {
      ctx.reply.error(kErrScoreRange);
      return;
    }
    spec.score = *range;
  } else {
    auto range = parse_lex_range(ctx.args[2], ctx.args[3]);
    if (!range) {
      ctx.reply.error(kErrLexRange);
      return;
    }
    spec.lex = std::move(*range);
  }
  auto opened = open_write<ZSet>(ctx, ctx.args[1]);
  if (!opened) return;
  if (!*opened) {
    ctx.reply.integer(0);
    return;
  }
  ZSet& zset = *opened->value;
  std::size_t first = 0, last = 0;
  if (type == RangeType::kRank) {
    long long start = spec.start, end = spec.end;
    if (clip_ranks(start, end, static_cast<long long>(zset.size()))) {
      first = static_cast<std::size_t>(start);
      last = static_cast<std::size_t>(end + 1);
    }
  } else {
    std::tie(first, last) =
        type == RangeType::kScore ? ranks_in(zset, spec.score) : ranks_in(zset, spec.lex);
  }
  if (first >= last) {
    ctx.reply.integer(0);
    return;
  }
  zset.erase_ranks(first, last);
  commit(ctx, *opened, ctx.args);
  ctx.reply.integer(static_cast<std::int64_t>(last - first));
}

void zremrangebyrank(CommandContext& ctx) { zremrange_generic(ctx, RangeType::kRank); }
void zremrangebyscore(CommandContext& ctx) { zremrange_generic(ctx, RangeType::kScore); }
void zremrangebylex(CommandContext& ctx) { zremrange_generic(ctx, RangeType::kLex); }

}  // namespace

std::vector<CommandBinding> zset_range_bindings() {
  return {
      {"zrange", zrange, Route::kKeys},
      {"zrevrange", zrevrange, Route::kKeys},
      {"zrangebyscore", zrangebyscore, Route::kKeys},
      {"zrevrangebyscore", zrevrangebyscore, Route::kKeys},
      {"zrangebylex", zrangebylex, Route::kKeys},
      {"zrevrangebylex", zrevrangebylex, Route::kKeys},
      {"zrangestore", zrangestore, Route::kHome},
      {"zremrangebyrank", zremrangebyrank, Route::kKeys},
      {"zremrangebyscore", zremrangebyscore, Route::kKeys},
      {"zremrangebylex", zremrangebylex, Route::kKeys},
  };
}

}  // namespace shardcache::server
