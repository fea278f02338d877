// ZSCAN key cursor [MATCH pattern] [COUNT count]. A listpack is returned whole with cursor 0, as
// Redis does; a skiplist is walked through its member hash with a reverse-binary cursor.
#include <cctype>
#include <climits>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/container_access.h"
#include "server/commands/zset_family.h"
#include "server/commands/number_text.h"
#include "storage/glob.h"

namespace shardcache::server {
namespace {

void zscan(CommandContext& ctx) {
  const auto cursor = parse_scan_cursor(ctx.args[2]);
  if (!cursor) {
    ctx.reply.error("ERR invalid cursor");
    return;
  }
  auto opened = open_read<ZSet>(ctx, ctx.args[1]);
  if (!opened) return;
  if (!*opened) {
    ctx.reply.array(2);
    ctx.reply.bulk("0");
    ctx.reply.array(0);
    return;
  }
  long long count = 10;
  std::optional<std::string> pattern;
  for (std::size_t i = 3; i < ctx.args.size();) {
    const std::size_t left = ctx.args.size() - i;
    if (option_is(ctx.args[i], "count") && left >= 2) {
      const auto parsed = parse_long(ctx.args[i + 1]);
      if (!parsed) {
        ctx.reply.error(kErrNotInteger);
        return;
      }
      if (*parsed < 1) {
        ctx.reply.error(kErrSyntax);
        return;
      }
      count = *parsed;
      i += 2;
    } else if (option_is(ctx.args[i], "match") && left >= 2) {
      const std::string_view text = ctx.args[i + 1];
      pattern = text == "*" ? std::nullopt : std::optional<std::string>(text);
      i += 2;
    } else {
      ctx.reply.error(kErrSyntax);
      return;
    }
  }
  const ZSet& zset = *opened->value;
  std::vector<std::string> found;
  auto keep = [&](std::string_view member, double score) {
    if (pattern && !storage::glob_match(*pattern, member)) return;
    found.emplace_back(member);
    found.push_back(score_text(score));
  };
  std::uint64_t next = 0;
  if (const storage::ZSetSkiplist* skiplist = zset.skiplist()) {
    next = *cursor;
    long long budget = count > LLONG_MAX / 10 ? LLONG_MAX : count * 10;
    do {
      next = skiplist->scan(next, [&](const storage::ZSetSkiplist::Node* node) {
        keep(node->member(), node->score);
      });
    } while (next != 0 && budget-- > 0 &&
             found.size() < static_cast<std::size_t>(count));
  } else {
    zset.visit(0, zset.size(), false, [&](std::string_view member, double score) {
      keep(member, score);
      return true;
    });
  }
  ctx.reply.array(2);
  ctx.reply.bulk(std::to_string(next));
  ctx.reply.array(found.size());
  for (const std::string& item : found) ctx.reply.bulk(item);
}

}  // namespace

std::vector<CommandBinding> zset_scan_bindings() { return {{"zscan", zscan, Route::kKeys}}; }

}  // namespace shardcache::server
