// GET SET MGET on plain string values. The full string family (expiry options, counters,
// ranges) arrives with the storage engine.
#include "server/ascii.h"
#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/families.h"
#include "server/shard.h"

namespace shardcache::server {
namespace {

// Replies with the value of `key` (or null) and counts the keyspace hit or miss.
void reply_value(CommandContext& ctx, std::string_view key) {
  const storage::Entry* entry = ctx.shard.db(ctx.db).find(key);
  if (entry == nullptr) {
    ++ctx.shard.stats().keyspace_misses;
    ctx.reply.null();
  } else {
    ++ctx.shard.stats().keyspace_hits;
    ctx.reply.bulk(entry->value());
  }
}

void get(CommandContext& ctx) { reply_value(ctx, ctx.args[1]); }

// SET key value [NX|XX] [GET].
void set(CommandContext& ctx) {
  bool nx = false, xx = false, get_old = false;
  for (std::size_t i = 3; i < ctx.args.size(); ++i) {
    const std::string_view option = ctx.args[i];
    if (iequals(option, "nx") && !xx) {
      nx = true;
    } else if (iequals(option, "xx") && !nx) {
      xx = true;
    } else if (iequals(option, "get")) {
      get_old = true;
    } else {
      ctx.reply.error(kErrSyntax);
      return;
    }
  }
  storage::Keyspace& db = ctx.shard.db(ctx.db);
  const storage::Entry* old = db.find(ctx.args[1]);
  const bool write = !(nx && old != nullptr) && !(xx && old == nullptr);
  if (get_old) {
    if (old == nullptr) {
      ctx.reply.null();
    } else {
      ctx.reply.bulk(old->value());
    }
  }
  if (write) db.set_string(ctx.args[1], ctx.args[2], storage::Encoding::kRaw, -1);
  if (!get_old) {
    if (write) {
      ctx.reply.ok();
    } else {
      ctx.reply.null();
    }
  }
}

void mget(CommandContext& ctx) {
  ctx.reply.array(ctx.args.size() - 1);
  for (std::size_t i = 1; i < ctx.args.size(); ++i) reply_value(ctx, ctx.args[i]);
}

}  // namespace

std::vector<CommandBinding> string_bindings() {
  return {
      {"get", get, Route::kKeys},
      {"set", set, Route::kKeys},
      {"mget", mget, Route::kKeys, Merge::kArrayByKey},
  };
}

}  // namespace shardcache::server
