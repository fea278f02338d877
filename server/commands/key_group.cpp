#include "server/commands/key_group.h"

#include <algorithm>
#include <map>

#include "server/command_context.h"
#include "server/connection.h"
#include "server/server.h"
#include "server/shard.h"
#include "server/transaction.h"

namespace shardcache::server {

KeyGroup::KeyGroup(CommandContext& ctx, bool inline_run)
    : ctx_(inline_run ? &ctx : nullptr),
      home_(ctx.shard),
      now_ms_(ctx.shard.clock().now()),
      db_(ctx.db),
      resp_(ctx.reply.resp()) {}

int KeyGroup::shard_of(std::string_view key) const { return home_.server().shard_of_key(key); }

void KeyGroup::run(CommandContext& ctx, const std::vector<std::string>& keys, Body body) {
  const Server& server = ctx.shard.server();
  const bool all_home = std::all_of(keys.begin(), keys.end(), [&](const std::string& key) {
    return server.shard_of_key(key) == ctx.shard.index();
  });
  std::vector<std::string_view> views(keys.begin(), keys.end());
  if (all_home && !ctx.shard.key_locks().any_locked(views)) {
    auto group = std::make_shared<KeyGroup>(ctx, true);
    body(*group);
    return;
  }
  std::map<int, std::vector<std::string>> keys_by_shard;
  for (const std::string& key : keys) {
    auto& held = keys_by_shard[server.shard_of_key(key)];
    if (std::find(held.begin(), held.end(), key) == held.end()) held.push_back(key);
  }
  auto group = std::make_shared<KeyGroup>(ctx, false);
  Transaction::start(ctx.conn->shared_from_this(), std::move(keys_by_shard),
                     [group, body = std::move(body)](Transaction& txn) {
                       group->txn_ = &txn;
                       body(*group);
                     });
}

void KeyGroup::on(std::vector<int> shards, Step step, Then then) {
  std::sort(shards.begin(), shards.end());
  shards.erase(std::unique(shards.begin(), shards.end()), shards.end());
  if (ctx_ != nullptr) {
    step(home_);  // inline: every key is on the home shard
    then();
    return;
  }
  // The group stays alive through the steps: the Transaction's body holds it, and the lambdas
  // below hold it too.
  txn_->run(
      std::move(shards),
      [self = shared_from_this(), step = std::move(step)](Shard& shard) {
        shard.clock().set_now(self->now_ms_);
        step(shard);
        return std::string();
      },
      [self = shared_from_this(), then = std::move(then)](std::vector<std::string>&) { then(); });
}

void KeyGroup::on_key(std::string_view key, Step step, Then then) {
  on({shard_of(key)}, std::move(step), std::move(then));
}

void KeyGroup::finish(const Reply& write) {
  if (ctx_ != nullptr) {
    write(ctx_->reply);
    return;
  }
  std::string out;
  protocol::ReplyWriter reply(out, resp_);
  write(reply);
  txn_->finish(std::move(out));
}

}  // namespace shardcache::server
