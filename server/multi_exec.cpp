#include "server/multi_exec.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <map>
#include <memory>
#include <string>

#include "protocol/reply_writer.h"
#include "server/clock.h"
#include "server/command_context.h"
#include "server/command_table.h"
#include "server/commands/arguments.h"
#include "server/connection.h"
#include "server/server.h"
#include "server/shard.h"
#include "server/transaction.h"

namespace shardcache::server {
namespace {

// The commands that act at once between MULTI and EXEC instead of being queued, as Redis.
bool acts_at_once(const CommandSpec& spec) {
  for (const char* name : {"exec", "discard", "multi", "watch", "quit", "reset"}) {
    if (spec.name == name) return true;
  }
  return false;
}

// Commands whose keys follow a numkeys argument (Redis's "movablekeys").
struct MovableKeys {
  const char* name;
  std::size_t numkeys_at;
  bool destination_first;  // args[1] is a key too (the *STORE commands)
};
constexpr MovableKeys kMovableKeys[] = {
    {"zunionstore", 2, true}, {"zinterstore", 2, true}, {"zdiffstore", 2, true},
    {"zunion", 1, false},     {"zinter", 1, false},     {"zdiff", 1, false},
    {"zintercard", 1, false}, {"sintercard", 1, false}, {"lmpop", 1, false},
    {"zmpop", 1, false},      {"blmpop", 2, false},     {"bzmpop", 2, false},
};

// Registers `keys` of this shard as watched under `flag`; returns their expiry times as text
// ("-1" for none), one per key, space separated.
std::string register_watches(Shard& shard, int db, const std::vector<std::string>& keys,
                             const WatchFlag& flag) {
  std::string times;
  const std::int64_t now_ms = unix_time_ms();
  for (const std::string& key : keys) {
    shard.watch_registry().watch(db, key, flag);
    const storage::Entry* entry = shard.db(db).table().find(key);
    std::int64_t at = -1;
    // A key already past its TTL counts as absent, as Redis 7.0's WATCH sees it.
    if (entry != nullptr && entry->has_expiry() && entry->expire_at_ms() > now_ms) {
      at = entry->expire_at_ms();
    }
    if (!times.empty()) times += ' ';
    times += std::to_string(at);
  }
  return times;
}

// Fills the expiry times register_watches reported into the watched keys of `shard`, in order.
void record_expiry_times(MultiState& multi, int shard, std::string_view times) {
  for (WatchedKey& watched : multi.watched) {
    if (watched.shard != shard || watched.expire_at_ms != -2) continue;
    const std::size_t end = std::min(times.find(' '), times.size());
    std::from_chars(times.data(), times.data() + end, watched.expire_at_ms);
    times.remove_prefix(std::min(end + 1, times.size()));
  }
}

// Whether a watched key changed (or expired) since WATCH.
bool watch_failed(const MultiState& multi) {
  if (multi.flag && multi.flag->load(std::memory_order_acquire)) return true;
  const std::int64_t now_ms = unix_time_ms();
  return std::any_of(multi.watched.begin(), multi.watched.end(), [now_ms](const WatchedKey& w) {
    return w.expire_at_ms >= 0 && w.expire_at_ms <= now_ms;
  });
}

// Runs the queued commands of one EXEC in order and answers with the array of their replies.
class ExecRun : public std::enable_shared_from_this<ExecRun> {
 public:
  ExecRun(Connection& conn, std::vector<QueuedCommand> commands)
      : conn_(conn.shared_from_this()), commands_(std::move(commands)) {}

  // Inline: every key is on the home thread and free. `reply` is the EXEC handler's writer,
  // used when every command finishes before the handler returns.
  void start_inline(protocol::ReplyWriter& reply) {
    handler_reply_ = &reply;
    begin();
    handler_reply_ = nullptr;  // from here on, the reply goes through complete()
  }

  // Inside the EXEC's Transaction, every key held.
  void start_in(Transaction& txn) {
    txn_ = txn.shared_from_this();  // kept alive between the commands' steps
    conn_->multi().outer = txn_.get();
    begin();
  }

 private:
  void begin() {
    MultiState& multi = conn_->multi();
    multi.executing = true;
    multi.on_reply = [self = shared_from_this()](std::string_view r) { self->on_reply(r); };
    next();
  }

  void next() {
    while (done_ < commands_.size()) {
      // The reply is appended to replies_ at once, or later by on_reply.
      if (!run_one(commands_[done_])) return;
      ++done_;
    }
    finish();
  }

  void on_reply(std::string_view reply) {
    replies_.append(reply);
    ++done_;
    next();
  }

