// The LIST commands that address elements by position or value: LRANGE LINDEX LSET LINSERT LREM
// LTRIM LPOS. Positions are Redis's: negative counts from the tail, ranges are clamped.
#include <limits>

#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/container_access.h"
#include "server/commands/families.h"
#include "server/commands/list_family.h"
#include "server/ascii.h"
#include "server/shard.h"

namespace shardcache::server {
namespace {

using storage::ListValue;

constexpr std::int64_t kLongMax = std::numeric_limits<std::int64_t>::max();

std::optional<std::int64_t> parse_long(CommandContext& ctx, std::string_view text) {
  const auto value = parse_int64(text);
  if (!value) ctx.reply.error(kErrNotInteger);
  return value;
}

// A [start, stop] range over `length` elements as Redis clamps it; empty when start > stop.
struct Range {
  std::int64_t start, stop;
  bool empty() const { return start > stop; }
};

Range clamp(std::int64_t start, std::int64_t stop, std::int64_t length) {
  if (start < 0) start += length;
  if (stop < 0) stop += length;
  if (start < 0) start = 0;
  if (start > stop || start >= length) return {1, 0};
  if (stop >= length) stop = length - 1;
  return {start, stop};
}

void lrange(CommandContext& ctx) {
  const auto start = parse_long(ctx, ctx.args[2]);
  if (!start) return;
  const auto stop = parse_long(ctx, ctx.args[3]);
  if (!stop) return;
  const auto opened = open_read<ListValue>(ctx, ctx.args[1]);
  if (!opened) return;
  if (!*opened) {
    ctx.reply.array(0);
    return;
  }
  const ListValue& list = *opened->value;
  const Range range = clamp(*start, *stop, static_cast<std::int64_t>(list.size()));
  if (range.empty()) {
    ctx.reply.array(0);
    return;
  }
  std::size_t left = static_cast<std::size_t>(range.stop - range.start + 1);
  ctx.reply.array(left);
  list.visit(static_cast<std::size_t>(range.start), false, [&](std::string_view value) {
    ctx.reply.bulk(value);
    return --left > 0;
  });
}

void lindex(CommandContext& ctx) {
  // As Redis: the key is looked up before the index is parsed.
  const auto opened = open_read<ListValue>(ctx, ctx.args[1]);
  if (!opened) return;
  if (!*opened) {
    ctx.reply.null();
    return;
  }
  const auto index = parse_long(ctx, ctx.args[2]);
  if (!index) return;
  const auto length = static_cast<std::int64_t>(opened->value->size());
  const std::int64_t at = *index < 0 ? *index + length : *index;
  if (at < 0 || at >= length) {
    ctx.reply.null();
    return;
  }
  ctx.reply.bulk(opened->value->at(static_cast<std::size_t>(at)));
}

void lset(CommandContext& ctx) {
  const auto opened = open_write<ListValue>(ctx, ctx.args[1]);
  if (!opened) return;
  if (!*opened) {
    ctx.reply.error("ERR no such key");
    return;
  }
  const auto index = parse_long(ctx, ctx.args[2]);
  if (!index) return;
  const auto length = static_cast<std::int64_t>(opened->value->size());
  const std::int64_t at = *index < 0 ? *index + length : *index;
  if (at < 0 || at >= length) {
    ctx.reply.error("ERR index out of range");
    return;
  }
  opened->value->set(static_cast<std::size_t>(at), ctx.args[3]);
  commit(ctx, *opened, ctx.args);
  ctx.reply.ok();
}

void linsert(CommandContext& ctx) {
  bool after = false;
  if (iequals(ctx.args[2], "after")) {
    after = true;
  } else if (!iequals(ctx.args[2], "before")) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  const auto opened = open_write<ListValue>(ctx, ctx.args[1]);
  if (!opened) return;
  if (!*opened) {
    ctx.reply.integer(0);
    return;
  }
  ListValue& list = *opened->value;
  list.set_fill(ctx.shard.config().list_max_listpack_size);
  if (!list.insert(ctx.args[3], ctx.args[4], after)) {
    ctx.reply.integer(-1);
    return;
  }
  const auto length = static_cast<std::int64_t>(list.size());
  commit(ctx, *opened, ctx.args);
  ctx.reply.integer(length);
}

void lrem(CommandContext& ctx) {
  const auto count = parse_long(ctx, ctx.args[2]);
  if (!count) return;
  const auto opened = open_write<ListValue>(ctx, ctx.args[1]);
  if (!opened) return;
  if (!*opened) {
    ctx.reply.integer(0);
    return;
  }
  const bool from_tail = *count < 0;
  // |LLONG_MIN| does not fit: any count that large removes every match anyway.
  const std::size_t limit = *count == std::numeric_limits<std::int64_t>::min()
                                ? 0
                                : static_cast<std::size_t>(from_tail ? -*count : *count);
  const std::size_t removed = opened->value->remove(ctx.args[3], limit, from_tail);
  if (removed > 0) commit(ctx, *opened, ctx.args);
  ctx.reply.integer(static_cast<std::int64_t>(removed));
}

void ltrim(CommandContext& ctx) {
  const auto start = parse_long(ctx, ctx.args[2]);
  if (!start) return;
  const auto stop = parse_long(ctx, ctx.args[3]);
  if (!stop) return;
  const auto opened = open_write<ListValue>(ctx, ctx.args[1]);
  if (!opened) return;
  if (!*opened) {
    ctx.reply.ok();
    return;
  }
  ListValue& list = *opened->value;
  const auto length = static_cast<std::int64_t>(list.size());
  const Range range = clamp(*start, *stop, length);
  if (range.empty()) {
    list.drop_front(list.size());
  } else {
    list.drop_back(static_cast<std::size_t>(length - 1 - range.stop));
    list.drop_front(static_cast<std::size_t>(range.start));
  }
  if (static_cast<std::int64_t>(list.size()) != length) commit(ctx, *opened, ctx.args);
  ctx.reply.ok();
}

void lpos(CommandContext& ctx) {
  std::int64_t rank = 1, count = -1, maxlen = 0;
  for (std::size_t i = 3; i < ctx.args.size(); ++i) {
    const std::string_view option = ctx.args[i];
    const bool more = i + 1 < ctx.args.size();
    if (more && iequals(option, "rank")) {
      const auto parsed = parse_long(ctx, ctx.args[++i]);
      if (!parsed) return;
      if (*parsed == 0) {
        ctx.reply.error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
            "or use negative to start from the end of the list");
        return;
      }
      rank = *parsed;
    } else if (more && iequals(option, "count")) {
      const auto parsed = parse_range(ctx, ctx.args[++i], 0, kLongMax, "ERR COUNT can't be negative");
      if (!parsed) return;
      count = *parsed;
    } else if (more && iequals(option, "maxlen")) {
      const auto parsed =
          parse_range(ctx, ctx.args[++i], 0, kLongMax, "ERR MAXLEN can't be negative");
      if (!parsed) return;
      maxlen = *parsed;
    } else {
      ctx.reply.error(kErrSyntax);
      return;
    }
  }
  const bool from_tail = rank < 0;
  // Redis 7.0 negates LLONG_MIN into itself, which every match then reaches: rank 1.
  if (from_tail) rank = rank == std::numeric_limits<std::int64_t>::min() ? 1 : -rank;
  const auto opened = open_read<ListValue>(ctx, ctx.args[1]);
  if (!opened) return;
  if (!*opened) {
    if (count != -1) {
      ctx.reply.array(0);
    } else {
      ctx.reply.null();
    }
    return;
  }
  const ListValue& list = *opened->value;
  const auto length = static_cast<std::int64_t>(list.size());
  const std::string_view element = ctx.args[2];
  std::vector<std::int64_t> found;
  std::int64_t index = 0, matches = 0;
  list.visit(0, from_tail, [&](std::string_view value) {
    if (maxlen != 0 && index >= maxlen) return false;
    if (value == element && ++matches >= rank) {
      found.push_back(from_tail ? length - index - 1 : index);
      // Without COUNT the first match at the rank answers; COUNT 0 collects every match.
      if (count == -1 || (count != 0 && static_cast<std::int64_t>(found.size()) >= count)) {
        return false;
      }
    }
    ++index;
    return true;
  });
  if (count == -1) {
    if (found.empty()) {
      ctx.reply.null();
    } else {
      ctx.reply.integer(found[0]);
    }
    return;
  }
  ctx.reply.array(found.size());
  for (std::int64_t position : found) ctx.reply.integer(position);
}

}  // namespace

std::vector<CommandBinding> list_index_bindings() {
  return {
      {"lrange", lrange, Route::kKeys}, {"lindex", lindex, Route::kKeys},
      {"lset", lset, Route::kKeys},     {"linsert", linsert, Route::kKeys},
      {"lrem", lrem, Route::kKeys},     {"ltrim", ltrim, Route::kKeys},
      {"lpos", lpos, Route::kKeys},
  };
}

}  // namespace shardcache::server
