// The LIST commands over several keys, which may live on several shards: LMOVE RPOPLPUSH LMPOP.
// Each runs as a KeyGroup (inline when every key is home, else as a Transaction holding them).
#include <limits>
#include <memory>

#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/families.h"
#include "server/commands/key_group.h"
#include "server/commands/list_family.h"
#include "server/commands/lookup.h"
#include "server/ascii.h"
#include "server/shard.h"

namespace shardcache::server {
namespace {

using storage::ListValue;

const char* push_name(End end) { return end == End::kLeft ? "LPUSH" : "RPUSH"; }

struct Move {
  std::string source, destination;
  End from, to;
  enum class Outcome { kPending, kEmpty, kWrongType, kMoved } outcome = Outcome::kPending;
  std::string value;
};

// Checks the source (absent: null; another type: WRONGTYPE) as Redis does, before the
// destination.
void check_source(Move& move, Shard& shard, int db) {
  storage::Entry* entry = nullptr;
  bool wrong_type = false;
  ListValue* list = find_list(shard.db(db), move.source, &entry, &wrong_type);
  if (wrong_type) {
    move.outcome = Move::Outcome::kWrongType;
  } else if (list == nullptr) {
    move.outcome = Move::Outcome::kEmpty;
  }
}

void check_destination(Move& move, Shard& shard, int db) {
  storage::Entry* entry = shard.db(db).find(move.destination);
  if (entry != nullptr && entry->type() != ListValue::kType) {
    move.outcome = Move::Outcome::kWrongType;
  }
}

void pop_source(Move& move, Shard& shard, int db) {
  storage::Entry* entry = nullptr;
  bool wrong_type = false;
  ListValue* list = find_list(shard.db(db), move.source, &entry, &wrong_type);
  move.value = pop_values(shard, db, entry, list, move.source, move.from, 1)[0];
}

void push_destination(Move& move, Shard& shard, int db) {
  const std::string_view values[] = {move.value};
  const std::string_view effect[] = {push_name(move.to), move.destination, move.value};
  push_values(shard, db, move.destination, values, move.to, effect);
  move.outcome = Move::Outcome::kMoved;
}

void finish_move(KeyGroup& group, const Move& move) {
  group.finish([&move](protocol::ReplyWriter& reply) {
    switch (move.outcome) {
      case Move::Outcome::kWrongType: reply.error(kErrWrongType); break;
      case Move::Outcome::kMoved: reply.bulk(move.value); break;
      default: reply.null();
    }
  });
}

void lmove(CommandContext& ctx) {
  const auto from = parse_end(ctx.args[3]);
  const auto to = parse_end(ctx.args[4]);
  if (!from || !to) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  move_element(ctx, std::string(ctx.args[1]), std::string(ctx.args[2]), *from, *to);
}

void rpoplpush(CommandContext& ctx) {
  move_element(ctx, std::string(ctx.args[1]), std::string(ctx.args[2]), End::kRight, End::kLeft);
}

void lmpop(CommandContext& ctx) {
  auto parsed = parse_multi_pop(ctx, 1);
  if (!parsed) return;
  struct Search {
    MultiPop request;
    std::string found_key;
    std::vector<std::string> values;
    bool wrong_type = false;
  };
  auto search = std::make_shared<Search>(Search{std::move(*parsed), {}, {}, false});
  KeyGroup::run(ctx, search->request.keys, [search](KeyGroup& group) {
    // Keys are tried in order, each on its shard; the first list found is popped.
    auto next = std::make_shared<std::function<void(std::size_t)>>();
    *next = [search, group = group.shared_from_this(), weak = std::weak_ptr(next)](std::size_t i) {
      if (i == search->request.keys.size()) {
        group->finish([](protocol::ReplyWriter& reply) { reply.null_array(); });
        return;
      }
      const std::string& key = search->request.keys[i];
      group->on_key(
          key,
          [search, &key, db = group->db()](Shard& shard) {
            storage::Entry* entry = nullptr;
            ListValue* list = find_list(shard.db(db), key, &entry, &search->wrong_type);
            if (list == nullptr) return;
            search->found_key = key;
            search->values = pop_values(shard, db, entry, list, key, search->request.end,
                                        search->request.count);
          },
          [search, group, i, next = weak.lock()] {
            if (search->wrong_type) {
              group->finish([](protocol::ReplyWriter& reply) { reply.error(kErrWrongType); });
            } else if (!search->values.empty()) {
              group->finish([search](protocol::ReplyWriter& reply) {
                reply_multi_pop(reply, search->found_key, search->values);
              });
            } else {
              (*next)(i + 1);
            }
          });
    };
    (*next)(0);
  });
}

}  // namespace

void move_element(CommandContext& ctx, std::string source, std::string destination, End from,
                  End to) {
  auto move = std::make_shared<Move>(Move{std::move(source), std::move(destination), from, to,
                                          Move::Outcome::kPending, {}});
  const std::vector<std::string> keys = {move->source, move->destination};
  KeyGroup::run(ctx, keys, [move](KeyGroup& group) {
    auto g = group.shared_from_this();
    const int db = g->db();
    if (g->shard_of(move->source) == g->shard_of(move->destination)) {
      g->on_key(
          move->source,
          [move, db](Shard& shard) {
            check_source(*move, shard, db);
            if (move->outcome == Move::Outcome::kPending) check_destination(*move, shard, db);
            if (move->outcome != Move::Outcome::kPending) return;
            pop_source(*move, shard, db);
            push_destination(*move, shard, db);
          },
          [move, g] { finish_move(*g, *move); });
      return;
    }
    // Two shards: check the source, then the destination's type, then pop, then push.
    g->on_key(move->source, [move, db](Shard& shard) { check_source(*move, shard, db); },
              [move, g, db] {
                if (move->outcome != Move::Outcome::kPending) return finish_move(*g, *move);
                g->on_key(
                    move->destination,
                    [move, db](Shard& shard) { check_destination(*move, shard, db); },
                    [move, g, db] {
                      if (move->outcome != Move::Outcome::kPending) return finish_move(*g, *move);
                      g->on_key(
                          move->source, [move, db](Shard& shard) { pop_source(*move, shard, db); },
                          [move, g, db] {
                            g->on_key(
                                move->destination,
                                [move, db](Shard& shard) { push_destination(*move, shard, db); },
                                [move, g] { finish_move(*g, *move); });
                          });
                    });
              });
  });
}

std::optional<MultiPop> parse_multi_pop(CommandContext& ctx, std::size_t numkeys_index) {
  constexpr std::int64_t kLongMax = std::numeric_limits<std::int64_t>::max();
  const auto numkeys =
      parse_range(ctx, ctx.args[numkeys_index], 1, kLongMax, "ERR numkeys should be greater than 0");
  if (!numkeys) return std::nullopt;
  const std::size_t after_keys = ctx.args.size() - numkeys_index - 1;
  if (static_cast<std::uint64_t>(*numkeys) >= after_keys) {
    ctx.reply.error(kErrSyntax);
    return std::nullopt;
  }
  MultiPop request;
  const std::size_t where = numkeys_index + 1 + static_cast<std::size_t>(*numkeys);
  for (std::size_t i = numkeys_index + 1; i < where; ++i) request.keys.emplace_back(ctx.args[i]);
  const auto end = parse_end(ctx.args[where]);
  if (!end) {
    ctx.reply.error(kErrSyntax);
    return std::nullopt;
  }
  request.end = *end;
  bool has_count = false;
  for (std::size_t i = where + 1; i < ctx.args.size(); ++i) {
    if (!has_count && iequals(ctx.args[i], "count") && i + 1 < ctx.args.size()) {
      const auto count =
          parse_range(ctx, ctx.args[++i], 1, kLongMax, "ERR count should be greater than 0");
      if (!count) return std::nullopt;
      request.count = static_cast<std::size_t>(*count);
      has_count = true;
    } else {
      ctx.reply.error(kErrSyntax);
      return std::nullopt;
    }
  }
  return request;
}

std::vector<CommandBinding> list_move_bindings() {
  return {
      {"lmove", lmove, Route::kHome},
      {"rpoplpush", rpoplpush, Route::kHome},
      {"lmpop", lmpop, Route::kHome},
  };
}

}  // namespace shardcache::server
