// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] over a database that the shards split.
//
// The cursor walks the shards one after the other: cursor = table_cursor * shard_count + shard,
// so 0 is shard 0's start. Within a shard the table's reverse-binary cursor guarantees that every
// key present for the whole scan is returned, across table resizes. A call scans its cursor's
// shard; when that shard is done before COUNT keys are found, the same call goes on with the
// following shards (in parallel, each from its start) and keeps their keys up to the first one
// that is not done, whose cursor it returns. So a small database is scanned in one call, as in
// Redis.
#include <cctype>
#include <charconv>
#include <climits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/ascii.h"
#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/key_commands.h"
#include "server/connection.h"
#include "server/server.h"
#include "server/shard.h"
#include "server/transaction.h"
#include "server/commands/number_text.h"
#include "storage/glob.h"

namespace shardcache::server {
namespace {

constexpr long kDefaultScanCount = 10;

struct ScanOptions {
  long count = kDefaultScanCount;
  std::optional<std::string> pattern;  // none for every key ("*" included)
  std::optional<std::string> type;
};

// SCAN's options, in Redis's order and with its errors. False after replying an error.
bool parse_scan_options(CommandContext& ctx, ScanOptions& options) {
  for (std::size_t i = 2; i < ctx.args.size(); i += 2) {
    if (i + 1 >= ctx.args.size()) {
      ctx.reply.error(kErrSyntax);
      return false;
    }
    const std::string_view option = ctx.args[i];
    const std::string_view value = ctx.args[i + 1];
    if (iequals(option, "count")) {
      const auto count = parse_int64(value);
      if (!count) {
        ctx.reply.error(kErrNotInteger);
        return false;
      }
      if (*count < 1) {
        ctx.reply.error(kErrSyntax);
        return false;
      }
      options.count = static_cast<long>(*count);
    } else if (iequals(option, "match")) {
      options.pattern = value == "*" ? std::nullopt : std::optional<std::string>(value);
    } else if (iequals(option, "type")) {
      options.type = std::string(value);
    } else {
      ctx.reply.error(kErrSyntax);
      return false;
    }
  }
  return true;
}

// What one shard's part of a SCAN call found.
struct ShardScan {
  std::vector<std::string> keys;
  std::uint64_t next = 0;  // the table cursor to go on from; 0 when the shard is done
};

// Keeps the scanned keys that pass MATCH and TYPE and are live. Expired ones are removed on the
// way, and TYPE's lookups count in the keyspace statistics, as in Redis.
std::vector<std::string> filter_scanned(Shard& shard, int db, const ScanOptions& options,
                                        std::vector<std::string> scanned) {
  std::vector<std::string> kept;
  for (std::string& key : scanned) {
    if (options.pattern && !storage::glob_match(*options.pattern, key)) continue;
    const storage::Entry* entry =
        options.type ? lookup_read(shard, db, key, false) : shard.db(db).find(key, false);
    if (entry == nullptr) continue;
    if (options.type && !iequals(*options.type, storage::type_name(entry->type()))) continue;
    kept.push_back(std::move(key));
  }
  return kept;
}

// Scans one shard's table from `cursor`: at most count * 10 buckets, until `count` keys are
// collected (a hint: a bucket's keys all come together), as Redis's scanGenericCommand.
ShardScan scan_shard(Shard& shard, int db, const ScanOptions& options, std::uint64_t cursor,
                     long count) {
  std::vector<std::string> scanned;
  long budget = count > LONG_MAX / 10 ? LONG_MAX : count * 10;
  do {
    cursor = shard.db(db).table().scan(
        cursor, [&](storage::Entry* entry) { scanned.emplace_back(entry->key()); });
  } while (cursor != 0 && budget-- > 0 && scanned.size() < static_cast<std::size_t>(count));
  return ShardScan{filter_scanned(shard, db, options, std::move(scanned)), cursor};
}

// One SCAN call, shared by its steps; each ShardScan is written by its shard's thread and read
// at home once that step is complete.
struct ScanCall {
  ScanOptions options;
  int db;
  std::int64_t now_ms;
  int resp;
  int shard_count;
  int first_shard;
  std::uint64_t table_cursor;
  ShardScan first;
  std::vector<ShardScan> following;  // shards first_shard + 1 ... in order

