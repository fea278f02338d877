// The blocking SORTED SET commands: BZPOPMIN BZPOPMAX BZMPOP. Each describes how to see and take
// a sorted set's data (blocking::WaitOps); server/blocking.h does the waiting, the wake-ups and
// the timeouts. Writes that can make a key ready (ZADD, ZINCRBY, the *STORE commands) signal it.
#include "protocol/reply_writer.h"
#include "server/blocking.h"
#include "server/command_context.h"
#include "server/commands/zset_family.h"
#include "server/commands/zset_pop.h"
#include "server/shard.h"

namespace shardcache::server {
namespace {

blocking::Readiness zset_readiness(Shard& shard, int db, std::string_view key) {
  const storage::Entry* entry = shard.db(db).find(key);
  if (entry == nullptr) return blocking::Readiness::kEmpty;
  // A sorted-set key is never empty: commit deletes an emptied one.
  return entry->type() == ZSet::kType ? blocking::Readiness::kReady
                                      : blocking::Readiness::kWrongType;
}

// Serves a claimed, ready key: pops through the keyspace door (a ZPOPMIN/ZPOPMAX effect) and
// replies [key, member, score] (BZPOPMIN) or [key, [[member, score] ...]] (BZMPOP).
blocking::WaitOps zset_wait_ops(bool max, std::size_t count, bool nested) {
  return blocking::WaitOps{
      zset_readiness,
      [max, count, nested](Shard& shard, int db, std::string_view key, int resp,
                           blocking::Deliver deliver) {
        storage::Entry* entry = shard.db(db).find(key);
        const auto popped = pop_and_commit(shard, db, entry, max, count);
        std::string out;
        protocol::ReplyWriter reply(out, resp);
        reply_popped(reply, key, popped, nested, true);
        deliver(std::move(out));
      }};
}

// BZPOPMIN / BZPOPMAX key [key ...] timeout.
void bzpop(CommandContext& ctx, bool max) {
  const auto timeout = blocking::parse_timeout(ctx, ctx.args.back());
  if (!timeout) return;
  std::vector<std::string> keys(ctx.args.begin() + 1, ctx.args.end() - 1);
  blocking::wait_for_keys(ctx, std::move(keys), *timeout, zset_wait_ops(max, 1, false));
}

void bzpopmin(CommandContext& ctx) { bzpop(ctx, false); }
void bzpopmax(CommandContext& ctx) { bzpop(ctx, true); }

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: the arguments are checked before
// the timeout, as Redis does.
void bzmpop(CommandContext& ctx) {
  std::vector<std::string> keys;
  bool max = false;
  long long count = 1;
  if (!parse_mpop(ctx, 2, keys, max, count)) return;
  const auto timeout = blocking::parse_timeout(ctx, ctx.args[1]);
  if (!timeout) return;
  blocking::wait_for_keys(ctx, std::move(keys), *timeout,
                          zset_wait_ops(max, static_cast<std::size_t>(count), true));
}

}  // namespace

std::vector<CommandBinding> zset_blocking_bindings() {
  return {
      {"bzpopmin", bzpopmin, Route::kHome},
      {"bzpopmax", bzpopmax, Route::kHome},
      {"bzmpop", bzmpop, Route::kHome},
  };
}

}  // namespace shardcache::server
