// PING ECHO QUIT RESET HELLO AUTH SELECT: the commands clients send at connect time.
#include "server/ascii.h"
#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/families.h"
#include "server/connection.h"
#include "server/multi_exec.h"
#include "server/pubsub.h"
#include "server/server.h"
#include "server/shard.h"

namespace shardcache::server {
namespace {

constexpr const char* kErrWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";

void ping(CommandContext& ctx) {
  if (ctx.args.size() > 2) {
    ctx.reply.error("ERR wrong number of arguments for 'ping' command");
  } else if (ctx.reply.resp() == 2 && ctx.conn->subscriptions().any()) {
    // In RESP2 subscribed mode PING answers in the shape of a message, as Redis.
    ctx.reply.array(2);
    ctx.reply.bulk("pong");
    ctx.reply.bulk(ctx.args.size() == 2 ? ctx.args[1] : "");
  } else if (ctx.args.size() == 2) {
    ctx.reply.bulk(ctx.args[1]);
  } else {
    ctx.reply.simple("PONG");
  }
}

void echo(CommandContext& ctx) { ctx.reply.bulk(ctx.args[1]); }

void quit(CommandContext& ctx) {
  ctx.reply.ok();
  ctx.conn->close_after_reply();
}

// The single "default" user: no password unless requirepass is set. Returns an error text or
// nullptr on success.
const char* check_credentials(const CommandContext& ctx, std::string_view user,
                              std::string_view password) {
  const std::string& required = ctx.shard.config().requirepass;
  if (user != "default") return kErrWrongPass;
  if (!required.empty() && password != required) return kErrWrongPass;
  return nullptr;
}

void auth(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  if (ctx.args.size() == 2 && ctx.shard.config().requirepass.empty()) {
    ctx.reply.error(
        "ERR AUTH <password> called without any password configured for the default user. Are "
        "you sure your configuration is correct?");
    return;
  }
  const std::string_view user = ctx.args.size() == 3 ? ctx.args[1] : "default";
  if (const char* error = check_credentials(ctx, user, ctx.args.back())) {
    ctx.reply.error(error);
    return;
  }
  ctx.conn->state().authenticated = true;
  ctx.reply.ok();
}

void hello(CommandContext& ctx) {
  ClientState& state = ctx.conn->state();
  std::int64_t version = 0;
  std::size_t next = 1;
  if (ctx.args.size() >= 2) {
    auto parsed = parse_int64(ctx.args[next++]);
    if (!parsed) {
      ctx.reply.error("ERR Protocol version is not an integer or out of range");
      return;
    }
    version = *parsed;
    if (version < 2 || version > 3) {
      ctx.reply.error("NOPROTO unsupported protocol version");
      return;
    }
  }
  std::optional<std::string_view> user, password, client_name;
  for (std::size_t j = next; j < ctx.args.size(); ++j) {
    const std::size_t more = ctx.args.size() - 1 - j;
    if (iequals(ctx.args[j], "AUTH") && more >= 2) {
      user = ctx.args[j + 1];
      password = ctx.args[j + 2];
      j += 2;
    } else if (iequals(ctx.args[j], "SETNAME") && more >= 1) {
      client_name = ctx.args[j + 1];
      if (!is_valid_client_attr(*client_name)) {
        ctx.reply.error(
            "ERR Client names cannot contain spaces, newlines or special characters.");
        return;
      }
      ++j;
    } else {
      ctx.reply.error("ERR Syntax error in HELLO option '" + std::string(ctx.args[j]) + "'");
      return;
    }
  }
  if (user) {
    if (const char* error = check_credentials(ctx, *user, *password)) {
      ctx.reply.error(error);
      return;
    }
    state.authenticated = true;
  }
  if (ctx.conn->auth_required()) {
    ctx.reply.error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
        "HELLO AUTH <user> <pass> option can be used to authenticate the client and select the "
        "RESP protocol version at the same time");
    return;
  }
  if (client_name) state.name = std::string(*client_name);
  if (version != 0) {
    state.resp = static_cast<int>(version);
    ctx.reply.set_resp(state.resp);
  }
  ctx.reply.map(8);
  ctx.reply.bulk("server");
  ctx.reply.bulk("redis");
  ctx.reply.bulk("version");
  ctx.reply.bulk(kRedisCompatVersion);
  ctx.reply.bulk("proto");
  ctx.reply.integer(state.resp);
  ctx.reply.bulk("id");
  ctx.reply.integer(static_cast<std::int64_t>(state.id));
  ctx.reply.bulk("mode");
  ctx.reply.bulk("standalone");
  ctx.reply.bulk("role");
  ctx.reply.bulk("master");
  ctx.reply.bulk("modules");
  ctx.reply.array(0);
  ctx.reply.bulk("shardcache_version");
  ctx.reply.bulk(kShardcacheVersion);
}

void reset(CommandContext& ctx) {
  discard_multi(*ctx.conn);
  unsubscribe_all(*ctx.conn);
  ClientState& state = ctx.conn->state();
  state.db = 0;
  state.resp = 2;
  state.name.clear();
  state.reply_off = false;
  state.skip_next = false;
  state.no_evict = false;
  state.no_touch = false;
  // As a new connection: a password, if set, is asked for again.
  state.authenticated = ctx.shard.config().requirepass.empty();
  ctx.reply.set_resp(2);
  ctx.reply.simple("RESET");
}

void select(CommandContext& ctx) {
  auto index = parse_int64(ctx.args[1]);
  if (!index) {
    ctx.reply.error(kErrNotInteger);
    return;
  }
  if (*index < INT32_MIN || *index > INT32_MAX) {
    ctx.reply.error("ERR value is out of range, value must between -2147483648 and 2147483647");
    return;
  }
  if (*index < 0 || *index >= ctx.shard.config().databases) {
    ctx.reply.error("ERR DB index is out of range");
    return;
  }
  ctx.conn->state().db = static_cast<int>(*index);
  ctx.reply.ok();
}

}  // namespace

std::vector<CommandBinding> connection_bindings() {
  return {
      {"ping", ping, Route::kHome},   {"echo", echo, Route::kHome},
      {"quit", quit, Route::kHome},   {"reset", reset, Route::kHome},
      {"hello", hello, Route::kHome}, {"auth", auth, Route::kHome},
      {"select", select, Route::kHome},
  };
}

}  // namespace shardcache::server
