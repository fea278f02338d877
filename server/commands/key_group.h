// KeyGroup: runs a command over keys that may live on several shards (SMOVE, SINTERSTORE, LMOVE,
// ZUNIONSTORE ...) as a chain of steps, each on one or more shards' threads, ending in one reply.
//
// When every key lives on the client's home shard and no transaction holds any of them, the
// steps run inline, at once, and the reply is written before the handler returns: the common
// case pays nothing. Otherwise the chain runs inside a Transaction (server/transaction.h) that
// locks every key from the first step to the reply, so no other client sees or changes them
// half-way, and each step runs on the thread of the shard that owns its keys.
//
// Steps read and write only their own shard's data; what one step learns travels to the next in
// state the caller shares between its lambdas (a shared_ptr). The handler must be bound with
// Route::kHome (it needs the connection) and call KeyGroup::run as its last action.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_writer.h"

namespace shardcache::server {

class Shard;
class Transaction;
struct CommandContext;

class KeyGroup : public std::enable_shared_from_this<KeyGroup> {
 public:
  using Step = std::function<void(Shard&)>;  // on the shard's own thread
  using Then = std::function<void()>;         // on the home thread, after every shard's step
  using Body = std::function<void(KeyGroup&)>;
  using Reply = std::function<void(protocol::ReplyWriter&)>;

  // Starts the chain over `keys` (every key the command may read or write).
  static void run(CommandContext& ctx, const std::vector<std::string>& keys, Body body);

  // The shard owning `key`.
  int shard_of(std::string_view key) const;
  // The client's database and protocol, for steps running on other threads.
  int db() const { return db_; }
  int resp() const { return resp_; }

  // Runs `step` on each of `shards` (duplicates count once), then `then` on the home thread.
  void on(std::vector<int> shards, Step step, Then then);
  // Runs `step` on the shard owning `key`, then `then`.
  void on_key(std::string_view key, Step step, Then then);
  // Ends the command with the reply `write` produces (call exactly once).
  void finish(const Reply& write);

  KeyGroup(CommandContext& ctx, bool inline_run);

 private:
  CommandContext* ctx_;  // inline runs only: the handler's context, alive for the whole chain
  Shard& home_;
  std::int64_t now_ms_;  // the command's time, the same on every shard it touches
  int db_;
  int resp_;
  Transaction* txn_ = nullptr;  // transactional runs only; the Transaction outlives the chain
};

}  // namespace shardcache::server
