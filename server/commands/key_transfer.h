// Key transfers: RENAME, RENAMENX, COPY and MOVE recreate a key's value (with its encoding and
// TTL) under another name or in another database, possibly on another shard.
#pragma once

#include <string>

#include "protocol/reply_writer.h"

namespace shardcache::server {

class Shard;
struct CommandContext;

enum class TransferKind { kRename, kRenameNx, kCopy, kMove };

struct TransferRequest {
  TransferKind kind;
  std::string source, destination;
  int source_db = 0, destination_db = 0;
  bool replace = false;  // COPY ... REPLACE
};

// How a transfer ended; the reply depends on it and on the kind.
enum class TransferOutcome { kNoSource, kSameKey, kDestinationTaken, kDone };

// The whole transfer on the one shard that owns both keys, run on its thread.
TransferOutcome transfer_on_one_shard(Shard& shard, const TransferRequest& request);

// Redis's reply to the outcome: RENAME "+OK" or "no such key", the others 1 or 0.
void reply_transfer_outcome(protocol::ReplyWriter& reply, TransferKind kind,
                            TransferOutcome outcome);

// Runs a transfer for a home-routed command and replies: at once when both keys live on the home
// shard and no transaction holds them, else as a Transaction over the one or two shards
// involved. Call as the handler's last action.
void run_transfer(CommandContext& ctx, TransferRequest request);

}  // namespace shardcache::server
