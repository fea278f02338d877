// CLIENT ID|SETNAME|GETNAME|LIST|INFO|KILL|SETINFO|REPLY|NO-EVICT|NO-TOUCH|PAUSE|UNPAUSE|HELP.
// Clients live on several shard threads, so LIST, KILL and PAUSE visit every shard.
#include <memory>

#include "protocol/reply_writer.h"
#include "server/ascii.h"
#include "server/blocking.h"
#include "server/clock.h"
#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/broadcast.h"
#include "server/commands/families.h"
#include "server/commands/help_text.h"
#include "server/connection.h"
#include "server/server.h"
#include "server/shard.h"

namespace shardcache::server {
namespace {

constexpr const char* kErrBadName =
    "ERR Client names cannot contain spaces, newlines or special characters.";

void client_id(CommandContext& ctx) {
  ctx.reply.integer(static_cast<std::int64_t>(ctx.conn->state().id));
}

void client_setname(CommandContext& ctx) {
  if (!is_valid_client_attr(ctx.args[2])) {
    ctx.reply.error(kErrBadName);
    return;
  }
  ctx.conn->state().name = std::string(ctx.args[2]);
  ctx.reply.ok();
}

void client_getname(CommandContext& ctx) {
  const std::string& name = ctx.conn->state().name;
  if (name.empty()) {
    ctx.reply.null();
  } else {
    ctx.reply.bulk(name);
  }
}

void client_setinfo(CommandContext& ctx) {
  std::string* target = nullptr;
  if (iequals(ctx.args[2], "lib-name")) {
    target = &ctx.conn->state().lib_name;
  } else if (iequals(ctx.args[2], "lib-ver")) {
    target = &ctx.conn->state().lib_ver;
  } else {
    ctx.reply.error("ERR Unrecognized option '" + std::string(ctx.args[2]) + "'");
    return;
  }
  if (!is_valid_client_attr(ctx.args[3])) {
    ctx.reply.error("ERR " + std::string(ctx.args[2]) +
                    " cannot contain spaces, newlines or special characters.");
    return;
  }
  *target = std::string(ctx.args[3]);
  ctx.reply.ok();
}

void client_info(CommandContext& ctx) { ctx.reply.verbatim(ctx.conn->describe() + "\n"); }

// Which clients CLIENT LIST / CLIENT KILL select.
struct ClientFilter {
  std::vector<std::uint64_t> ids;  // empty: any
  std::optional<std::string> addr, laddr;
  bool type_none = false;  // TYPE master/replica/pubsub: no such clients here
  std::uint64_t skip_id = 0;

