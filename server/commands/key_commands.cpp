// DEL EXISTS MEMORY USAGE|HELP.
#include "server/ascii.h"
#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/families.h"
#include "server/commands/help_text.h"
#include "server/shard.h"

namespace shardcache::server {
namespace {

void del(CommandContext& ctx) {
  storage::Keyspace& db = ctx.shard.db(ctx.db);
  std::int64_t removed = 0;
  for (std::size_t i = 1; i < ctx.args.size(); ++i) {
    // find() first: an expired key counts as absent (and is removed as expired).
    if (db.find(ctx.args[i], false) != nullptr) removed += db.remove(ctx.args[i]);
  }
  ctx.reply.integer(removed);
}

void exists(CommandContext& ctx) {
  storage::Keyspace& db = ctx.shard.db(ctx.db);
  std::int64_t found = 0;
  for (std::size_t i = 1; i < ctx.args.size(); ++i) found += db.find(ctx.args[i]) != nullptr;
  ctx.reply.integer(found);
}

// MEMORY USAGE key [SAMPLES count]
void memory_usage(CommandContext& ctx) {
  if (ctx.args.size() == 5 && iequals(ctx.args[3], "samples")) {
    auto samples = parse_int64(ctx.args[4]);
    if (!samples) {
      ctx.reply.error(kErrNotInteger);
      return;
    }
  } else if (ctx.args.size() != 3) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  const storage::Entry* entry = ctx.shard.db(ctx.db).find(ctx.args[2], false);
  if (entry == nullptr) {
    ctx.reply.null();
  } else {
    ctx.reply.integer(static_cast<std::int64_t>(entry->allocated_bytes() + sizeof(void*)));
  }
}

void memory_help(CommandContext& ctx) {
  reply_help(ctx.reply, "memory", {
      "USAGE <key> [SAMPLES <count>]",
      "    Return memory in bytes used by <key> and its value. Nested values are",
      "    sampled up to <count> times (default: 5, 0 means sample all).",
  });
}

}  // namespace

std::vector<CommandBinding> key_bindings() {
  return {
      {"del", del, Route::kKeys, Merge::kSumIntegers},
      {"exists", exists, Route::kKeys, Merge::kSumIntegers},
      {"memory|usage", memory_usage, Route::kKeys},
      {"memory|help", memory_help, Route::kHome},
  };
}

}  // namespace shardcache::server
