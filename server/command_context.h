// CommandContext: everything a command handler may use while it runs.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "protocol/reply_writer.h"
#include "server/reply_attachments.h"
#include "storage/value_buffer.h"

namespace shardcache::server {

class Shard;
class Connection;
struct CommandSpec;

struct ClientView;

// What a connection running a handler on its own thread offers it beyond plain bytes: large
// values may go into its reply by reference, and large arguments it received into buffers of
// their own may be adopted by the handler instead of copied. Handlers run anywhere else (on
// another shard, in EXEC, in a Transaction) get neither and copy: correct, not zero-copy.
struct ZeroCopy {
  ReplyAttachments* attachments;                      // for reply_string_entry
  const std::vector<storage::ValueRef>* arg_buffers;  // the command's out-of-line arguments
};

struct CommandContext {
  std::span<const std::string_view> args;  // args[0] is the command name as the client sent it
  protocol::ReplyWriter& reply;
  Shard& shard;  // the shard thread running the handler
  int db;        // the client's selected database
  // The client's connection, for Route::kHome commands only. Handlers of keyed and all-shard
  // commands may run on another shard's thread, where the connection must not be touched.
  Connection* conn;
  const CommandSpec& spec;
  const ClientView& client;  // what the handler may know of its client on any thread
  // Set only when the client's own connection runs the handler on its thread (see ZeroCopy).
  const ZeroCopy* zero_copy = nullptr;

  ReplyAttachments* attachments() const {
    return zero_copy != nullptr ? zero_copy->attachments : nullptr;
  }
};

// The buffer among `zero_copy->arg_buffers` that holds exactly the argument `arg`, with a new
// reference for the caller to keep; empty when `arg` is not such an argument.
storage::ValueRef held_argument(const CommandContext& ctx, std::string_view arg);

// What a handler may know of its client on any shard's thread: a copy taken on the client's
// home thread when the command was dispatched.
struct ClientView {
  int db = 0;
  int resp = 2;
  bool no_touch = false;  // CLIENT NO-TOUCH: reads leave the keys' LRU/LFU state alone
  // The command runs inside MULTI/EXEC: blocking commands (BLPOP ...) must not block but answer
  // as their timeout would, as Redis does.
  bool in_multi = false;
  std::uint64_t id = 0;      // CLIENT ID
  bool track_reads = false;  // CLIENT TRACKING: remember the keys this command reads
};

// Runs `spec`'s handler on `shard` (the calling thread must be that shard's) and appends its
// reply to `out` (and to `zero_copy->attachments` the large values it refers to). `start_us` is
// the command's start on the monotonic clock if the caller has read it already (< 0: read here).
void run_handler(const CommandSpec& spec, Shard& shard, std::span<const std::string_view> args,
                 const ClientView& client, Connection* conn, std::string& out,
                 std::int64_t start_us = -1, const ZeroCopy* zero_copy = nullptr);

}  // namespace shardcache::server