  bool needs_following() const {
    return first.next == 0 && first_shard + 1 < shard_count &&
           first.keys.size() < static_cast<std::size_t>(options.count);
  }
  std::vector<int> following_shards() const {
    std::vector<int> shards;
    for (int s = first_shard + 1; s < shard_count; ++s) shards.push_back(s);
    return shards;
  }
};

// The reply: the keys of the shards scanned up to the first one not done, and where to go on.
void write_scan_reply(const ScanCall& call, protocol::ReplyWriter& reply) {
  std::vector<const ShardScan*> parts{&call.first};
  for (const ShardScan& part : call.following) parts.push_back(&part);
  std::vector<const std::string*> keys;
  std::uint64_t cursor = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    for (const std::string& key : parts[i]->keys) keys.push_back(&key);
    const auto shard = static_cast<std::uint64_t>(call.first_shard) + i;
    if (parts[i]->next != 0) {
      cursor = parts[i]->next * static_cast<std::uint64_t>(call.shard_count) + shard;
      break;
    }
    // Done with enough keys before the last shard: the next call starts the next shard.
    if (i + 1 == parts.size() && shard + 1 < static_cast<std::uint64_t>(call.shard_count)) {
      cursor = shard + 1;
    }
  }
  reply.array(2);
  reply.bulk(std::to_string(cursor));
  reply.array(keys.size());
  for (const std::string* key : keys) reply.bulk(*key);
}

Connection::ShardWork scan_first_shard(const std::shared_ptr<ScanCall>& call) {
  return [call](Shard& shard) {
    shard.clock().set_now(call->now_ms);
    call->first =
        scan_shard(shard, call->db, call->options, call->table_cursor, call->options.count);
    return std::string();
  };
}

Connection::ShardWork scan_following_shard(const std::shared_ptr<ScanCall>& call) {
  call->following.resize(static_cast<std::size_t>(call->shard_count - call->first_shard - 1));
  const long wanted = call->options.count - static_cast<long>(call->first.keys.size());
  return [call, wanted](Shard& shard) {
    shard.clock().set_now(call->now_ms);
    call->following[static_cast<std::size_t>(shard.index() - call->first_shard - 1)] =
        scan_shard(shard, call->db, call->options, 0, wanted);
    return std::string();
  };
}

std::string scan_reply_bytes(const ScanCall& call) {
  std::string out;
  protocol::ReplyWriter reply(out, call.resp);
  write_scan_reply(call, reply);
  return out;
}

// A call whose first shard is another thread's: one or two steps, run as a Transaction that
// holds no keys (a multi-step command; SCAN promises no snapshot).
void scan_from_elsewhere(CommandContext& ctx, std::shared_ptr<ScanCall> call) {
  Transaction::start(ctx.conn->shared_from_this(), {}, [call](Transaction& txn) {
    txn.run({call->first_shard}, scan_first_shard(call), [&txn, call](std::vector<std::string>&) {
      if (!call->needs_following()) {
        txn.finish(scan_reply_bytes(*call));
        return;
      }
      txn.run(call->following_shards(), scan_following_shard(call),
              [&txn, call](std::vector<std::string>&) { txn.finish(scan_reply_bytes(*call)); });
    });
  });
}

void scan(CommandContext& ctx) {
  const auto cursor = parse_scan_cursor(ctx.args[1]);
  if (!cursor) {
    ctx.reply.error("ERR invalid cursor");
    return;
  }
  ScanOptions options;
  if (!parse_scan_options(ctx, options)) return;
  const int shards = ctx.shard.server().shard_count();
  auto call = std::make_shared<ScanCall>(ScanCall{
      std::move(options), ctx.db, ctx.shard.clock().now(), ctx.reply.resp(), shards,
      static_cast<int>(*cursor % static_cast<std::uint64_t>(shards)),
      *cursor / static_cast<std::uint64_t>(shards), {}, {}});
  if (call->first_shard != ctx.shard.index()) {
    scan_from_elsewhere(ctx, std::move(call));
    return;
  }
  call->first = scan_shard(ctx.shard, call->db, call->options, call->table_cursor,
                           call->options.count);
  if (!call->needs_following()) {
    write_scan_reply(*call, ctx.reply);
    return;
  }
  ctx.conn->gather(call->following_shards(), scan_following_shard(call),
                   [call](std::vector<std::string>&, std::string& out) {
                     out += scan_reply_bytes(*call);
                   });
}

}  // namespace

std::vector<CommandBinding> key_scan_bindings() { return {{"scan", scan, Route::kHome}}; }

}  // namespace shardcache::server
