// CommandContext: everything a command handler may use while it runs.
#pragma once

#include <span>
#include <string_view>

#include "protocol/reply_writer.h"

namespace shardcache::server {

class Shard;
class Connection;
struct CommandSpec;

struct CommandContext {
  std::span<const std::string_view> args;  // args[0] is the command name as the client sent it
  protocol::ReplyWriter& reply;
  Shard& shard;  // the shard thread running the handler
  int db;        // the client's selected database
  // The client's connection, for Route::kHome commands only. Handlers of keyed and all-shard
  // commands may run on another shard's thread, where the connection must not be touched.
  Connection* conn;
  const CommandSpec& spec;
};

// Runs `spec`'s handler on `shard` (the calling thread must be that shard's) and appends its
// reply to `out`.
void run_handler(const CommandSpec& spec, Shard& shard, std::span<const std::string_view> args,
                 int db, int resp, Connection* conn, std::string& out);

}  // namespace shardcache::server
