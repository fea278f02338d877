// KEYS RANDOMKEY: each runs on the client's home thread and asks every shard for its part of
// the database. Keys whose TTL has passed are never returned.
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "server/command_context.h"
#include "server/commands/key_commands.h"
#include "server/connection.h"
#include "server/server.h"
#include "server/shard.h"
#include "storage/glob.h"

namespace shardcache::server {
namespace {

bool is_expired(const storage::Entry& entry, std::int64_t now_ms) {
  return entry.has_expiry() && entry.expire_at_ms() <= now_ms;
}

// Each thread's random numbers (RANDOMKEY runs on every shard thread and at home).
std::mt19937_64& thread_rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

// KEYS pattern: each shard lists its live matching keys (without removing expired ones, as
// Redis's KEYS); the reply is their concatenation in shard order.
void keys(CommandContext& ctx) {
  const auto counts =
      std::make_shared<std::vector<std::size_t>>(ctx.shard.server().shard_count(), 0);
  ctx.conn->gather_all(
      [counts, pattern = std::string(ctx.args[1]), db = ctx.db, now_ms = ctx.shard.clock().now(),
       resp = ctx.reply.resp()](Shard& shard) {
        std::string bulks;
        protocol::ReplyWriter reply(bulks, resp);
        std::size_t& count = (*counts)[static_cast<std::size_t>(shard.index())];
        const bool all = pattern == "*";
        std::uint64_t cursor = 0;
        do {  // a full walk of the table: nothing changes it meanwhile
          cursor = shard.db(db).table().scan(cursor, [&](storage::Entry* entry) {
            if (is_expired(*entry, now_ms)) return;
            if (!all && !storage::glob_match(pattern, entry->key())) return;
            reply.bulk(entry->key());
            ++count;
          });
        } while (cursor != 0);
        return bulks;
      },
      [counts, resp = ctx.reply.resp()](std::vector<std::string>& bulks, std::string& out) {
        std::size_t total = 0;
        for (std::size_t count : *counts) total += count;
        protocol::ReplyWriter(out, resp).array(total);
        for (const std::string& part : bulks) out += part;
      });
}

// Redis's dbRandomKey on one shard: a random key, removing the expired ones drawn on the way.
std::optional<std::string> random_live_key(storage::Keyspace& db) {
  while (const storage::Entry* entry = db.table().random_entry(thread_rng())) {
    std::string key(entry->key());
    if (db.find(key, false) != nullptr) return key;
  }
  return std::nullopt;
}

// RANDOMKEY: every shard draws one of its keys; one of those is chosen with odds proportional
// to the shard's size, so every key is about equally likely.
void randomkey(CommandContext& ctx) {
  struct Draws {
    std::vector<std::optional<std::string>> keys;  // per shard, each written by its own thread
    std::vector<std::size_t> sizes;
  };
  const auto shards = static_cast<std::size_t>(ctx.shard.server().shard_count());
  auto draws = std::make_shared<Draws>(Draws{std::vector<std::optional<std::string>>(shards),
                                             std::vector<std::size_t>(shards, 0)});
  ctx.conn->gather_all(
      [draws, db = ctx.db, now_ms = ctx.shard.clock().now()](Shard& shard) {
        shard.clock().set_now(now_ms);
        const auto index = static_cast<std::size_t>(shard.index());
        draws->keys[index] = random_live_key(shard.db(db));
        if (draws->keys[index]) draws->sizes[index] = shard.db(db).size();
        return std::string();
      },
      [draws, resp = ctx.reply.resp()](std::vector<std::string>&, std::string& out) {
        protocol::ReplyWriter reply(out, resp);
        std::size_t total = 0;
        for (std::size_t size : draws->sizes) total += size;
        if (total == 0) {
          reply.null();
          return;
        }
        std::size_t pick = thread_rng()() % total;
        std::size_t shard = 0;
        while (pick >= draws->sizes[shard]) pick -= draws->sizes[shard++];
        reply.bulk(*draws->keys[shard]);
      });
}

}  // namespace

std::vector<CommandBinding> key_listing_bindings() {
  return {
      {"keys", keys, Route::kHome},
      {"randomkey", randomkey, Route::kHome},
  };
}

}  // namespace shardcache::server
