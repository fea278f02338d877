// The SET family's multi-key commands: SINTER SINTERCARD SUNION SDIFF, their *STORE forms, and
// SMOVE. Their keys may live on several shards, so each runs as a KeyGroup:
//
//   1. on every shard holding a source key: look the keys up (WRONGTYPE is decided over all of
//      them before anything is written, as Redis). When all sources live on one shard the
//      result is computed there from the sets themselves; otherwise each shard hands a copy of
//      its sets to the home thread, which computes the result.
//   2. *STORE and SMOVE: write the destination on its own shard.
#include <algorithm>
#include <climits>
#include <memory>
#include <string>
#include <vector>

#include "server/ascii.h"
#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/container_access.h"
#include "server/commands/key_group.h"
#include "server/commands/set_family.h"
#include "server/server.h"
#include "server/shard.h"
#include "storage/set_value.h"

namespace shardcache::server {
namespace {

using storage::SetValue;

enum class SetOp { kInter, kUnion, kDiff };

// What a SINTER/SUNION/SDIFF family call computes, shared by its steps.
struct SetOpCall {
  SetOp op;
  std::vector<std::string> keys;  // the source keys
  std::string destination;        // *STORE only
  bool store = false;
  bool cardinality_only = false;  // SINTERCARD
  std::size_t limit = 0;          // SINTERCARD LIMIT (0: none)
  storage::EncodingLimits limits;

