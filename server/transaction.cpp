#include "server/transaction.h"

#include "server/server.h"
#include "server/shard.h"

namespace shardcache::server {

Transaction::Transaction(std::shared_ptr<Connection> conn,
                         std::map<int, std::vector<std::string>> keys, Body body)
    : conn_(std::move(conn)), keys_by_shard_(std::move(keys)), body_(std::move(body)) {}

void Transaction::start(const std::shared_ptr<Connection>& conn,
                        std::map<int, std::vector<std::string>> keys_by_shard, Body body) {
  if (Transaction* outer = conn->multi().outer) {
    // A command queued in MULTI, run by an EXEC that already holds all of its commands' keys:
    // it runs inside that EXEC, taking (and so releasing) no lock of its own.
    std::shared_ptr<Transaction> nested(new Transaction(conn, {}, std::move(body)));
    nested->txid_ = outer->txid_;
    conn->suspend();
    nested->body_(*nested);
    return;
  }
  std::shared_ptr<Transaction> txn(new Transaction(conn, std::move(keys_by_shard), std::move(body)));
  txn->txid_ = conn->shard().server().next_transaction_id();
  conn->suspend();
  txn->acquire_next(txn->keys_by_shard_.begin());
}

void Transaction::acquire_next(std::map<int, std::vector<std::string>>::iterator next) {
  if (next == keys_by_shard_.end()) {
    body_(*this);
    return;
  }
  Server& server = conn_->shard().server();
  Shard& target = server.shard(next->first);
  Shard& home = conn_->shard();
  auto self = shared_from_this();
  target.post([self, next, &target, &home] {
    target.key_locks().acquire(self->txid_, next->second, [self, next, &home] {
      home.post([self, next] { self->acquire_next(std::next(next)); });
    });
  });
}

void Transaction::run(std::vector<int> shards, Connection::ShardWork work, StepDone then) {
  struct Pending {
    std::vector<std::string> replies;
    std::size_t remaining;
  };
  auto pending = std::make_shared<Pending>(Pending{std::vector<std::string>(shards.size()), shards.size()});
  auto shared_work = std::make_shared<Connection::ShardWork>(std::move(work));
  auto shared_then = std::make_shared<StepDone>(std::move(then));
  Server& server = conn_->shard().server();
  Shard& home = conn_->shard();
  auto self = shared_from_this();
  for (std::size_t i = 0; i < shards.size(); ++i) {
    Shard& target = server.shard(shards[i]);
    target.post([self, pending, shared_work, shared_then, i, &target, &home] {
      std::string reply = (*shared_work)(target);
      home.post([self, pending, shared_then, i, reply = std::move(reply)]() mutable {
        pending->replies[i] = std::move(reply);
        if (--pending->remaining == 0) (*shared_then)(pending->replies);
      });
    });
  }
}

void Transaction::finish(std::string reply) {
  Server& server = conn_->shard().server();
  for (const auto& [shard_index, keys] : keys_by_shard_) {
    Shard& target = server.shard(shard_index);
    target.post([&target, txid = txid_] { target.key_locks().release(txid); });
  }
  conn_->complete(reply);
}

}  // namespace shardcache::server
