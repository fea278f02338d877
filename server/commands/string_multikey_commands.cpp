// MSETNX and LCS: commands whose keys may live in several shards and whose result depends on all
// of them at once. They run on the client's home thread (Route::kHome): inline when every key is
// a free key of the home shard, otherwise as a Transaction, which holds their keys on every shard
// while it reads them and, for MSETNX, writes them — so no other client sees or changes any key
// in between (no key created between MSETNX's check and its sets, no LCS of two moments).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "protocol/reply_writer.h"
#include "server/clock.h"
#include "server/command_context.h"
#include "server/command_table.h"
#include "server/commands/string_family.h"
#include "server/commands/string_lcs.h"
#include "server/connection.h"
#include "server/server.h"
#include "server/shard.h"
#include "server/transaction.h"

namespace shardcache::server {
namespace {

// Where the keys of a command live.
struct KeyPlacement {
  std::map<int, std::vector<std::string>> keys_by_shard;
  std::vector<int> shards;  // the keys of keys_by_shard, in order
  // Every key is on the home shard and none is held by a transaction: the command can run at
  // once, with nothing able to interleave.
  bool local = false;
};

KeyPlacement place_keys(CommandContext& ctx, const std::vector<std::string_view>& keys) {
  KeyPlacement placement;
  const Server& server = ctx.shard.server();
  for (std::string_view key : keys) {
    placement.keys_by_shard[server.shard_of_key(key)].emplace_back(key);
  }
  for (const auto& entry : placement.keys_by_shard) placement.shards.push_back(entry.first);
  placement.local = placement.shards.size() == 1 && placement.shards[0] == ctx.shard.index() &&
                    !ctx.shard.key_locks().any_locked(keys);
  return placement;
}

// Work on another shard runs outside run_handler: its clock must be set as for a command.
void start_shard_work(Shard& shard) { shard.clock().set_now(unix_time_ms()); }

std::string integer_reply(std::int64_t value) {
  std::string out;
  protocol::ReplyWriter(out).integer(value);
  return out;
}

// ---- MSETNX -------------------------------------------------------------------------------

// MSETNX's pairs, owned past the handler, with the shard owning each pair's key.
struct MsetnxRequest {
  std::vector<std::string> pairs;  // key value key value ...
  std::vector<int> owners;         // per pair

