// Replies to CONTAINER HELP the way Redis's addReplyHelp does: a header line, the entries, and
// the standard closing lines.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "protocol/reply_writer.h"
#include "server/ascii.h"

namespace shardcache::server {

inline void reply_help(protocol::ReplyWriter& reply, std::string_view command,
                       std::initializer_list<std::string_view> lines) {
  const std::string upper = to_upper(command);
  reply.array(lines.size() + 3);
  reply.simple(upper + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (std::string_view line : lines) reply.simple(line);
  reply.simple("HELP");
  reply.simple("    Prints this help.");
}

}  // namespace shardcache::server
