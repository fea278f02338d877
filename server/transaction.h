// Transaction: a command whose keys live in several shards, made atomic and isolated without a
// global lock. On the client's home thread it
//   1. takes a process-wide transaction id and locks its keys shard by shard, in increasing
//      shard order (KeyLocks), so two transactions can never wait on each other in a cycle;
//   2. runs its steps — work on some of its shards, results back home — while every key is held,
//      so no other client can observe or change any of them in between;
//   3. releases every lock and completes the client's command with one reply.
// Commands on other keys, including every single-shard command on them, keep flowing.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/connection.h"

namespace shardcache::server {

class Transaction : public std::enable_shared_from_this<Transaction> {
 public:
  using Body = std::function<void(Transaction&)>;
  using StepDone = std::function<void(std::vector<std::string>& replies)>;

  // Locks `keys_by_shard` and then calls `body` on the home thread. The connection's pipeline is
  // suspended until body's chain of steps calls finish(). Inside an EXEC that holds the keys
  // already (MultiState::outer), the body runs at once within it.
  static void start(const std::shared_ptr<Connection>& conn,
                    std::map<int, std::vector<std::string>> keys_by_shard, Body body);

  // Runs `work` on each of `shards` (their keys are held: it runs at once), then `then` on the
  // home thread with the replies in the order of `shards`.
  void run(std::vector<int> shards, Connection::ShardWork work, StepDone then);
  // Releases the locks and answers the command with `reply` (RESP bytes).
  void finish(std::string reply);

 private:
  Transaction(std::shared_ptr<Connection> conn, std::map<int, std::vector<std::string>> keys,
              Body body);
  void acquire_next(std::map<int, std::vector<std::string>>::iterator next);

  std::shared_ptr<Connection> conn_;
  std::map<int, std::vector<std::string>> keys_by_shard_;
  Body body_;
  std::uint64_t txid_ = 0;
};

}  // namespace shardcache::server
