// TIME DBSIZE FLUSHDB FLUSHALL LASTSAVE SHUTDOWN DEBUG.
#include <chrono>
#include <cmath>
#include <thread>

#include "server/ascii.h"
#include "server/clock.h"
#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/families.h"
#include "server/commands/help_text.h"
#include "server/connection.h"
#include "server/server.h"
#include "server/shard.h"

namespace shardcache::server {
namespace {

void time_command(CommandContext& ctx) {
  const std::int64_t now = unix_time_us();
  ctx.reply.array(2);
  ctx.reply.bulk(std::to_string(now / 1000000));
  ctx.reply.bulk(std::to_string(now % 1000000));
}

// Runs on every shard; the replies are added up.
void dbsize(CommandContext& ctx) {
  ctx.reply.integer(static_cast<std::int64_t>(ctx.shard.db(ctx.db).size()));
}

// FLUSHDB / FLUSHALL [ASYNC|SYNC]: the option is checked before anything is removed.
// Returns false after replying with the error.
bool parse_flush_mode(CommandContext& ctx, bool& async) {
  async = false;
  if (ctx.args.size() == 1) return true;
  if (ctx.args.size() == 2 && iequals(ctx.args[1], "sync")) return true;
  if (ctx.args.size() == 2 && iequals(ctx.args[1], "async")) {
    async = true;
    return true;
  }
  ctx.reply.error(kErrSyntax);
  return false;
}

void flush_keyspace(CommandContext& ctx, storage::Keyspace& db, bool async) {
  if (!async) {
    db.clear();
    return;
  }
  LazyFreer& freer = ctx.shard.server().lazy_freer();
  db.clear([&freer](std::vector<storage::Entry*>&& entries) { freer.free_later(std::move(entries)); });
}

void flushdb(CommandContext& ctx) {
  bool async = false;
  if (!parse_flush_mode(ctx, async)) return;
  flush_keyspace(ctx, ctx.shard.db(ctx.db), async);
  ctx.reply.ok();
}

void flushall(CommandContext& ctx) {
  bool async = false;
  if (!parse_flush_mode(ctx, async)) return;
  for (auto* db : ctx.shard.databases()) flush_keyspace(ctx, *db, async);
  ctx.reply.ok();
}

void lastsave(CommandContext& ctx) {
  // Nothing is persisted: the last "save" is the start of the process, as for a fresh Redis.
  ctx.reply.integer(ctx.shard.server().start_time_ms() / 1000);
}

void shutdown(CommandContext& ctx) {
  for (std::size_t i = 1; i < ctx.args.size(); ++i) {
    const std::string_view option = ctx.args[i];
    if (iequals(option, "abort")) {
      ctx.reply.error("ERR No shutdown in progress.");
      return;
    }
    if (!iequals(option, "nosave") && !iequals(option, "save") && !iequals(option, "now") &&
        !iequals(option, "force")) {
      ctx.reply.error(kErrSyntax);
      return;
    }
  }
  // As Redis: no reply, the connection closes as the server goes down. There is no data on
  // disk, so SAVE and NOSAVE stop the server the same way.
  ctx.conn->close_after_reply();
  ctx.shard.server().request_shutdown();
}

void debug(CommandContext& ctx) {
  if (ctx.args.size() == 3 && iequals(ctx.args[1], "sleep")) {
    // Redis parses the delay with strtod and blocks the server; here it blocks this shard.
    const std::string text(ctx.args[2]);
    char* end = nullptr;
    const double seconds = std::strtod(text.c_str(), &end);
    if (std::isfinite(seconds) && seconds > 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(static_cast<long>(seconds * 1e6)));
    }
    ctx.reply.ok();
    return;
  }
  if (ctx.args.size() == 2 && iequals(ctx.args[1], "help")) {
    reply_help(ctx.reply, "debug",
               {"SLEEP <seconds>", "    Stop the server for <seconds>. Decimals allowed."});
    return;
  }
  reply_subcommand_syntax_error(ctx.reply, ctx.args);
}

}  // namespace

std::vector<CommandBinding> server_bindings() {
  return {
      {"time", time_command, Route::kHome},
      {"dbsize", dbsize, Route::kAllShards, Merge::kSumIntegers},
      {"flushdb", flushdb, Route::kAllShards, Merge::kAllOk},
      {"flushall", flushall, Route::kAllShards, Merge::kAllOk},
      {"lastsave", lastsave, Route::kHome},
      {"shutdown", shutdown, Route::kHome},
      {"debug", debug, Route::kHome},
  };
}

}  // namespace shardcache::server
