// Runs a change on every shard's thread (each on its own data), then answers +OK once all have
// applied it: CONFIG SET, CONFIG RESETSTAT, CLIENT PAUSE/UNPAUSE, SLOWLOG RESET.
#pragma once

#include <functional>
#include <string>

#include "protocol/reply_writer.h"
#include "server/command_context.h"
#include "server/connection.h"

namespace shardcache::server {

inline void apply_on_every_shard_then_ok(CommandContext& ctx, std::function<void(Shard&)> change) {
  ctx.conn->gather_all(
      [change = std::move(change)](Shard& shard) {
        change(shard);
        return std::string();
      },
      [](std::vector<std::string>&, std::string& out) { protocol::ReplyWriter(out).ok(); });
}

}  // namespace shardcache::server
