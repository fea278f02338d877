#include "server/commands/key_transfer.h"

#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "server/blocking.h"
#include "server/command_context.h"
#include "server/commands/key_commands.h"
#include "server/connection.h"
#include "server/server.h"
#include "server/shard.h"
#include "server/transaction.h"

namespace shardcache::server {
namespace {

// What of a key a transfer carries over.
struct ValueSnapshot {
  std::string value;  // a small string's bytes
  // A large string's buffer (held out of line). RENAME and MOVE hand it over as they hand a
  // container over; COPY takes a copy of its own, as Redis duplicates the object.
  storage::ValueRef buffer;
  storage::Encoding encoding;
  std::int64_t expire_at_ms;
  std::uint32_t eviction_bits;
  // A container key. COPY takes a deep copy when it reads the source. RENAME and MOVE hand the
  // object itself over: the destination adopts it and the source is removed without freeing it.
  // Both keys stay locked in between, so nothing else reaches the object.
  std::unique_ptr<storage::Container> copy;
  storage::Container* moved = nullptr;
};

// Looks the source up as the command does: COPY reads it (a keyspace hit or miss), the others
// look it up for writing. Both refresh its access time.
std::optional<ValueSnapshot> read_source(Shard& shard, const TransferRequest& request) {
  const storage::Entry* entry =
      request.kind == TransferKind::kCopy
          ? lookup_read(shard, request.source_db, request.source, true)
          : shard.db(request.source_db).find(request.source, true);
  if (entry == nullptr) return std::nullopt;
  ValueSnapshot snapshot;
  snapshot.encoding = entry->encoding();
  snapshot.expire_at_ms = entry->expire_at_ms();
  snapshot.eviction_bits = entry->eviction_bits();
  if (const storage::Container* container = entry->container()) {
    if (request.kind == TransferKind::kCopy) {
      snapshot.copy = container->clone();
    } else {
      snapshot.moved = entry->container();
    }
  } else if (storage::ValueBuffer* buffer = entry->value_buffer()) {
    if (request.kind == TransferKind::kCopy) {
      snapshot.buffer = storage::ValueRef(storage::ValueBuffer::copy_of(buffer->view()));
    } else {
      snapshot.buffer = storage::ValueRef::retained(buffer);
    }
  } else {
    snapshot.value = std::string(entry->value());
  }
  return snapshot;
}

bool destination_taken(Shard& shard, const TransferRequest& request) {
  return shard.db(request.destination_db).find(request.destination, true) != nullptr;
}

// Decides a transfer whose source exists.
TransferOutcome decide(const TransferRequest& request, bool taken) {
  const bool may_overwrite = request.kind == TransferKind::kRename ||
                             (request.kind == TransferKind::kCopy && request.replace);
  return taken && !may_overwrite ? TransferOutcome::kDestinationTaken : TransferOutcome::kDone;
}

// Stores the value under the destination name. A renamed or moved key keeps its access state
// (Redis moves the object itself); a copy is a new object and starts afresh.
void write_destination(Shard& shard, const TransferRequest& request, ValueSnapshot& value) {
  storage::Keyspace& db = shard.db(request.destination_db);
  storage::Entry* entry = nullptr;
  if (value.copy || value.moved != nullptr) {
    std::unique_ptr<storage::Container> container =
        value.copy ? std::move(value.copy) : std::unique_ptr<storage::Container>(value.moved);
    entry = db.set_container(request.destination, std::move(container), value.expire_at_ms);
  } else if (value.buffer) {
    entry = db.set_string(request.destination, std::move(value.buffer), value.encoding,
                          value.expire_at_ms);
  } else {
    entry = db.set_string(request.destination, value.value, value.encoding, value.expire_at_ms);
  }
  entry->set_eviction_bits(request.kind == TransferKind::kCopy
                               ? shard.clock().initial_bits(shard.clock().now())
                               : value.eviction_bits);
}

// A list or sorted set now under the destination name may serve clients blocked on it. Only
// once the source has let go of a moved container: serving may pop the destination empty and
// free it.
void wake_destination_waiters(Shard& shard, const TransferRequest& request) {
  blocking::signal_key_ready(shard, request.destination_db, request.destination);
}

void remove_source_unless_copy(Shard& shard, const TransferRequest& request) {
  if (request.kind == TransferKind::kCopy) return;
  storage::Keyspace& db = shard.db(request.source_db);
  // A container now belongs to the destination's entry: the source lets go of it unfreed.
  if (std::unique_ptr<storage::Container> handed_over = db.release_container(request.source)) {
    (void)handed_over.release();
    return;
  }
  db.remove(request.source);
}

// A transfer's state, shared by its steps. Shard results travel here rather than as reply bytes:
// each field is written by one shard thread and read at home once that step is complete.
struct TransferState {
  TransferRequest request;
  int source_shard, destination_shard;
  std::int64_t now_ms;
  int resp;
  std::optional<ValueSnapshot> source;  // written on the source shard's thread
  bool destination_taken = false;       // written on the destination shard's thread
};

void finish_with_outcome(Transaction& txn, const TransferState& state, TransferOutcome outcome) {
  std::string out;
  protocol::ReplyWriter reply(out, state.resp);
  reply_transfer_outcome(reply, state.request.kind, outcome);
  txn.finish(std::move(out));
}

// Phase 2 of a cross-shard transfer: the value is written on the destination shard and, unless
// COPY, removed from the source shard.
void apply_across_shards(Transaction& txn, const std::shared_ptr<TransferState>& state) {
  txn.run({state->destination_shard, state->source_shard},
          [state](Shard& shard) {
            shard.clock().set_now(state->now_ms);
            if (shard.index() == state->destination_shard) {
              write_destination(shard, state->request, *state->source);
            } else {
              remove_source_unless_copy(shard, state->request);
            }
            return std::string();
          },
          [&txn, state](std::vector<std::string>&) {
            txn.run({state->destination_shard},
                    [state](Shard& shard) {
                      wake_destination_waiters(shard, state->request);
                      return std::string();
                    },
                    [&txn, state](std::vector<std::string>&) {
                      finish_with_outcome(txn, *state, TransferOutcome::kDone);
                    });
          });
}

// Phase 1 of a cross-shard transfer: in parallel, the source shard reads the source and the
// destination shard checks the destination; then the outcome is decided at home.
void transfer_across_shards(Transaction& txn, const std::shared_ptr<TransferState>& state) {
  txn.run({state->source_shard, state->destination_shard},
          [state](Shard& shard) {
            shard.clock().set_now(state->now_ms);
            if (shard.index() == state->source_shard) {
              state->source = read_source(shard, state->request);
            } else {
              state->destination_taken = destination_taken(shard, state->request);
            }
            return std::string();
          },
          [&txn, state](std::vector<std::string>&) {
            const TransferOutcome outcome = state->source
                                                ? decide(state->request, state->destination_taken)
                                                : TransferOutcome::kNoSource;
            if (outcome == TransferOutcome::kDone) {
              apply_across_shards(txn, state);
            } else {
              finish_with_outcome(txn, *state, outcome);
            }
          });
}

// A transfer whose two keys share a shard: one step on it.
void transfer_on_shared_shard(Transaction& txn, const std::shared_ptr<TransferState>& state) {
  txn.run({state->source_shard},
          [state](Shard& shard) {
            shard.clock().set_now(state->now_ms);
            std::string out;
            protocol::ReplyWriter reply(out, state->resp);
            const TransferOutcome outcome = transfer_on_one_shard(shard, state->request);
            reply_transfer_outcome(reply, state->request.kind, outcome);
            return out;
          },
          [&txn](std::vector<std::string>& replies) { txn.finish(std::move(replies[0])); });
}

// A transfer as a Transaction: both keys stay locked from the first read to the last write, so
// no other client sees or changes them half-way, even when they live on two shards.
void transfer_in_transaction(CommandContext& ctx, std::shared_ptr<TransferState> state) {
  std::map<int, std::vector<std::string>> keys;
  keys[state->source_shard].push_back(state->request.source);
  keys[state->destination_shard].push_back(state->request.destination);
  Transaction::start(ctx.conn->shared_from_this(), std::move(keys),
                     [state = std::move(state)](Transaction& txn) {
                       if (state->source_shard == state->destination_shard) {
                         transfer_on_shared_shard(txn, state);
                       } else {
                         transfer_across_shards(txn, state);
                       }
                     });
}

}  // namespace

TransferOutcome transfer_on_one_shard(Shard& shard, const TransferRequest& request) {
  auto source = read_source(shard, request);
  if (!source) return TransferOutcome::kNoSource;
  // RENAME key key: nothing to do once the key is known to exist (COPY refuses it earlier).
  if (request.source == request.destination && request.source_db == request.destination_db) {
    return TransferOutcome::kSameKey;
  }
  const TransferOutcome outcome = decide(request, destination_taken(shard, request));
  if (outcome == TransferOutcome::kDone) {
    write_destination(shard, request, *source);
    remove_source_unless_copy(shard, request);
    wake_destination_waiters(shard, request);
  }
  return outcome;
}

void reply_transfer_outcome(protocol::ReplyWriter& reply, TransferKind kind,
                            TransferOutcome outcome) {
  const bool rename = kind == TransferKind::kRename || kind == TransferKind::kRenameNx;
  switch (outcome) {
    case TransferOutcome::kNoSource:
      if (rename) {
        reply.error("ERR no such key");
      } else {
        reply.integer(0);
      }
      return;
    case TransferOutcome::kSameKey:
    case TransferOutcome::kDone:
      if (kind == TransferKind::kRename) {
        reply.ok();
      } else {
        reply.integer(outcome == TransferOutcome::kDone ? 1 : 0);
      }
      return;
    case TransferOutcome::kDestinationTaken:
      reply.integer(0);
      return;
  }
}

void run_transfer(CommandContext& ctx, TransferRequest request) {
  const Server& server = ctx.shard.server();
  const int source_shard = server.shard_of_key(request.source);
  const int destination_shard = server.shard_of_key(request.destination);
  const bool local = source_shard == ctx.shard.index() && destination_shard == source_shard;
  if (local && !ctx.shard.key_locks().any_locked({request.source, request.destination})) {
    // The common case needs no transaction: one step on this thread.
    reply_transfer_outcome(ctx.reply, request.kind, transfer_on_one_shard(ctx.shard, request));
    return;
  }
  transfer_in_transaction(
      ctx, std::make_shared<TransferState>(TransferState{std::move(request), source_shard,
                                                         destination_shard,
                                                         ctx.shard.clock().now(),
                                                         ctx.reply.resp(), std::nullopt, false}));
}

}  // namespace shardcache::server
