// SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE SSUBSCRIBE SUNSUBSCRIBE PUBLISH SPUBLISH PUBSUB.
// The registry is server/pubsub.h; replies and counts follow Redis 7.0.
#include <algorithm>

#include "server/command_context.h"
#include "server/commands/families.h"
#include "server/commands/help_text.h"
#include "server/connection.h"
#include "server/pubsub.h"
#include "server/server.h"
#include "server/shard.h"

namespace shardcache::server {
namespace {

const char* subscribe_word(SubscriptionKind kind) {
  return kind == SubscriptionKind::kChannel   ? "subscribe"
         : kind == SubscriptionKind::kPattern ? "psubscribe"
                                              : "ssubscribe";
}

const char* unsubscribe_word(SubscriptionKind kind) {
  return kind == SubscriptionKind::kChannel   ? "unsubscribe"
         : kind == SubscriptionKind::kPattern ? "punsubscribe"
                                              : "sunsubscribe";
}

// One confirmation per name: [word, name, count] (a push in RESP3).
void confirm(CommandContext& ctx, const char* word, const std::string_view* name,
             std::size_t count) {
  ctx.reply.push(3);
  ctx.reply.bulk(word);
  if (name != nullptr) {
    ctx.reply.bulk(*name);
  } else {
    ctx.reply.null();
  }
  ctx.reply.integer(static_cast<std::int64_t>(count));
}

void subscribe_to(CommandContext& ctx, SubscriptionKind kind) {
  Connection& conn = *ctx.conn;
  auto& mine = conn.subscriptions().of(kind);
  PubSub& pubsub = ctx.shard.server().pubsub();
  for (std::size_t i = 1; i < ctx.args.size(); ++i) {
    const std::string_view name = ctx.args[i];
    if (std::find(mine.begin(), mine.end(), name) == mine.end()) {
      mine.emplace_back(name);
      pubsub.subscribe(kind, name, conn.shared_from_this());
    }
    confirm(ctx, subscribe_word(kind), &name, conn.subscriptions().count_for(kind));
  }
}

void unsubscribe_from(CommandContext& ctx, SubscriptionKind kind) {
  Connection& conn = *ctx.conn;
  auto& mine = conn.subscriptions().of(kind);
  PubSub& pubsub = ctx.shard.server().pubsub();
  // Without names: every subscription of this kind (and one reply with a null name if none).
  std::vector<std::string> names(ctx.args.begin() + 1, ctx.args.end());
  if (names.empty()) {
    names = mine;
    if (names.empty()) confirm(ctx, unsubscribe_word(kind), nullptr, conn.subscriptions().count_for(kind));
  }
  for (const std::string& name : names) {
    const auto it = std::find(mine.begin(), mine.end(), name);
    if (it != mine.end()) {
      mine.erase(it);
      pubsub.unsubscribe(kind, name, &conn);
    }
    const std::string_view view = name;
    confirm(ctx, unsubscribe_word(kind), &view, conn.subscriptions().count_for(kind));
  }
}

void subscribe(CommandContext& ctx) { subscribe_to(ctx, SubscriptionKind::kChannel); }
void psubscribe(CommandContext& ctx) { subscribe_to(ctx, SubscriptionKind::kPattern); }
void ssubscribe(CommandContext& ctx) { subscribe_to(ctx, SubscriptionKind::kShardChannel); }
void unsubscribe(CommandContext& ctx) { unsubscribe_from(ctx, SubscriptionKind::kChannel); }
void punsubscribe(CommandContext& ctx) { unsubscribe_from(ctx, SubscriptionKind::kPattern); }
void sunsubscribe(CommandContext& ctx) { unsubscribe_from(ctx, SubscriptionKind::kShardChannel); }

void publish(CommandContext& ctx) {
  ctx.reply.integer(static_cast<std::int64_t>(
      ctx.shard.server().pubsub().publish(ctx.args[1], ctx.args[2], false)));
}

void spublish(CommandContext& ctx) {
  ctx.reply.integer(static_cast<std::int64_t>(
      ctx.shard.server().pubsub().publish(ctx.args[1], ctx.args[2], true)));
}

void reply_channels(CommandContext& ctx, bool shard_channels) {
  if (ctx.args.size() > 3) {
    ctx.reply.error("ERR unknown subcommand or wrong number of arguments for '" +
                    std::string(ctx.args[1]) + "'. Try PUBSUB HELP.");
    return;
  }
  const auto names = ctx.shard.server().pubsub().channels(
      shard_channels, ctx.args.size() == 3 ? ctx.args[2] : std::string_view());
  ctx.reply.array(names.size());
  for (const std::string& name : names) ctx.reply.bulk(name);
}

void reply_numsub(CommandContext& ctx, bool shard_channels) {
  PubSub& pubsub = ctx.shard.server().pubsub();
  ctx.reply.array(2 * (ctx.args.size() - 2));
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    ctx.reply.bulk(ctx.args[i]);
    ctx.reply.integer(static_cast<std::int64_t>(pubsub.subscriber_count(shard_channels, ctx.args[i])));
  }
}

void pubsub_channels(CommandContext& ctx) { reply_channels(ctx, false); }
void pubsub_shardchannels(CommandContext& ctx) { reply_channels(ctx, true); }
void pubsub_numsub(CommandContext& ctx) { reply_numsub(ctx, false); }
void pubsub_shardnumsub(CommandContext& ctx) { reply_numsub(ctx, true); }

void pubsub_numpat(CommandContext& ctx) {
  ctx.reply.integer(static_cast<std::int64_t>(ctx.shard.server().pubsub().pattern_count()));
}

void pubsub_help(CommandContext& ctx) {
  reply_help(ctx.reply, "pubsub", {
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
      "SHARDCHANNELS [<pattern>]",
      "    Return the currently active shard level channels matching a <pattern> (default: '*').",
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Return the number of subscribers for the specified shard level channel(s)",
  });
}

}  // namespace

std::vector<CommandBinding> pubsub_bindings() {
  return {
      {"subscribe", subscribe, Route::kHome},
      {"psubscribe", psubscribe, Route::kHome},
      {"ssubscribe", ssubscribe, Route::kHome},
      {"unsubscribe", unsubscribe, Route::kHome},
      {"punsubscribe", punsubscribe, Route::kHome},
      {"sunsubscribe", sunsubscribe, Route::kHome},
      {"publish", publish, Route::kHome},
      {"spublish", spublish, Route::kHome},
      {"pubsub|channels", pubsub_channels, Route::kHome},
      {"pubsub|shardchannels", pubsub_shardchannels, Route::kHome},
      {"pubsub|numsub", pubsub_numsub, Route::kHome},
      {"pubsub|shardnumsub", pubsub_shardnumsub, Route::kHome},
      {"pubsub|numpat", pubsub_numpat, Route::kHome},
      {"pubsub|help", pubsub_help, Route::kHome},
  };
}

}  // namespace shardcache::server
