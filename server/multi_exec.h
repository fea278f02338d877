// MULTI/EXEC/DISCARD/WATCH/UNWATCH.
//
// EXEC runs the queued commands as one isolated unit. When every key they touch (and every
// watched key) lives on the client's home shard and no transaction holds any of them, they run
// back to back on the home thread: nothing else can run in between, and this costs nothing more
// than running them. Otherwise EXEC is a Transaction (server/transaction.h): it locks all those
// keys shard by shard in increasing shard order — no global lock, no deadlock — then checks the
// watched keys and runs the commands one after another, each on the shard owning its keys, while
// every key stays held; commands on other keys keep flowing on every shard.
#pragma once

#include <span>
#include <string_view>
#include <vector>

namespace shardcache::server {

class Connection;
struct CommandContext;
struct CommandSpec;

// Every key a command names, movable ones included (ZUNIONSTORE's numkeys, LMPOP ...).
std::vector<std::string_view> command_keys(const CommandSpec& spec,
                                           std::span<const std::string_view> args);

void watch_keys(CommandContext& ctx);  // WATCH key... (registers on each key's shard)
void unwatch_all(Connection& conn);    // UNWATCH, EXEC, DISCARD, RESET, disconnect
void discard_multi(Connection& conn);  // leaves MULTI, forgets the queue and the watches
void run_exec(CommandContext& ctx);    // EXEC

}  // namespace shardcache::server
