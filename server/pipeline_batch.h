// PipelineBatch: the single-shard keyed commands of one pipelined read that run on other shards,
// sent as one message per shard instead of one round trip per command.
//
// Without it, a client on thread A whose pipeline of 16 commands touches keys of thread B waits
// for a B round trip per command, one after another. With it, the connection parses everything
// it has received: commands whose keys are on its own shard run at once, the others are queued
// here per owning shard; at the end of the read each shard gets its commands in one post and
// runs them in request order, and once every shard has answered the replies are written in
// request order. A command that cannot join a batch (one spanning shards, one with no keys, a
// transaction, a blocking command, anything touching the connection) waits until the batch has
// answered, then runs as before.
//
// What this changes: commands of one pipeline on *different* shards may take effect in another
// order than they were sent (two SETs of keys on two shards); commands on the same key, or the
// same shard, keep their order, and replies always come back in request order. The commands of
// one pipeline overlap in time (the client has sent the later ones before reading the earlier
// replies), so every outcome is still one a linearizable server could give; Redis's stricter
// "in the order sent" for different keys is not kept. docs/architecture.md says so.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/command_context.h"

namespace shardcache::server {

struct CommandSpec;

struct BatchedCommand {
  const CommandSpec* spec;
  std::uint32_t first_arg, arg_count;  // in PipelineBatch::args
  int shard;                           // where it runs
  ClientView client;                   // taken when it was queued, as run_keyed takes it
  bool muted;                          // CLIENT REPLY SKIP applied to it
  std::size_t reply_begin = 0, reply_end = 0;  // in PipelineBatch::replies[shard]
  std::int64_t usec = 0;
};

// Flat arrays rather than strings and vectors per command: a batch is filled and emptied for
// every read, and keeping its capacity spares the allocator several calls per command.
struct PipelineBatch {
  std::vector<BatchedCommand> commands;
  // The commands' arguments: views into the connection's input buffer, which is not touched
  // while the batch is out, or into owned_args.
  std::vector<std::string_view> args;
  // Copies of arguments that do not live in the input buffer (inline commands, whose parsed
  // arguments are rebuilt per line); a deque, so views into its strings stay valid as it grows.
  std::deque<std::string> owned_args;
  // Reply bytes by shard, each written only by that shard's thread.
  std::vector<std::string> replies;
  bool dispatched = false;  // posted to the shards; the connection waits for their answers
  int shards_pending = 0;   // shards that have not answered yet

  bool empty() const { return commands.empty(); }
  std::span<const std::string_view> args_of(const BatchedCommand& cmd) const {
    return {args.data() + cmd.first_arg, cmd.arg_count};
  }
  void clear() {
    commands.clear();
    args.clear();
    owned_args.clear();
    for (auto& reply : replies) reply.clear();
    dispatched = false;
    shards_pending = 0;
  }
};

}  // namespace shardcache::server
