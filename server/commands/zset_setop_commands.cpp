// ZUNION ZINTER ZDIFF, their *STORE forms (WEIGHTS, AGGREGATE SUM|MIN|MAX) and ZINTERCARD, over
// keys that may live on several shards (inputs may be sorted sets or plain sets, whose members
// score 1): each shard copies out its inputs, the home thread
// computes the result as Redis's zunionInterDiffGenericCommand (same input order, same NaN rules,
// so the same floating-point sums), and the destination's shard stores it.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/container_access.h"
#include "server/commands/key_group.h"
#include "server/commands/lookup.h"
#include "server/commands/zset_family.h"
#include "server/server.h"
#include "server/shard.h"
#include "storage/set_value.h"

namespace shardcache::server {
namespace {

enum class SetOp { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

struct Source {
  std::string key;
  double weight = 1.0;
  bool wrong_type = false;
  std::vector<Scored> items;  // in the set's order; empty for an absent key
  std::unordered_map<std::string_view, double> index;  // built on demand
  double const* find(std::string_view member) {
    if (index.empty() && !items.empty()) {
      index.reserve(items.size());
      for (const Scored& item : items) index.emplace(item.member, item.score);
    }
    const auto it = index.find(member);
    return it == index.end() ? nullptr : &it->second;
  }
};

struct SetOpCall {
  SetOp op;
  bool store = false;
  bool cardinality_only = false;
  bool withscores = false;
  Aggregate aggregate = Aggregate::kSum;
  long long limit = 0;
  std::string dst;
  std::vector<Source> sources;
  std::string option_error;  // replied after the inputs' types are checked, as Redis does
  std::vector<std::string> args;
  std::vector<Scored> result;
  std::size_t cardinality = 0;
};

void aggregate_into(double& target, double value, Aggregate aggregate) {
  switch (aggregate) {
    case Aggregate::kSum:
      target += value;
      if (std::isnan(target)) target = 0.0;  // inf + -inf counts as 0, as in Redis
      break;
    case Aggregate::kMin:
      target = value < target ? value : target;
      break;
    case Aggregate::kMax:
      target = value > target ? value : target;
      break;
  }
}

bool by_score(const Scored& a, const Scored& b) {
  return a.score < b.score || (a.score == b.score && a.member < b.member);
}

void compute(SetOpCall& call) {
  std::vector<Source*> src;
  for (Source& s : call.sources) src.push_back(&s);
  if (call.op != SetOp::kDiff) {
    std::stable_sort(src.begin(), src.end(), [](const Source* a, const Source* b) {
      return a->items.size() < b->items.size();
    });
  }
  std::vector<Scored>& out = call.result;
  if (call.op == SetOp::kInter) {
    if (src[0]->items.empty()) return;
    for (const Scored& item : src[0]->items) {
      double score = src[0]->weight * item.score;
      if (std::isnan(score)) score = 0;
      std::size_t j = 1;
      for (; j < src.size(); ++j) {
        const double* found = src[j]->find(item.member);
        if (found == nullptr) break;
        aggregate_into(score, *found * src[j]->weight, call.aggregate);
      }
      if (j < src.size()) continue;
      if (call.cardinality_only) {
        ++call.cardinality;
        if (call.limit > 0 && call.cardinality >= static_cast<std::size_t>(call.limit)) break;
      } else {
        out.push_back(Scored{item.member, score});
      }
    }
  } else if (call.op == SetOp::kUnion) {
    std::unordered_map<std::string_view, std::size_t> at;
    for (Source* s : src) {
      for (const Scored& item : s->items) {
        double score = s->weight * item.score;
        if (std::isnan(score)) score = 0;
        const auto [it, fresh] = at.emplace(item.member, out.size());
        if (fresh) out.push_back(Scored{item.member, score});
        else aggregate_into(out[it->second].score, score, call.aggregate);
      }
    }
  } else {
    for (const Scored& item : src[0]->items) {
      bool elsewhere = false;
      for (std::size_t j = 1; j < src.size() && !elsewhere; ++j) {
        elsewhere = src[j]->find(item.member) != nullptr;
      }
      if (!elsewhere) out.push_back(item);
    }
  }
  std::sort(out.begin(), out.end(), by_score);
}

// Parses numkeys, the keys and the options; false after replying an error that Redis gives
// before looking the keys up. Option errors wait in call.option_error.
bool parse_setop(CommandContext& ctx, std::size_t numkeys_at, SetOpCall& call) {
  const auto& args = ctx.args;
  const auto setnum = parse_long(args[numkeys_at]);
  if (!setnum) {
    ctx.reply.error(kErrNotInteger);
    return false;
  }
  if (*setnum < 1) {
    ctx.reply.error("ERR at least 1 input key is needed for '" + ctx.spec.name + "' command");
    return false;
  }
  if (*setnum > static_cast<long long>(args.size() - (numkeys_at + 1))) {
    ctx.reply.error(kErrSyntax);
    return false;
  }
  const auto n = static_cast<std::size_t>(*setnum);
  std::size_t j = numkeys_at + 1;
  call.sources.resize(n);
  for (std::size_t i = 0; i < n; ++i, ++j) call.sources[i].key = std::string(args[j]);
  const bool has_weights = call.op != SetOp::kDiff && !call.cardinality_only;
  while (j < args.size()) {
    const std::size_t remaining = args.size() - j;
    if (has_weights && remaining >= n + 1 && option_is(args[j], "weights")) {
      ++j;
      for (std::size_t i = 0; i < n; ++i, ++j) {
        const auto weight = parse_score(args[j]);
        if (!weight) {
          call.option_error = "ERR weight value is not a float";
          return true;
        }
        call.sources[i].weight = *weight;
      }
    } else if (has_weights && remaining >= 2 && option_is(args[j], "aggregate")) {
      const std::string_view how = args[j + 1];
      if (option_is(how, "sum")) call.aggregate = Aggregate::kSum;
      else if (option_is(how, "min")) call.aggregate = Aggregate::kMin;
      else if (option_is(how, "max")) call.aggregate = Aggregate::kMax;
      else {
        call.option_error = kErrSyntax;
        return true;
      }
      j += 2;
    } else if (!call.store && !call.cardinality_only && option_is(args[j], "withscores")) {
      call.withscores = true;
      ++j;
    } else if (call.cardinality_only && remaining >= 2 && option_is(args[j], "limit")) {
      const auto limit = parse_long(args[j + 1]);
      if (!limit || *limit < 0) {
        call.option_error = "ERR LIMIT can't be negative";
        return true;
      }
      call.limit = *limit;
      j += 2;
    } else {
      call.option_error = kErrSyntax;
      return true;
    }
  }
  return true;
}

void setop_generic(CommandContext& ctx, SetOp op, bool store, bool cardinality_only) {
  auto call = std::make_shared<SetOpCall>();
  call->op = op;
  call->store = store;
  call->cardinality_only = cardinality_only;
  if (store) call->dst = std::string(ctx.args[1]);
  if (!parse_setop(ctx, store ? 2 : 1, *call)) return;
  call->args.assign(ctx.args.begin(), ctx.args.end());
  std::vector<std::string> keys;
  std::vector<int> shards;
  const Server& server = ctx.shard.server();
  for (const Source& s : call->sources) {
    keys.push_back(s.key);
    shards.push_back(server.shard_of_key(s.key));
  }
  if (store) keys.push_back(call->dst);
  KeyGroup::run(ctx, keys, [call, shards](KeyGroup& group) {
    group.on(
        shards,
        [call, &group](Shard& shard) {
          for (Source& s : call->sources) {
            if (group.shard_of(s.key) != shard.index() || !s.items.empty() || s.wrong_type) {
              continue;
            }
            const storage::Entry* entry = lookup_read(shard, group.db(), s.key);
            if (entry == nullptr) continue;
            if (entry->type() == storage::SetValue::kType) {
              // A plain set counts as members of score 1, as in Redis.
              const auto& set = *static_cast<const storage::SetValue*>(entry->container());
              s.items.reserve(set.size());
              set.for_each([&](std::string_view member) {
                s.items.push_back(Scored{std::string(member), 1.0});
              });
              continue;
            }
            if (entry->type() != ZSet::kType) {
              s.wrong_type = true;
              continue;
            }
            const auto& zset = *static_cast<const ZSet*>(entry->container());
            s.items = copy_ranks(zset, 0, zset.size(), false);
          }
        },
        [call, &group] {
          const bool wrong_type = std::any_of(call->sources.begin(), call->sources.end(),
                                              [](const Source& s) { return s.wrong_type; });
          if (wrong_type || !call->option_error.empty()) {
            std::string error = wrong_type ? std::string(kErrWrongType) : call->option_error;
            group.finish([error](protocol::ReplyWriter& reply) { reply.error(error); });
            return;
          }
          compute(*call);
          if (!call->store) {
            group.finish([call](protocol::ReplyWriter& reply) {
              if (call->cardinality_only) {
                reply.integer(static_cast<std::int64_t>(call->cardinality));
              } else {
                reply_scored(reply, call->result, call->withscores);
              }
            });
            return;
          }
          group.on_key(
              call->dst,
              [call, &group](Shard& shard) {
                std::size_t longest = 0;
                for (const Scored& item : call->result) {
                  longest = std::max(longest, item.member.size());
                }
                store_scored(shard, group.db(), call->dst, call->result, call->result.size(),
                             longest, call->args);
              },
              [call, &group] {
                const auto stored = static_cast<std::int64_t>(call->result.size());
                group.finish([stored](protocol::ReplyWriter& reply) { reply.integer(stored); });
              });
        });
  });
}

void zunion(CommandContext& ctx) { setop_generic(ctx, SetOp::kUnion, false, false); }
void zinter(CommandContext& ctx) { setop_generic(ctx, SetOp::kInter, false, false); }
void zdiff(CommandContext& ctx) { setop_generic(ctx, SetOp::kDiff, false, false); }
void zunionstore(CommandContext& ctx) { setop_generic(ctx, SetOp::kUnion, true, false); }
void zinterstore(CommandContext& ctx) { setop_generic(ctx, SetOp::kInter, true, false); }
void zdiffstore(CommandContext& ctx) { setop_generic(ctx, SetOp::kDiff, true, false); }
void zintercard(CommandContext& ctx) { setop_generic(ctx, SetOp::kInter, false, true); }

}  // namespace

std::vector<CommandBinding> zset_setop_bindings() {
  return {
      {"zunion", zunion, Route::kHome},           {"zinter", zinter, Route::kHome},
      {"zdiff", zdiff, Route::kHome},             {"zunionstore", zunionstore, Route::kHome},
      {"zinterstore", zinterstore, Route::kHome}, {"zdiffstore", zdiffstore, Route::kHome},
      {"zintercard", zintercard, Route::kHome},
  };
}

}  // namespace shardcache::server