  // Runs one command; false when it waits for other shards (its reply comes to on_reply).
  bool run_one(const QueuedCommand& command) {
    args_.assign(command.args.begin(), command.args.end());
    const std::span<const std::string_view> args = args_;
    const CommandSpec& spec = *command.spec;
    const Server& server = conn_->shard().server();
    if (txn_ != nullptr && spec.route == Route::kKeys && server.shard_count() > 1) {
      // A keyed command whose keys share one shard runs there as a step of the EXEC's
      // Transaction: its keys are held by this EXEC, so it must not wait for them.
      const auto positions = spec.key_positions(args.size());
      if (!positions.empty()) {
        const int owner = server.shard_of_key(args[positions[0]]);
        const bool one_shard = std::all_of(positions.begin(), positions.end(), [&](std::size_t p) {
          return server.shard_of_key(args[p]) == owner;
        });
        if (one_shard) {
          txn_->run({owner},
                    [&spec, &command, view = conn_->client_view()](Shard& shard) {
                      std::vector<std::string_view> views(command.args.begin(),
                                                          command.args.end());
                      std::string out;
                      run_handler(spec, shard, views, view, nullptr, out);
                      return out;
                    },
                    [self = shared_from_this()](std::vector<std::string>& replies) {
                      self->on_reply(replies[0]);
                    });
          return false;
        }
      }
    }
    return conn_->run_queued(spec, args, replies_);
  }

  void finish() {
    MultiState& multi = conn_->multi();
    multi.executing = false;
    multi.outer = nullptr;
    multi.on_reply = nullptr;
    std::string out;
    protocol::ReplyWriter writer(out, conn_->state().resp);
    writer.array(commands_.size());
    writer.raw(replies_);
    if (txn_ != nullptr) {
      // Let go of the Transaction: its body holds this run, and the cycle would outlive both.
      std::shared_ptr<Transaction> txn = std::move(txn_);
      txn->finish(std::move(out));
    } else if (handler_reply_ != nullptr) {
      handler_reply_->raw(out);
    } else {
      conn_->complete(out);
    }
  }

