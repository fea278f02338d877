// COMMAND [COUNT|INFO|DOCS|LIST|GETKEYS|HELP], SLOWLOG GET|LEN|RESET|HELP, LATENCY LATEST|RESET|HELP.
#include <algorithm>
#include <memory>

#include "protocol/reply_reader.h"
#include "server/ascii.h"
#include "server/command_context.h"
#include "server/command_table.h"
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

// Appends a stored RESP3 fragment in the client's protocol.
void write_fragment(protocol::ReplyWriter& reply, std::string_view resp3) {
  if (reply.resp() == 3) {
    reply.raw(resp3);
  } else {
    reply.raw(protocol::resp3_to_resp2(resp3));
  }
}

void write_status_set(protocol::ReplyWriter& reply, std::string_view words) {
  const auto items = split_words(words);
  reply.set(items.size());
  for (auto item : items) reply.simple(item);
}

void write_command_info(protocol::ReplyWriter& reply, const CommandSpec& spec) {
  const CommandMetadata& meta = *spec.meta;
  reply.array(10);
  reply.bulk(spec.name);
  reply.integer(meta.arity);
  write_status_set(reply, meta.flags);
  reply.integer(meta.first_key);
  reply.integer(meta.last_key);
  reply.integer(meta.key_step);
  write_status_set(reply, meta.acl_categories);
  const auto tips = split_words(meta.tips);
  reply.set(tips.size());
  for (auto tip : tips) reply.bulk(tip);
  write_fragment(reply, meta.key_specs);
  reply.set(spec.subcommands.size());
  for (const auto& sub : spec.subcommands) write_command_info(reply, *sub);
}

void write_command_docs(protocol::ReplyWriter& reply, const CommandSpec& spec) {
  const CommandMetadata& meta = *spec.meta;
  const bool has_args = !meta.arguments.empty();
  const bool has_subs = !spec.subcommands.empty();
  reply.map(4 + static_cast<std::size_t>(meta.doc_extra_fields) + has_args + has_subs);
  reply.bulk("summary");
  reply.bulk(meta.summary);
  reply.bulk("since");
  reply.bulk(meta.since);
  reply.bulk("group");
  reply.bulk(meta.group);
  reply.bulk("complexity");
  reply.bulk(meta.complexity);
  write_fragment(reply, meta.doc_extra);
  if (has_args) {
    reply.bulk("arguments");
    write_fragment(reply, meta.arguments);
  }
  if (has_subs) {
    reply.bulk("subcommands");
    reply.map(spec.subcommands.size());
    for (const auto& sub : spec.subcommands) {
      reply.bulk(sub->name);
      write_command_docs(reply, *sub);
    }
  }
}

void command(CommandContext& ctx) {
  const auto& commands = CommandTable::instance().top_level();
  ctx.reply.array(commands.size());
  for (const auto& spec : commands) write_command_info(ctx.reply, *spec);
}

void command_count(CommandContext& ctx) {
  ctx.reply.integer(static_cast<std::int64_t>(CommandTable::instance().top_level().size()));
}

// A name in COMMAND INFO / DOCS: "get" or "client|list".
const CommandSpec* find_by_full_name(std::string_view name) {
  const auto bar = name.find('|');
  const CommandSpec* spec = CommandTable::instance().find(name.substr(0, bar));
  if (spec == nullptr || bar == std::string_view::npos) return spec;
  return CommandTable::find_subcommand(*spec, name.substr(bar + 1));
}

void command_info(CommandContext& ctx) {
  if (ctx.args.size() == 2) return command(ctx);
  ctx.reply.array(ctx.args.size() - 2);
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    if (const CommandSpec* spec = find_by_full_name(ctx.args[i])) {
      write_command_info(ctx.reply, *spec);
    } else {
      ctx.reply.null();
    }
  }
}

void command_docs(CommandContext& ctx) {
  std::vector<const CommandSpec*> found;
  if (ctx.args.size() == 2) {
    for (const auto& spec : CommandTable::instance().top_level()) found.push_back(spec.get());
  } else {
    for (std::size_t i = 2; i < ctx.args.size(); ++i) {
      if (const CommandSpec* spec = find_by_full_name(ctx.args[i])) found.push_back(spec);
    }
  }
  ctx.reply.map(found.size());
  for (const CommandSpec* spec : found) {
    ctx.reply.bulk(spec->name);
    write_command_docs(ctx.reply, *spec);
  }
}

void command_list(CommandContext& ctx) {
  enum class Filter { kNone, kModule, kAclCategory, kPattern } filter = Filter::kNone;
  std::string_view value;
  if (ctx.args.size() == 5 && iequals(ctx.args[2], "filterby")) {
    value = ctx.args[4];
    if (iequals(ctx.args[3], "module")) filter = Filter::kModule;
    else if (iequals(ctx.args[3], "aclcat")) filter = Filter::kAclCategory;
    else if (iequals(ctx.args[3], "pattern")) filter = Filter::kPattern;
  }
  if (ctx.args.size() != 2 && filter == Filter::kNone) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  std::vector<std::string_view> names;
  for (const CommandSpec* spec : CommandTable::instance().by_id()) {
    bool keep = true;
    if (filter == Filter::kModule) {
      keep = false;  // no modules
    } else if (filter == Filter::kAclCategory) {
      const auto categories = split_words(spec->meta->acl_categories);
      // Appended, not "@" + string: GCC 12 raises a false -Wrestrict on that at -O3.
      std::string wanted = "@";
      wanted += to_lower(value);
      keep = std::find(categories.begin(), categories.end(), wanted) != categories.end();
    } else if (filter == Filter::kPattern) {
      keep = storage::glob_match(value, spec->name, true);
    }
    if (keep) names.push_back(spec->name);
  }
  ctx.reply.array(names.size());
  for (auto name : names) ctx.reply.bulk(name);
}

