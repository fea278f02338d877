// Replies to CONTAINER HELP the way Redis's addReplyHelp does: a header line, the entries, and
// the standard closing lines.
#pragma once

#include <initializer_list>
#include <span>
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

// Redis's addReplySubcommandSyntaxError: the subcommand as the client typed it, the container
// in upper case.
inline void reply_subcommand_syntax_error(protocol::ReplyWriter& reply,
                                          std::span<const std::string_view> args) {
  reply.error("ERR unknown subcommand or wrong number of arguments for '" +
              std::string(args[1].substr(0, 128)) + "'. Try " + to_upper(args[0]) + " HELP.");
}

}  // namespace shardcache::server