  std::shared_ptr<Connection> conn_;
  std::vector<QueuedCommand> commands_;
  std::string replies_;  // the replies so far, back to back
  std::size_t done_ = 0;  // commands whose reply is in replies_
  std::vector<std::string_view> args_;  // the running command's arguments
  std::shared_ptr<Transaction> txn_;
  protocol::ReplyWriter* handler_reply_ = nullptr;
};

void add_key(std::map<int, std::vector<std::string>>& keys, int shard, std::string_view key) {
  auto& held = keys[shard];
  if (std::find(held.begin(), held.end(), key) == held.end()) held.emplace_back(key);
}

}  // namespace

std::vector<std::string_view> command_keys(const CommandSpec& spec,
                                           std::span<const std::string_view> args) {
  std::vector<std::string_view> keys;
  for (const MovableKeys& movable : kMovableKeys) {
    if (spec.name != movable.name) continue;
    if (movable.destination_first && args.size() > 1) keys.push_back(args[1]);
    if (args.size() <= movable.numkeys_at) return keys;
    const auto count = parse_int64(args[movable.numkeys_at]);
    const std::size_t first = movable.numkeys_at + 1;
    if (!count || *count <= 0 || static_cast<std::uint64_t>(*count) > args.size() - first) {
      return keys;  // the command refuses its numkeys itself
    }
    for (std::size_t i = 0; i < static_cast<std::size_t>(*count); ++i) {
      keys.push_back(args[first + i]);
    }
    return keys;
  }
  for (std::size_t p : spec.key_positions(args.size())) keys.push_back(args[p]);
  return keys;
}

bool Connection::queue_in_multi(const CommandSpec& spec, std::span<const std::string_view> args) {
  if (acts_at_once(spec)) return false;
  if (spec.has_flag(kFlagNoMulti)) {
    reject(&spec, "ERR Command not allowed inside a transaction");
    return true;
  }
  multi_.queued.push_back({&spec, std::vector<std::string>(args.begin(), args.end())});
  const std::size_t mark = out_.size();
  protocol::ReplyWriter(out_, state_.resp).simple("QUEUED");
  drop_reply_if_muted(mark);
  return true;
}

bool Connection::run_queued(const CommandSpec& spec, std::span<const std::string_view> args,
                            std::string& replies) {
  const bool was_suspended = suspended_;
  suspended_ = false;
  const std::size_t mark = out_.size();
  const bool sharded = shard_.server().shard_count() > 1;
  if (spec.route == Route::kKeys && sharded) {
    run_keyed(spec, args);
  } else if (spec.route == Route::kAllShards && sharded) {
    run_on_all_shards(spec, args);
  } else {
    run_handler(spec, shard_, args, client_view(), spec.route == Route::kHome ? this : nullptr,
                out_);
  }
  if (suspended_) {
    multi_.waiting = true;  // EXEC stays pending; complete() hands the reply over
    return false;
  }
  // run_keyed may have replied a large value by reference: EXEC collects plain bytes.
  inline_attachments_from(out_, out_attachments_, mark);
  replies.append(out_, mark);
  out_.resize(mark);
  suspended_ = was_suspended;
  return true;
}

void watch_keys(CommandContext& ctx) {
  Connection& conn = *ctx.conn;
  MultiState& multi = conn.multi();
  if (multi.active) {
    ctx.reply.error("ERR WATCH inside MULTI is not allowed");
    return;
  }
  if (!multi.flag) multi.flag = std::make_shared<std::atomic<bool>>(false);
  const Server& server = ctx.shard.server();
  auto new_keys = std::make_shared<std::map<int, std::vector<std::string>>>();
  for (std::size_t i = 1; i < ctx.args.size(); ++i) {
    const std::string_view key = ctx.args[i];
    const bool known =
        std::any_of(multi.watched.begin(), multi.watched.end(),
                    [&](const WatchedKey& w) { return w.db == ctx.db && w.key == key; });
    if (known) continue;
    const int shard = server.shard_of_key(key);
    // -2: registration in flight. Listed before it lands so that a disconnect unregisters it.
    multi.watched.push_back({ctx.db, std::string(key), shard, -2});
    (*new_keys)[shard].emplace_back(key);
  }
  if (new_keys->empty()) {
    ctx.reply.ok();
    return;
  }
  if (new_keys->size() == 1 && new_keys->begin()->first == ctx.shard.index()) {
    record_expiry_times(multi, ctx.shard.index(),
                        register_watches(ctx.shard, ctx.db, new_keys->begin()->second, multi.flag));
    ctx.reply.ok();
    return;
  }
  std::vector<int> shards;
  for (const auto& [shard, keys] : *new_keys) shards.push_back(shard);
  conn.gather(
      shards,
      [new_keys, db = ctx.db, flag = multi.flag](Shard& shard) {
        return register_watches(shard, db, new_keys->at(shard.index()), flag);
      },
      [self = conn.shared_from_this(), shards](std::vector<std::string>& times, std::string& out) {
        for (std::size_t i = 0; i < shards.size(); ++i) {
          record_expiry_times(self->multi(), shards[i], times[i]);
        }
        protocol::ReplyWriter(out, self->state().resp).ok();
      });
}

void unwatch_all(Connection& conn) {
  MultiState& multi = conn.multi();
  if (!multi.watched.empty()) {
    std::map<int, std::vector<std::pair<int, std::string>>> by_shard;
    for (WatchedKey& watched : multi.watched) {
      by_shard[watched.shard].emplace_back(watched.db, std::move(watched.key));
    }
    Server& server = conn.shard().server();
    for (auto& [index, keys] : by_shard) {
      Shard& shard = server.shard(index);
      auto drop = [&shard, keys = std::move(keys), flag = multi.flag] {
        for (const auto& [db, key] : keys) shard.watch_registry().unwatch(db, key, flag);
      };
      if (&shard == &conn.shard()) {
        drop();
      } else {
        shard.post(std::move(drop));
      }
    }
    multi.watched.clear();
  }
  multi.flag.reset();  // the next WATCH starts a fresh session
}

void discard_multi(Connection& conn) {
  MultiState& multi = conn.multi();
  multi.active = false;
  multi.dirty = false;
  multi.queued.clear();
  unwatch_all(conn);
}

void run_exec(CommandContext& ctx) {
  Connection& conn = *ctx.conn;
  MultiState& multi = conn.multi();
  if (!multi.active) {
    ctx.reply.error("ERR EXEC without MULTI");
    return;
  }
  if (multi.dirty) {
    discard_multi(conn);
    ctx.reply.error("EXECABORT Transaction discarded because of previous errors.");
    return;
  }
  std::vector<QueuedCommand> commands = std::move(multi.queued);
  multi.queued.clear();
  multi.active = false;

  Shard& home = ctx.shard;
  const Server& server = home.server();
  const bool sharded = server.shard_count() > 1;
  std::map<int, std::vector<std::string>> keys_by_shard;
  bool spans_all_shards = false;
  for (const QueuedCommand& command : commands) {
    std::vector<std::string_view> args(command.args.begin(), command.args.end());
    spans_all_shards |= command.spec->route == Route::kAllShards;
    for (std::string_view key : command_keys(*command.spec, args)) {
      add_key(keys_by_shard, server.shard_of_key(key), key);
    }
  }
  for (const WatchedKey& watched : multi.watched) {
    add_key(keys_by_shard, watched.shard, watched.key);
  }

  const bool all_home = std::all_of(keys_by_shard.begin(), keys_by_shard.end(),
                                    [&](const auto& kv) { return kv.first == home.index(); });
  std::vector<std::string_view> home_keys;
  if (auto it = keys_by_shard.find(home.index()); it != keys_by_shard.end()) {
    home_keys.assign(it->second.begin(), it->second.end());
  }
  auto run = std::make_shared<ExecRun>(conn, std::move(commands));
  if (all_home && !(spans_all_shards && sharded) && !home.key_locks().any_locked(home_keys)) {
    const bool failed = watch_failed(multi);
    unwatch_all(conn);
    if (failed) {
      ctx.reply.null_array();
      return;
    }
    run->start_inline(ctx.reply);
    return;
  }
  Transaction::start(conn.shared_from_this(), std::move(keys_by_shard),
                     [run, self = conn.shared_from_this()](Transaction& txn) {
                       // Every key is held: no change can slip in between this check and the
                       // commands.
                       const bool failed = watch_failed(self->multi());
                       unwatch_all(*self);
                       if (failed) {
                         std::string out;
                         protocol::ReplyWriter(out, self->state().resp).null_array();
                         txn.finish(std::move(out));
                         return;
                       }
                       run->start_in(txn);
                     });
}

}  // namespace shardcache::server