void command_getkeys(CommandContext& ctx) {
  const auto target_args = ctx.args.subspan(2);
  const CommandSpec* spec = CommandTable::instance().lookup(target_args);
  if (spec == nullptr) {
    ctx.reply.error("ERR Invalid command specified");
    return;
  }
  if (spec->first_key <= 0) {
    ctx.reply.error("ERR The command has no key arguments");
    return;
  }
  if (!spec->arity_ok(target_args.size())) {
    ctx.reply.error("ERR Invalid number of arguments specified for command");
    return;
  }
  const auto positions = spec->key_positions(target_args.size());
  ctx.reply.array(positions.size());
  for (std::size_t p : positions) ctx.reply.bulk(target_args[p]);
}

void command_help(CommandContext& ctx) {
  reply_help(ctx.reply, "command", {
      "(no subcommand)",
      "    Return details about all Redis commands.",
      "COUNT",
      "    Return the total number of commands in this Redis server.",
      "LIST",
      "    Return a list of all commands in this Redis server.",
      "INFO [<command-name> ...]",
      "    Return details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "DOCS [<command-name> ...]",
      "    Return documentation details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "GETKEYS <full-command>",
      "    Return the keys from a full Redis command.",
  });
}

void slowlog_get(CommandContext& ctx) {
  std::int64_t count = 10;
  if (ctx.args.size() == 3) {
    auto parsed = parse_int64(ctx.args[2]);
    if (!parsed || *parsed < -1) {
      ctx.reply.error("ERR count should be greater than or equal to -1");
      return;
    }
    count = *parsed == -1 ? INT64_MAX : *parsed;
  } else if (ctx.args.size() > 3) {
    reply_subcommand_syntax_error(ctx.reply, ctx.args);
    return;
  }
  auto entries = std::make_shared<std::vector<std::vector<SlowlogEntry>>>(
      static_cast<std::size_t>(ctx.shard.server().shard_count()));
  const int resp = ctx.conn->state().resp;
  ctx.conn->gather_all(
      [entries](Shard& shard) {
        const auto& log = shard.slowlog().entries();
        (*entries)[static_cast<std::size_t>(shard.index())].assign(log.begin(), log.end());
        return std::string();
      },
      [entries, count, resp](std::vector<std::string>&, std::string& out) {
        std::vector<SlowlogEntry> all;
        for (auto& shard_entries : *entries) {
          all.insert(all.end(), shard_entries.begin(), shard_entries.end());
        }
        std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
        if (static_cast<std::int64_t>(all.size()) > count) all.resize(static_cast<std::size_t>(count));
        protocol::ReplyWriter reply(out, resp);
        reply.array(all.size());
        for (const auto& e : all) {
          reply.array(6);
          reply.integer(static_cast<std::int64_t>(e.id));
          reply.integer(e.unix_time);
          reply.integer(e.duration_us);
          reply.array(e.args.size());
          for (const auto& arg : e.args) reply.bulk(arg);
          reply.bulk(e.client_addr);
          reply.bulk(e.client_name);
        }
      });
}

void slowlog_len(CommandContext& ctx) {
  ctx.conn->gather_all(
      [](Shard& shard) { return std::to_string(shard.slowlog().entries().size()); },
      [](std::vector<std::string>& parts, std::string& out) {
        std::int64_t total = 0;
        for (const auto& part : parts) total += std::stoll(part);
        protocol::ReplyWriter(out).integer(total);
      });
}

void slowlog_reset(CommandContext& ctx) {
  apply_on_every_shard_then_ok(ctx, [](Shard& shard) { shard.slowlog().reset(); });
}

void slowlog_help(CommandContext& ctx) {
  reply_help(ctx.reply, "slowlog", {
      "GET [<count>]",
      "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
      "    Entries are made of:",
      "    id, timestamp, time in microseconds, arguments array, client IP and port,",
      "    client name",
      "LEN",
      "    Return the length of the slowlog.",
      "RESET",
      "    Reset the slowlog.",
  });
}

// No latency events are monitored (latency-monitor-threshold is 0, Redis's default), so the
// answers are those of a Redis that recorded none.
void latency_latest(CommandContext& ctx) { ctx.reply.array(0); }
void latency_reset(CommandContext& ctx) { ctx.reply.integer(0); }

void latency_help(CommandContext& ctx) {
  reply_help(ctx.reply, "latency", {
      "LATEST",
      "    Return the latest latency samples for all events.",
      "RESET [<event> ...]",
      "    Reset latency data of one or more <event> classes.",
      "    (default: reset all data for all event classes)",
  });
}

}  // namespace

std::vector<CommandBinding> introspection_bindings() {
  return {
      {"command", command, Route::kHome},
      {"command|count", command_count, Route::kHome},
      {"command|info", command_info, Route::kHome},
      {"command|docs", command_docs, Route::kHome},
      {"command|list", command_list, Route::kHome},
      {"command|getkeys", command_getkeys, Route::kHome},
      {"command|help", command_help, Route::kHome},
      {"slowlog|get", slowlog_get, Route::kHome},
      {"slowlog|len", slowlog_len, Route::kHome},
      {"slowlog|reset", slowlog_reset, Route::kHome},
      {"slowlog|help", slowlog_help, Route::kHome},
      {"latency|latest", latency_latest, Route::kHome},
      {"latency|reset", latency_reset, Route::kHome},
      {"latency|help", latency_help, Route::kHome},
  };
}

}  // namespace shardcache::server
