// CONFIG GET|SET|RESETSTAT|HELP. The authoritative configuration lives in Server; every shard
// holds a copy, replaced on its own thread before CONFIG SET answers.
#include <set>

#include "config/config_params.h"
#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/broadcast.h"
#include "server/commands/families.h"
#include "server/commands/help_text.h"
#include "server/connection.h"
#include "server/server.h"
#include "server/shard.h"
#include "storage/glob.h"

namespace shardcache::server {
namespace {

void config_get(CommandContext& ctx) {
  const config::Config config = ctx.shard.server().config();
  std::set<std::string_view> matched;  // a parameter matched by several patterns appears once
  std::vector<std::pair<std::string_view, std::string>> found;
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    const std::string_view pattern = ctx.args[i];
    // As Redis: a name without glob characters is looked up and answered as the client spelled
    // it; a pattern answers with the parameters' own names.
    const bool is_glob = pattern.find_first_of("[*?") != std::string_view::npos;
    for (const auto& param : config::all_params()) {
      if (matched.contains(param.name)) continue;
      if (!storage::glob_match(pattern, param.name, true)) continue;
      matched.insert(param.name);
      found.emplace_back(is_glob ? param.name : pattern, *config::get_param(config, param.name));
    }
  }
  ctx.reply.map(found.size());
  for (const auto& [name, value] : found) {
    ctx.reply.bulk(name);
    ctx.reply.bulk(value);
  }
}

void config_set(CommandContext& ctx) {
  if (ctx.args.size() % 2 != 0) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  for (std::size_t i = 2; i + 1 < ctx.args.size(); i += 2) {
    pairs.emplace_back(std::string(ctx.args[i]), std::string(ctx.args[i + 1]));
  }
  config::Config applied;
  if (auto error = ctx.shard.server().set_config(pairs, applied)) {
    ctx.reply.error(*error);
    return;
  }
  apply_on_every_shard_then_ok(ctx, [applied](Shard& shard) { shard.set_config(applied); });
}

void config_resetstat(CommandContext& ctx) {
  apply_on_every_shard_then_ok(ctx, [](Shard& shard) {
    shard.stats().reset();
    for (auto* db : shard.databases()) db->reset_stats();
  });
}

void config_help(CommandContext& ctx) {
  reply_help(ctx.reply, "config", {
      "GET <pattern>",
      "    Return parameters matching the glob-like <pattern> and their values.",
      "SET <directive> <value>",
      "    Set the configuration <directive> to <value>.",
      "RESETSTAT",
      "    Reset statistics reported by the INFO command.",
  });
}

}  // namespace

std::vector<CommandBinding> config_bindings() {
  return {
      {"config|get", config_get, Route::kHome},
      {"config|set", config_set, Route::kHome},
      {"config|resetstat", config_resetstat, Route::kHome},
      {"config|help", config_help, Route::kHome},
  };
}

}  // namespace shardcache::server