  bool owned_by(std::size_t pair, const Shard& shard) const {
    return owners[pair] == shard.index();
  }
};

// Whether a key of `request` owned by `shard` exists (a write lookup: no hit/miss counted).
bool any_key_exists(Shard& shard, int db, const MsetnxRequest& request) {
  for (std::size_t p = 0; p < request.owners.size(); ++p) {
    if (request.owned_by(p, shard) && shard.db(db).find(request.pairs[2 * p]) != nullptr) {
      return true;
    }
  }
  return false;
}

// Sets the pairs `shard` owns, as MSET (each value drops the key's TTL).
void set_owned_pairs(Shard& shard, int db, const MsetnxRequest& request) {
  storage::Keyspace& keyspace = shard.db(db);
  for (std::size_t p = 0; p < request.owners.size(); ++p) {
    if (!request.owned_by(p, shard)) continue;
    const std::string& value = request.pairs[2 * p + 1];
    keyspace.set_string(request.pairs[2 * p], value, client_value_encoding(value), -1);
  }
}

// The two steps over the key shards: check every key, then set them all if none existed.
void run_msetnx_transaction(Transaction& txn, std::shared_ptr<const MsetnxRequest> request,
                            std::vector<int> shards, int db) {
  txn.run(
      shards,
      [request, db](Shard& shard) {
        start_shard_work(shard);
        return std::string(any_key_exists(shard, db, *request) ? "1" : "0");
      },
      [&txn, request, shards, db](std::vector<std::string>& found) {
        for (const std::string& reply : found) {
          if (reply == "1") {
            txn.finish(integer_reply(0));
            return;
          }
        }
        txn.run(
            shards,
            [request, db](Shard& shard) {
              start_shard_work(shard);
              set_owned_pairs(shard, db, *request);
              return std::string();
            },
            [&txn](std::vector<std::string>&) { txn.finish(integer_reply(1)); });
      });
}

// MSETNX key value [key value ...]: sets every pair, or nothing when any key exists.
void msetnx(CommandContext& ctx) {
  if (ctx.args.size() % 2 == 0) {
    ctx.reply.error("ERR wrong number of arguments for '" + ctx.spec.name + "' command");
    return;
  }
  auto request = std::make_shared<MsetnxRequest>();
  request->pairs.assign(ctx.args.begin() + 1, ctx.args.end());
  std::vector<std::string_view> keys;
  const Server& server = ctx.shard.server();
  for (std::size_t i = 1; i < ctx.args.size(); i += 2) {
    keys.push_back(ctx.args[i]);
    request->owners.push_back(server.shard_of_key(ctx.args[i]));
  }
  KeyPlacement placement = place_keys(ctx, keys);
  if (placement.local) {
    const bool exists = any_key_exists(ctx.shard, ctx.db, *request);
    if (!exists) set_owned_pairs(ctx.shard, ctx.db, *request);
    ctx.reply.integer(exists ? 0 : 1);
    return;
  }
  Transaction::start(ctx.conn->shared_from_this(), std::move(placement.keys_by_shard),
                     [request, shards = placement.shards, db = ctx.db](Transaction& txn) {
                       run_msetnx_transaction(txn, request, shards, db);
                     });
}

// ---- LCS ----------------------------------------------------------------------------------

LcsValue read_lcs_value(Shard& shard, int db, std::string_view key) {
  const storage::Entry* entry = lookup_read(shard, db, key);
  if (entry == nullptr) return {};
  if (entry->type() != storage::ValueType::kString) return {true, {}};
  return {false, std::string(entry->value())};
}

// LCS's arguments, owned past the handler, and the two values as the key shards read them.
// Each value is written by the thread of the shard owning its key and read on the home thread
// only after every shard's work has posted its completion there.
struct LcsRequest {
  std::vector<std::string> args;
  LcsValue values[2];
};

void reply_lcs_request(protocol::ReplyWriter& reply, const LcsRequest& request,
                       std::uint64_t proto_max_bulk_len) {
  const std::vector<std::string_view> options(request.args.begin() + 3, request.args.end());
  reply_lcs(reply, request.values[0], request.values[1], options, proto_max_bulk_len);
}

// LCS a b [options]: the values are read where the keys live; the comparison runs at home.
void lcs(CommandContext& ctx) {
  const std::uint64_t max_bytes = ctx.shard.config().proto_max_bulk_len;
  KeyPlacement placement = place_keys(ctx, {ctx.args[1], ctx.args[2]});
  if (placement.local) {
    const LcsValue a = read_lcs_value(ctx.shard, ctx.db, ctx.args[1]);
    const LcsValue b = read_lcs_value(ctx.shard, ctx.db, ctx.args[2]);
    reply_lcs(ctx.reply, a, b, ctx.args.subspan(3), max_bytes);
    return;
  }
  auto request = std::make_shared<LcsRequest>();
  request->args.assign(ctx.args.begin(), ctx.args.end());
  const Server& server = ctx.shard.server();
  Transaction::start(
      ctx.conn->shared_from_this(), std::move(placement.keys_by_shard),
      [request, shards = placement.shards, &server, db = ctx.db, resp = ctx.reply.resp(),
       max_bytes](Transaction& txn) {
        txn.run(
            shards,
            [request, &server, db](Shard& shard) {
              start_shard_work(shard);
              for (int k = 0; k < 2; ++k) {
                const std::string& key = request->args[1 + k];
                if (server.shard_of_key(key) == shard.index()) {
                  request->values[k] = read_lcs_value(shard, db, key);
                }
              }
              return std::string();
            },
            [&txn, request, resp, max_bytes](std::vector<std::string>&) {
              std::string out;
              protocol::ReplyWriter reply(out, resp);
              reply_lcs_request(reply, *request, max_bytes);
              txn.finish(std::move(out));
            });
      });
}

}  // namespace

std::vector<CommandBinding> string_multikey_bindings() {
  return {
      {"msetnx", msetnx, Route::kHome},
      {"lcs", lcs, Route::kHome},
  };
}

}  // namespace shardcache::server
