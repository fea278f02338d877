// RENAME RENAMENX COPY MOVE SWAPDB.
//
// RENAME, RENAMENX and COPY name two keys that may live on different shards: they run on the
// client's home thread and reach the shards themselves (key_transfer.h). MOVE keeps its key's
// name, so its shard; SWAPDB swaps the two databases on every shard.
#include <climits>

#include "server/ascii.h"
#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/key_commands.h"
#include "server/commands/key_transfer.h"
#include "server/shard.h"

namespace shardcache::server {
namespace {

constexpr const char* kErrSameObject = "ERR source and destination objects are the same";

TransferRequest same_db_request(CommandContext& ctx, TransferKind kind) {
  return TransferRequest{kind, std::string(ctx.args[1]), std::string(ctx.args[2]), ctx.db, ctx.db};
}

void rename_command(CommandContext& ctx) {
  run_transfer(ctx, same_db_request(ctx, TransferKind::kRename));
}

void renamenx_command(CommandContext& ctx) {
  run_transfer(ctx, same_db_request(ctx, TransferKind::kRenameNx));
}

// COPY source destination [DB destination-db] [REPLACE]
void copy_command(CommandContext& ctx) {
  TransferRequest request = same_db_request(ctx, TransferKind::kCopy);
  for (std::size_t i = 3; i < ctx.args.size(); ++i) {
    if (iequals(ctx.args[i], "replace")) {
      request.replace = true;
    } else if (iequals(ctx.args[i], "db") && i + 1 < ctx.args.size()) {
      const auto db = parse_db_index(ctx, ctx.args[++i]);
      if (!db) return;
      request.destination_db = *db;
    } else {
      ctx.reply.error(kErrSyntax);
      return;
    }
  }
  if (request.source_db == request.destination_db && request.source == request.destination) {
    ctx.reply.error(kErrSameObject);
    return;
  }
  run_transfer(ctx, std::move(request));
}

// MOVE key db: runs on the key's shard, which owns the key in every database.
void move_command(CommandContext& ctx) {
  const auto db = parse_db_index(ctx, ctx.args[2]);
  if (!db) return;
  if (*db == ctx.db) {
    ctx.reply.error(kErrSameObject);
    return;
  }
  TransferRequest request{TransferKind::kMove, std::string(ctx.args[1]),
                          std::string(ctx.args[1]), ctx.db, *db};
  reply_transfer_outcome(ctx.reply, request.kind, transfer_on_one_shard(ctx.shard, request));
}

// A SWAPDB index: an int, else Redis's "invalid first/second DB index".
std::optional<int> parse_swap_index(CommandContext& ctx, std::string_view text,
                                    const char* error) {
  const auto value = parse_int64(text);
  if (!value || *value < INT_MIN || *value > INT_MAX) {
    ctx.reply.error(error);
    return std::nullopt;
  }
  return static_cast<int>(*value);
}

// Runs on every shard, each swapping its own part of the two databases. Every shard validates
// the same arguments, so they all fail alike or all swap.
void swapdb(CommandContext& ctx) {
  const auto first = parse_swap_index(ctx, ctx.args[1], "ERR invalid first DB index");
  if (!first) return;
  const auto second = parse_swap_index(ctx, ctx.args[2], "ERR invalid second DB index");
  if (!second) return;
  const int count = static_cast<int>(ctx.shard.databases().size());
  if (*first < 0 || *first >= count || *second < 0 || *second >= count) {
    ctx.reply.error("ERR DB index is out of range");
    return;
  }
  if (*first != *second) ctx.shard.db(*first).swap_contents(ctx.shard.db(*second));
  ctx.reply.ok();
}

}  // namespace

std::vector<CommandBinding> key_move_bindings() {
  return {
      {"rename", rename_command, Route::kHome},
      {"renamenx", renamenx_command, Route::kHome},
      {"copy", copy_command, Route::kHome},
      {"move", move_command, Route::kKeys},
      {"swapdb", swapdb, Route::kAllShards, Merge::kAllOk},
  };
}

}  // namespace shardcache::server