  // Filled by step 1. Each shard writes only the slots of its own keys.
  std::vector<std::unique_ptr<SetValue>> copies;  // multi-shard: a copy of each present set
  std::vector<char> wrong_type;                   // char, not bool: written from several threads
  bool single_shard = false;
  // The result: members in reply order (SINTER, SINTERCARD's count) or a built set.
  std::vector<std::string> inter_members;
  std::size_t cardinality = 0;
  std::unique_ptr<SetValue> built;
};

// SINTER over `sets` (nullptr: an absent key, an empty set): the smallest set's members, in its
// order, that all others hold — Redis's order. Stops at `limit` members when non-zero.
void intersect(SetOpCall& call, const std::vector<const SetValue*>& sets) {
  for (const SetValue* set : sets) {
    if (set == nullptr) return;
  }
  std::vector<const SetValue*> by_size = sets;
  std::stable_sort(by_size.begin(), by_size.end(),
                   [](const SetValue* a, const SetValue* b) { return a->size() < b->size(); });
  const SetValue* smallest = by_size.front();
  const bool keep_members = !call.cardinality_only;
  // for_each cannot stop early; the members past the limit are skipped.
  smallest->for_each([&](std::string_view member) {
    if (call.limit != 0 && call.cardinality >= call.limit) return;
    for (std::size_t i = 1; i < by_size.size(); ++i) {
      if (!by_size[i]->contains(member)) return;
    }
    ++call.cardinality;
    if (keep_members) call.inter_members.emplace_back(member);
  });
}

// SUNION / SDIFF into a new set built as Redis builds its result (so an all-integer result is an
// intset, replied in ascending order).
void union_or_diff(SetOpCall& call, const std::vector<const SetValue*>& sets) {
  call.built = std::make_unique<SetValue>();
  SetValue& out = *call.built;
  if (call.op == SetOp::kUnion) {
    for (const SetValue* set : sets) {
      if (set != nullptr) set->for_each([&](std::string_view m) { out.add(m, call.limits); });
    }
    return;
  }
  if (sets.front() == nullptr) return;
  sets.front()->for_each([&](std::string_view member) {
    for (std::size_t i = 1; i < sets.size(); ++i) {
      if (sets[i] != nullptr && sets[i]->contains(member)) return;
    }
    out.add(member, call.limits);
  });
}

void compute(SetOpCall& call, const std::vector<const SetValue*>& sets) {
  if (call.op == SetOp::kInter) {
    intersect(call, sets);
    if (call.store) {
      call.built = std::make_unique<SetValue>();
      for (const std::string& member : call.inter_members) call.built->add(member, call.limits);
    }
  } else {
    union_or_diff(call, sets);
  }
}

// Step 1 on one shard: looks up the keys it owns (reads count hits and misses, as Redis's
// lookupKeyRead; the *STORE forms look up for writing).
void gather_on(Shard& shard, KeyGroup& group, SetOpCall& call) {
  std::vector<const SetValue*> sets(call.keys.size(), nullptr);
  storage::Keyspace& db = shard.db(group.db());
  for (std::size_t i = 0; i < call.keys.size(); ++i) {
    if (group.shard_of(call.keys[i]) != shard.index()) continue;
    storage::Entry* entry =
        call.store ? db.find(call.keys[i]) : lookup_read(shard, group.db(), call.keys[i]);
    if (entry == nullptr) continue;
    if (entry->type() != storage::ValueType::kSet) {
      call.wrong_type[i] = 1;
      continue;
    }
    sets[i] = static_cast<const SetValue*>(entry->container());
  }
  if (!call.single_shard) {
    for (std::size_t i = 0; i < sets.size(); ++i) {
      if (sets[i] != nullptr) call.copies[i] = sets[i]->clone_set();
    }
    return;
  }
  if (std::find(call.wrong_type.begin(), call.wrong_type.end(), 1) == call.wrong_type.end()) {
    compute(call, sets);
  }
}

void write_members(protocol::ReplyWriter& reply, const SetOpCall& call) {
  if (call.built != nullptr) {
    reply.set(call.built->size());
    call.built->for_each([&](std::string_view member) { reply.bulk(member); });
    return;
  }
  reply.set(call.inter_members.size());
  for (const std::string& member : call.inter_members) reply.bulk(member);
}

// Step 2 of a *STORE: the destination is replaced by the result, or deleted when it is empty.
// Recorded as DEL then SADD of the members, which a replica replays to the same set.
void store_on(Shard& shard, KeyGroup& group, SetOpCall& call) {
  storage::Keyspace& db = shard.db(group.db());
  db.remove(call.destination);
  if (call.built == nullptr || call.built->size() == 0) return;
  std::vector<std::string> members;
  members.reserve(call.built->size());
  call.built->for_each([&](std::string_view member) { members.emplace_back(member); });
  std::vector<std::string_view> effect{"SADD", call.destination};
  effect.insert(effect.end(), members.begin(), members.end());
  storage::Entry* entry = db.set_container(call.destination, std::move(call.built));
  db.commit(entry, effect);
}

void finish_set_op(KeyGroup& group, const std::shared_ptr<SetOpCall>& call) {
  if (std::find(call->wrong_type.begin(), call->wrong_type.end(), 1) != call->wrong_type.end()) {
    group.finish([](protocol::ReplyWriter& reply) { reply.error(kErrWrongType); });
    return;
  }
  if (!call->single_shard) {
    std::vector<const SetValue*> sets;
    for (const auto& copy : call->copies) sets.push_back(copy.get());
    compute(*call, sets);
  }
  if (!call->store) {
    group.finish([call](protocol::ReplyWriter& reply) {
      if (call->cardinality_only) {
        reply.integer(static_cast<std::int64_t>(call->cardinality));
      } else {
        write_members(reply, *call);
      }
    });
    return;
  }
  const auto size = static_cast<std::int64_t>(call->built->size());
  KeyGroup* g = &group;
  group.on_key(
      call->destination, [g, call](Shard& shard) { store_on(shard, *g, *call); },
      [g, size] { g->finish([size](protocol::ReplyWriter& reply) { reply.integer(size); }); });
}

void run_set_op(CommandContext& ctx, std::shared_ptr<SetOpCall> call) {
  call->limits = encoding_limits(ctx);
  call->copies.resize(call->keys.size());
  call->wrong_type.assign(call->keys.size(), 0);
  std::vector<std::string> all_keys = call->keys;
  if (call->store) all_keys.push_back(call->destination);
  KeyGroup::run(ctx, all_keys, [call](KeyGroup& group) {
    std::vector<int> shards;
    for (const std::string& key : call->keys) shards.push_back(group.shard_of(key));
    call->single_shard = std::all_of(shards.begin(), shards.end(),
                                     [&](int shard) { return shard == shards.front(); });
    KeyGroup* g = &group;
    group.on(
        shards, [g, call](Shard& shard) { gather_on(shard, *g, *call); },
        [g, call] { finish_set_op(*g, call); });
  });
}

std::shared_ptr<SetOpCall> set_op_call(CommandContext& ctx, SetOp op, std::size_t first_key,
                                       bool store) {
  auto call = std::make_shared<SetOpCall>();
  call->op = op;
  call->store = store;
  if (store) call->destination = std::string(ctx.args[1]);
  call->keys.assign(ctx.args.begin() + static_cast<std::ptrdiff_t>(first_key), ctx.args.end());
  return call;
}

void sinter(CommandContext& ctx) { run_set_op(ctx, set_op_call(ctx, SetOp::kInter, 1, false)); }
void sunion(CommandContext& ctx) { run_set_op(ctx, set_op_call(ctx, SetOp::kUnion, 1, false)); }
void sdiff(CommandContext& ctx) { run_set_op(ctx, set_op_call(ctx, SetOp::kDiff, 1, false)); }
void sinterstore(CommandContext& ctx) {
  run_set_op(ctx, set_op_call(ctx, SetOp::kInter, 2, true));
}
void sunionstore(CommandContext& ctx) {
  run_set_op(ctx, set_op_call(ctx, SetOp::kUnion, 2, true));
}
void sdiffstore(CommandContext& ctx) { run_set_op(ctx, set_op_call(ctx, SetOp::kDiff, 2, true)); }

// SINTERCARD numkeys key [key ...] [LIMIT limit]
void sintercard(CommandContext& ctx) {
  const auto numkeys = parse_int64(ctx.args[1]);
  if (!numkeys || *numkeys < 1) {
    ctx.reply.error("ERR numkeys should be greater than 0");
    return;
  }
  if (static_cast<std::uint64_t>(*numkeys) > ctx.args.size() - 2) {
    ctx.reply.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  auto call = std::make_shared<SetOpCall>();
  call->op = SetOp::kInter;
  call->cardinality_only = true;
  const std::size_t end = 2 + static_cast<std::size_t>(*numkeys);
  call->keys.assign(ctx.args.begin() + 2, ctx.args.begin() + static_cast<std::ptrdiff_t>(end));
  for (std::size_t i = end; i < ctx.args.size(); ++i) {
    if (iequals(ctx.args[i], "limit") && i + 1 < ctx.args.size()) {
      const auto limit = parse_int64(ctx.args[++i]);
      if (!limit || *limit < 0) {
        ctx.reply.error("ERR LIMIT can't be negative");
        return;
      }
      call->limit = static_cast<std::size_t>(*limit);
    } else {
      ctx.reply.error(kErrSyntax);
      return;
    }
  }
  run_set_op(ctx, std::move(call));
}

// What SMOVE's first step learns about its two keys.
struct SmoveCall {
  std::string source, destination, member;
  storage::EncodingLimits limits;
  bool source_exists = false;
  bool wrong_type = false;
  bool member_found = false;
};

// SMOVE source destination member: as Redis, an absent source answers 0 before any type check;
// a source or destination of another type answers WRONGTYPE; the same key answers whether it
// holds the member.
void smove_inspect(Shard& shard, KeyGroup& group, SmoveCall& call) {
  storage::Keyspace& db = shard.db(group.db());
  if (group.shard_of(call.source) == shard.index()) {
    storage::Entry* entry = db.find(call.source);
    if (entry != nullptr) {
      call.source_exists = true;
      if (entry->type() != storage::ValueType::kSet) {
        call.wrong_type = true;
      } else {
        call.member_found = static_cast<SetValue*>(entry->container())->contains(call.member);
      }
    }
  }
  if (group.shard_of(call.destination) == shard.index()) {
    const storage::Entry* entry = db.find(call.destination);
    if (entry != nullptr && entry->type() != storage::ValueType::kSet) call.wrong_type = true;
  }
}

void smove_apply(Shard& shard, KeyGroup& group, SmoveCall& call) {
  storage::Keyspace& db = shard.db(group.db());
  if (group.shard_of(call.source) == shard.index()) {
    storage::Entry* entry = db.find(call.source);
    static_cast<SetValue*>(entry->container())->remove(call.member);
    const std::string_view effect[] = {"SREM", call.source, call.member};
    db.commit(entry, effect);
  }
  if (group.shard_of(call.destination) == shard.index()) {
    storage::Entry* entry = db.find(call.destination);
    if (entry == nullptr) entry = db.set_container(call.destination, std::make_unique<SetValue>());
    if (static_cast<SetValue*>(entry->container())->add(call.member, call.limits)) {
      const std::string_view effect[] = {"SADD", call.destination, call.member};
      db.commit(entry, effect);
    }
  }
}

void smove(CommandContext& ctx) {
  auto call = std::make_shared<SmoveCall>();
  call->source = std::string(ctx.args[1]);
  call->destination = std::string(ctx.args[2]);
  call->member = std::string(ctx.args[3]);
  call->limits = encoding_limits(ctx);
  KeyGroup::run(ctx, {call->source, call->destination}, [call](KeyGroup& group) {
    KeyGroup* g = &group;
    const std::vector<int> shards{g->shard_of(call->source), g->shard_of(call->destination)};
    group.on(
        shards, [g, call](Shard& shard) { smove_inspect(shard, *g, *call); },
        [g, call, shards] {
          auto answer = [g](std::int64_t moved) {
            g->finish([moved](protocol::ReplyWriter& reply) { reply.integer(moved); });
          };
          if (!call->source_exists) return answer(0);
          if (call->wrong_type) {
            g->finish([](protocol::ReplyWriter& reply) { reply.error(kErrWrongType); });
            return;
          }
          if (call->source == call->destination || !call->member_found) {
            return answer(call->member_found ? 1 : 0);
          }
          g->on(
              shards, [g, call](Shard& shard) { smove_apply(shard, *g, *call); },
              [answer] { answer(1); });
        });
  });
}

}  // namespace

std::vector<CommandBinding> set_multikey_bindings() {
  return {
      {"sinter", sinter, Route::kHome},           {"sintercard", sintercard, Route::kHome},
      {"sunion", sunion, Route::kHome},           {"sdiff", sdiff, Route::kHome},
      {"sinterstore", sinterstore, Route::kHome}, {"sunionstore", sunionstore, Route::kHome},
      {"sdiffstore", sdiffstore, Route::kHome},   {"smove", smove, Route::kHome},
  };
}

}  // namespace shardcache::server
