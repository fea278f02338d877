// MULTI EXEC DISCARD WATCH UNWATCH (the engine is server/multi_exec.cpp).
#include "server/command_context.h"
#include "server/commands/families.h"
#include "server/connection.h"
#include "server/multi_exec.h"

namespace shardcache::server {
namespace {

void multi(CommandContext& ctx) {
  MultiState& state = ctx.conn->multi();
  if (state.active) {
    ctx.reply.error("ERR MULTI calls can not be nested");
    return;
  }
  state.active = true;
  ctx.reply.ok();
}

void exec(CommandContext& ctx) { run_exec(ctx); }

void discard(CommandContext& ctx) {
  if (!ctx.conn->multi().active) {
    ctx.reply.error("ERR DISCARD without MULTI");
    return;
  }
  discard_multi(*ctx.conn);
  ctx.reply.ok();
}

void watch(CommandContext& ctx) { watch_keys(ctx); }

void unwatch(CommandContext& ctx) {
  unwatch_all(*ctx.conn);
  ctx.reply.ok();
}

}  // namespace

std::vector<CommandBinding> transaction_bindings() {
  return {
      {"multi", multi, Route::kHome},
      {"exec", exec, Route::kHome},
      {"discard", discard, Route::kHome},
      {"watch", watch, Route::kHome},
      {"unwatch", unwatch, Route::kHome},
  };
}

}  // namespace shardcache::server
