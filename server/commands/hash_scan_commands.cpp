// HSCAN key cursor [MATCH pattern] [COUNT count], as Redis 7.0's scanGenericCommand: a listpack
// hash is returned whole with cursor 0; a hashtable is walked with the reverse-binary cursor,
// COUNT buckets' worth at a time (at most COUNT * 10 buckets), then filtered by MATCH.
#include <cctype>
#include <charconv>
#include <climits>
#include <optional>
#include <string>
#include <vector>

#include "server/ascii.h"
#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/hash_family.h"
#include "server/shard.h"
#include "server/commands/number_text.h"
#include "storage/glob.h"

namespace shardcache::server {
namespace {

struct HashScanOptions {
  long count = 10;
  std::optional<std::string_view> pattern;  // none for every field ("*" included)
};

// MATCH and COUNT, in Redis's order and with its errors (TYPE is SCAN's only). False after
// replying an error.
bool parse_options(CommandContext& ctx, HashScanOptions& options) {
  for (std::size_t i = 3; i < ctx.args.size(); i += 2) {
    if (i + 1 >= ctx.args.size()) {
      ctx.reply.error(kErrSyntax);
      return false;
    }
    const std::string_view option = ctx.args[i];
    const std::string_view value = ctx.args[i + 1];
    if (iequals(option, "count")) {
      const auto count = parse_int64(value);
      if (!count) {
        ctx.reply.error(kErrNotInteger);
        return false;
      }
      if (*count < 1) {
        ctx.reply.error(kErrSyntax);
        return false;
      }
      options.count = *count > LONG_MAX ? LONG_MAX : static_cast<long>(*count);
    } else if (iequals(option, "match")) {
      options.pattern = value == "*" ? std::nullopt : std::optional<std::string_view>(value);
    } else {
      ctx.reply.error(kErrSyntax);
      return false;
    }
  }
  return true;
}

void hscan(CommandContext& ctx) {
  auto cursor = parse_scan_cursor(ctx.args[2]);
  if (!cursor) return ctx.reply.error("ERR invalid cursor");
  const auto opened = open_hash_read(ctx);
  if (!opened) return;
  HashScanOptions options;
  // A missing key answers the empty scan before its options are read, as in Redis.
  if (*opened && !parse_options(ctx, options)) return;
  std::vector<storage::HashValue::Pair> found;
  std::uint64_t next = 0;
  if (*opened) {
    const storage::HashValue& hash = *opened->value;
    auto keep = [&](std::string_view field, std::string_view value) {
      if (!options.pattern || storage::glob_match(*options.pattern, field)) {
        found.emplace_back(field, value);
      }
    };
    if (hash.encoding() == storage::Encoding::kListpack) {
      hash.for_each(keep);
    } else {
      // Redis counts what it scanned before MATCH filters it, a field and its value as two.
      std::size_t scanned = 0;
      long budget = options.count > LONG_MAX / 10 ? LONG_MAX : options.count * 10;
      next = *cursor;
      do {
        next = hash.scan(next, [&](std::string_view field, std::string_view value) {
          scanned += 2;
          keep(field, value);
        });
      } while (next != 0 && budget-- > 0 && scanned < static_cast<std::size_t>(options.count));
    }
  }
  ctx.reply.array(2);
  ctx.reply.bulk(std::to_string(next));
  ctx.reply.array(found.size() * 2);
  for (const auto& [field, value] : found) {
    ctx.reply.bulk(field);
    ctx.reply.bulk(value);
  }
}

}  // namespace

std::vector<CommandBinding> hash_scan_bindings() { return {{"hscan", hscan, Route::kKeys}}; }

}  // namespace shardcache::server