  bool matches(const ClientState& state) const {
    if (type_none || state.id == skip_id) return false;
    if (!ids.empty() && std::find(ids.begin(), ids.end(), state.id) == ids.end()) return false;
    if (addr && state.addr != *addr) return false;
    if (laddr && state.laddr != *laddr) return false;
    return true;
  }
};

// Parses "TYPE t"; returns an error text or empty.
std::string parse_type(std::string_view type, ClientFilter& filter) {
  if (iequals(type, "normal")) return {};
  if (iequals(type, "master") || iequals(type, "replica") || iequals(type, "slave") ||
      iequals(type, "pubsub")) {
    filter.type_none = true;
    return {};
  }
  return "ERR Unknown client type '" + std::string(type) + "'";
}

void client_list(CommandContext& ctx) {
  ClientFilter filter;
  const auto& args = ctx.args;
  if (args.size() == 4 && iequals(args[2], "type")) {
    if (auto error = parse_type(args[3], filter); !error.empty()) {
      ctx.reply.error(error);
      return;
    }
  } else if (args.size() >= 4 && iequals(args[2], "id")) {
    for (std::size_t i = 3; i < args.size(); ++i) {
      auto id = parse_int64(args[i]);
      if (!id) {
        ctx.reply.error("ERR Invalid client ID");
        return;
      }
      // An id no client can have (0, negative) just matches nothing, as in Redis.
      filter.ids.push_back(*id > 0 ? static_cast<std::uint64_t>(*id) : 0);
    }
  } else if (args.size() != 2) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  const int resp = ctx.conn->state().resp;
  ctx.conn->gather_all(
      [filter](Shard& shard) {
        std::string lines;
        for (const auto& [id, conn] : shard.connections()) {
          if (filter.matches(conn->state())) lines += conn->describe() + "\n";
        }
        return lines;
      },
      [resp](std::vector<std::string>& parts, std::string& out) {
        std::string all;
        for (const auto& part : parts) all += part;
        protocol::ReplyWriter(out, resp).verbatim(all);
      });
}

void client_kill(CommandContext& ctx) {
  const auto& args = ctx.args;
  ClientFilter filter;
  const bool old_style = args.size() == 3;
  if (old_style) {
    filter.addr = std::string(args[2]);
  } else {
    bool skip_me = true;
    for (std::size_t i = 2; i < args.size(); i += 2) {
      if (i + 1 >= args.size()) {
        ctx.reply.error(kErrSyntax);
        return;
      }
      const std::string_view option = args[i], value = args[i + 1];
      if (iequals(option, "id")) {
        auto id = parse_int64(value);
        if (!id || *id <= 0) {
          ctx.reply.error("ERR client-id should be greater than 0");
          return;
        }
        filter.ids.push_back(static_cast<std::uint64_t>(*id));
      } else if (iequals(option, "type")) {
        if (auto error = parse_type(value, filter); !error.empty()) {
          ctx.reply.error(error);
          return;
        }
      } else if (iequals(option, "addr")) {
        filter.addr = std::string(value);
      } else if (iequals(option, "laddr")) {
        filter.laddr = std::string(value);
      } else if (iequals(option, "user")) {
        if (value != "default") {
          ctx.reply.error("ERR No such user '" + std::string(value) + "'");
          return;
        }
      } else if (iequals(option, "skipme")) {
        if (iequals(value, "yes")) {
          skip_me = true;
        } else if (iequals(value, "no")) {
          skip_me = false;
        } else {
          ctx.reply.error(kErrSyntax);
          return;
        }
      } else {
        ctx.reply.error(kErrSyntax);
        return;
      }
    }
    if (skip_me) filter.skip_id = ctx.conn->state().id;
  }
  // The caller itself may be killed (SKIPME no): it is closed after this reply.
  auto self = ctx.conn->shared_from_this();
  ctx.conn->gather_all(
      [filter, self](Shard& shard) {
        std::int64_t killed = 0;
        auto connections = shard.connections();
        for (auto& [id, conn] : connections) {
          if (!filter.matches(conn->state())) continue;
          ++killed;
          if (conn == self) {
            conn->close_after_reply();
          } else {
            conn->kill();
          }
        }
        return std::to_string(killed);
      },
      [old_style](std::vector<std::string>& parts, std::string& out) {
        std::int64_t killed = 0;
        for (const auto& part : parts) killed += std::stoll(part);
        protocol::ReplyWriter writer(out);
        if (!old_style) {
          writer.integer(killed);
        } else if (killed == 0) {
          writer.error("ERR No such client");
        } else {
          writer.ok();
        }
      });
}

// CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends a blocking command's wait, on the client's home shard.
void client_unblock(CommandContext& ctx) {
  bool with_error = false;
  if (ctx.args.size() == 4) {
    if (iequals(ctx.args[3], "error")) {
      with_error = true;
    } else if (!iequals(ctx.args[3], "timeout")) {
      ctx.reply.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
      return;
    }
  }
  const auto id = parse_int64(ctx.args[2]);
  if (!id) {
    ctx.reply.error(kErrNotInteger);
    return;
  }
  ctx.conn->gather_all(
      [id = static_cast<std::uint64_t>(*id), with_error](Shard& shard) {
        const auto& connections = shard.connections();
        const auto it = connections.find(id);
        const bool unblocked = it != connections.end() && blocking::unblock(*it->second, with_error);
        return std::string(unblocked ? "1" : "0");
      },
      [](std::vector<std::string>& parts, std::string& out) {
        std::int64_t unblocked = 0;
        for (const auto& part : parts) unblocked += part == "1";
        protocol::ReplyWriter(out).integer(unblocked);
      });
}

void client_reply(CommandContext& ctx) {
  ClientState& state = ctx.conn->state();
  const std::string_view mode = ctx.args[2];
  if (iequals(mode, "on")) {
    state.reply_off = false;
    state.skip_current = false;  // this +OK is sent even right after SKIP
    ctx.reply.ok();
  } else if (iequals(mode, "off")) {
    state.reply_off = true;
  } else if (iequals(mode, "skip")) {
    if (!state.reply_off) state.skip_next = true;
  } else {
    ctx.reply.error(kErrSyntax);
  }
}

// CLIENT NO-EVICT / NO-TOUCH ON|OFF.
void set_switch(CommandContext& ctx, bool ClientState::*field) {
  if (iequals(ctx.args[2], "on")) {
    ctx.conn->state().*field = true;
  } else if (iequals(ctx.args[2], "off")) {
    ctx.conn->state().*field = false;
  } else {
    ctx.reply.error(kErrSyntax);
    return;
  }
  ctx.reply.ok();
}

void client_no_evict(CommandContext& ctx) { set_switch(ctx, &ClientState::no_evict); }
void client_no_touch(CommandContext& ctx) { set_switch(ctx, &ClientState::no_touch); }

void client_pause(CommandContext& ctx) {
  auto timeout = parse_int64(ctx.args[2]);
  if (!timeout) {
    ctx.reply.error("ERR timeout is not an integer or out of range");
    return;
  }
  if (*timeout < 0) {
    ctx.reply.error("ERR timeout is negative");
    return;
  }
  bool writes_only = false;
  if (ctx.args.size() == 4) {
    if (iequals(ctx.args[3], "write")) {
      writes_only = true;
    } else if (!iequals(ctx.args[3], "all")) {
      ctx.reply.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
      return;
    }
  } else if (ctx.args.size() > 4) {
    reply_subcommand_syntax_error(ctx.reply, ctx.args);
    return;
  }
  const std::int64_t until = unix_time_ms() + *timeout;
  apply_on_every_shard_then_ok(
      ctx, [until, writes_only](Shard& shard) { shard.pause_clients(until, writes_only); });
}

void client_unpause(CommandContext& ctx) {
  apply_on_every_shard_then_ok(ctx, [](Shard& shard) { shard.unpause_clients(); });
}

void client_help(CommandContext& ctx) {
  reply_help(ctx.reply, "client", {
      "GETNAME",
      "    Return the name of the current connection.",
      "ID",
      "    Return the ID of the current connection.",
      "INFO",
      "    Return information about the current client connection.",
      "KILL <ip:port>",
      "    Kill connection made from <ip:port>.",
      "KILL <option> <value> [<option> <value> [...]]",
      "    Kill connections. Options are:",
      "    * ADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made from the specified address",
      "    * LADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made to specified local address",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Kill connections by type.",
      "    * USER <username>",
      "      Kill connections authenticated by <username>.",
      "    * SKIPME (YES|NO)",
      "      Skip killing current connection (default: yes).",
      "LIST [options ...]",
      "    Return information about client connections. Options:",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Return clients of specified type.",
      "UNPAUSE",
      "    Stop the current client pause, resuming traffic.",
      "PAUSE <timeout> [WRITE|ALL]",
      "    Suspend all, or just write, clients for <timeout> milliseconds.",
      "REPLY (ON|OFF|SKIP)",
      "    Control the replies sent to the current connection.",
      "SETNAME <name>",
      "    Assign the name <name> to the current connection.",
      "SETINFO <option> <value>",
      "    Set client meta attr. Options are:",
      "    * LIB-NAME: the client lib name.",
      "    * LIB-VER: the client lib version.",
      "NO-EVICT (ON|OFF)",
      "    Protect current client connection from eviction.",
      "NO-TOUCH (ON|OFF)",
      "    Will not touch LRU/LFU stats when this mode is on.",
  });
}

}  // namespace

std::vector<CommandBinding> client_bindings() {
  return {
      {"client|id", client_id, Route::kHome},
      {"client|setname", client_setname, Route::kHome},
      {"client|getname", client_getname, Route::kHome},
      {"client|setinfo", client_setinfo, Route::kHome},
      {"client|info", client_info, Route::kHome},
      {"client|list", client_list, Route::kHome},
      {"client|kill", client_kill, Route::kHome},
      {"client|unblock", client_unblock, Route::kHome},
      {"client|reply", client_reply, Route::kHome},
      {"client|no-evict", client_no_evict, Route::kHome},
      {"client|no-touch", client_no_touch, Route::kHome},
      {"client|pause", client_pause, Route::kHome},
      {"client|unpause", client_unpause, Route::kHome},
      {"client|help", client_help, Route::kHome},
  };
}

}  // namespace shardcache::server
