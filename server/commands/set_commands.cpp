// The SET family's single-key commands: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SSCAN.
// SPOP and SRANDMEMBER are in set_random_commands.cpp, the multi-key ones in
// set_multikey_commands.cpp.
#include <cctype>
#include <charconv>
#include <memory>
#include <optional>
#include <string>

#include "server/ascii.h"
#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/container_access.h"
#include "server/commands/families.h"
#include "server/commands/set_family.h"
#include "server/commands/number_text.h"
#include "storage/glob.h"
#include "storage/set_value.h"

namespace shardcache::server {
namespace {

using storage::SetValue;

std::unique_ptr<SetValue> make_set() { return std::make_unique<SetValue>(); }

// SADD key member [member ...]
void sadd(CommandContext& ctx) {
  auto opened = open_or_create<SetValue>(ctx, ctx.args[1], make_set);
  if (!opened) return;
  const storage::EncodingLimits limits = encoding_limits(ctx);
  std::int64_t added = 0;
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    added += opened->value->add(ctx.args[i], limits);
  }
  // A new key always gains a member, so an unchanged set is an existing one: nothing to commit.
  if (added > 0) commit(ctx, *opened, ctx.args);
  ctx.reply.integer(added);
}

// SREM key member [member ...]
void srem(CommandContext& ctx) {
  auto opened = open_write<SetValue>(ctx, ctx.args[1]);
  if (!opened) return;
  std::int64_t removed = 0;
  if (*opened) {
    for (std::size_t i = 2; i < ctx.args.size() && opened->value->size() > 0; ++i) {
      removed += opened->value->remove(ctx.args[i]);
    }
    if (removed > 0) commit(ctx, *opened, ctx.args);
  }
  ctx.reply.integer(removed);
}

void smembers(CommandContext& ctx) {
  auto opened = open_read<SetValue>(ctx, ctx.args[1]);
  if (!opened) return;
  if (!*opened) {
    ctx.reply.set(0);
    return;
  }
  ctx.reply.set(opened->value->size());
  opened->value->for_each([&](std::string_view member) { ctx.reply.bulk(member); });
}

void sismember(CommandContext& ctx) {
  auto opened = open_read<SetValue>(ctx, ctx.args[1]);
  if (!opened) return;
  ctx.reply.integer(*opened && opened->value->contains(ctx.args[2]) ? 1 : 0);
}

void smismember(CommandContext& ctx) {
  auto opened = open_read<SetValue>(ctx, ctx.args[1]);
  if (!opened) return;
  ctx.reply.array(ctx.args.size() - 2);
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    ctx.reply.integer(*opened && opened->value->contains(ctx.args[i]) ? 1 : 0);
  }
}

void scard(CommandContext& ctx) {
  auto opened = open_read<SetValue>(ctx, ctx.args[1]);
  if (!opened) return;
  ctx.reply.integer(*opened ? static_cast<std::int64_t>(opened->value->size()) : 0);
}

// SSCAN key cursor [MATCH pattern] [COUNT count]. As Redis, the cursor is checked first, then
// the key (an absent one answers an empty scan before the options are read), then the options.
void sscan(CommandContext& ctx) {
  const auto cursor = parse_scan_cursor(ctx.args[2]);
  if (!cursor) {
    ctx.reply.error("ERR invalid cursor");
    return;
  }
  auto opened = open_read<SetValue>(ctx, ctx.args[1]);
  if (!opened) return;
  if (!*opened) {
    ctx.reply.array(2);
    ctx.reply.bulk("0");
    ctx.reply.array(0);
    return;
  }
  std::size_t count = 10;
  std::optional<std::string_view> pattern;
  for (std::size_t i = 3; i < ctx.args.size(); i += 2) {
    if (i + 1 >= ctx.args.size()) {
      ctx.reply.error(kErrSyntax);
      return;
    }
    const std::string_view option = ctx.args[i];
    if (iequals(option, "count")) {
      const auto parsed = parse_int64(ctx.args[i + 1]);
      if (!parsed) {
        ctx.reply.error(kErrNotInteger);
        return;
      }
      if (*parsed < 1) {
        ctx.reply.error(kErrSyntax);
        return;
      }
      count = static_cast<std::size_t>(*parsed);
    } else if (iequals(option, "match")) {
      pattern = ctx.args[i + 1];
      if (*pattern == "*") pattern.reset();
    } else {
      ctx.reply.error(kErrSyntax);
      return;
    }
  }
  std::vector<std::string> found;
  const std::uint64_t next = opened->value->scan(*cursor, count, [&](std::string_view member) {
    if (!pattern || storage::glob_match(*pattern, member)) found.emplace_back(member);
  });
  ctx.reply.array(2);
  ctx.reply.bulk(std::to_string(next));
  ctx.reply.array(found.size());
  for (const std::string& member : found) ctx.reply.bulk(member);
}

}  // namespace

std::mt19937_64& set_random() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return generator;
}

std::vector<CommandBinding> set_bindings() {
  std::vector<CommandBinding> bindings = {
      {"sadd", sadd, Route::kKeys},           {"srem", srem, Route::kKeys},
      {"smembers", smembers, Route::kKeys},   {"sismember", sismember, Route::kKeys},
      {"smismember", smismember, Route::kKeys}, {"scard", scard, Route::kKeys},
      {"sscan", sscan, Route::kKeys},
  };
  for (auto more : {set_random_bindings, set_multikey_bindings}) {
    auto family = more();
    bindings.insert(bindings.end(), family.begin(), family.end());
  }
  return bindings;
}

}  // namespace shardcache::server
