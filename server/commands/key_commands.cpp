// DEL UNLINK EXISTS TOUCH TYPE OBJECT MEMORY USAGE|HELP, the key family's shared helpers, and
// key_bindings(), which gathers the family's other files (key_expire_commands.cpp,
// key_move_commands.cpp, key_scan_commands.cpp, key_listing_commands.cpp).
#include "server/commands/key_commands.h"

#include <climits>
#include <string>

#include "server/ascii.h"
#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/families.h"
#include "server/commands/help_text.h"
#include "server/server.h"
#include "server/shard.h"

namespace shardcache::server {

storage::Entry* lookup_read(Shard& shard, int db, std::string_view key, bool touch) {
  storage::Entry* entry = shard.db(db).find(key, touch);
  if (entry == nullptr) {
    ++shard.stats().keyspace_misses;
  } else {
    ++shard.stats().keyspace_hits;
  }
  return entry;
}

std::optional<int> parse_db_index(CommandContext& ctx, std::string_view text) {
  const auto value = parse_int64(text);
  if (!value) {
    ctx.reply.error(kErrNotInteger);
    return std::nullopt;
  }
  if (*value < INT_MIN || *value > INT_MAX) {
    // Redis's text, "must between" included.
    ctx.reply.error("ERR value is out of range, value must between -2147483648 and 2147483647");
    return std::nullopt;
  }
  if (*value < 0 || *value >= static_cast<std::int64_t>(ctx.shard.databases().size())) {
    ctx.reply.error("ERR DB index is out of range");
    return std::nullopt;
  }
  return static_cast<int>(*value);
}

namespace {

// Redis shares one object among all keys holding the integers 0..9999 (OBJ_SHARED_INTEGERS), and
// reports the refcount of shared objects as INT_MAX.
constexpr std::int64_t kSharedIntegers = 10000;
constexpr std::int64_t kSharedRefcount = INT_MAX;

void del(CommandContext& ctx) {
  storage::Keyspace& db = ctx.shard.db(ctx.db);
  std::int64_t removed = 0;
  for (std::size_t i = 1; i < ctx.args.size(); ++i) {
    // find() first: an expired key counts as absent (and is removed as expired).
    if (db.find(ctx.args[i], false) != nullptr) removed += db.remove(ctx.args[i]);
  }
  ctx.reply.integer(removed);
}

// UNLINK: the keys leave the keyspace here; their memory is freed by the background thread, so a
// large value never costs this shard its free().
void unlink(CommandContext& ctx) {
  storage::Keyspace& db = ctx.shard.db(ctx.db);
  std::vector<storage::Entry*> unlinked;
  for (std::size_t i = 1; i < ctx.args.size(); ++i) {
    if (db.find(ctx.args[i], false) == nullptr) continue;
    if (storage::Entry* entry = db.detach(ctx.args[i])) unlinked.push_back(entry);
  }
  const auto removed = static_cast<std::int64_t>(unlinked.size());
  ctx.shard.server().lazy_freer().free_later(std::move(unlinked));
  ctx.reply.integer(removed);
}

void exists(CommandContext& ctx) {
  std::int64_t found = 0;
  for (std::size_t i = 1; i < ctx.args.size(); ++i) {
    found += lookup_read(ctx.shard, ctx.db, ctx.args[i], false) != nullptr;
  }
  ctx.reply.integer(found);
}

// TOUCH: a read that refreshes the keys' access time, as any read by a client does.
void touch(CommandContext& ctx) {
  std::int64_t touched = 0;
  for (std::size_t i = 1; i < ctx.args.size(); ++i) {
    touched += lookup_read(ctx.shard, ctx.db, ctx.args[i], true) != nullptr;
  }
  ctx.reply.integer(touched);
}

void type(CommandContext& ctx) {
  const storage::Entry* entry = lookup_read(ctx.shard, ctx.db, ctx.args[1], false);
  ctx.reply.simple(entry == nullptr ? "none" : storage::type_name(entry->type()));
}

// The key of an OBJECT subcommand, looked up without touching it (OBJECT IDLETIME must not
// reset what it reports). Replies null when it does not exist.
const storage::Entry* object_lookup(CommandContext& ctx) {
  const storage::Entry* entry = lookup_read(ctx.shard, ctx.db, ctx.args[2], false);
  if (entry == nullptr) ctx.reply.null();
  return entry;
}

void object_encoding(CommandContext& ctx) {
  if (const storage::Entry* entry = object_lookup(ctx)) {
    ctx.reply.bulk(storage::encoding_name(entry->encoding()));
  }
}

// Policies under which Redis keeps per-key access data and so stops sharing integer objects.
bool evicts_by_access(config::EvictionPolicy policy) {
  using config::EvictionPolicy;
  return policy == EvictionPolicy::kAllKeysLru || policy == EvictionPolicy::kVolatileLru ||
         policy == EvictionPolicy::kAllKeysLfu || policy == EvictionPolicy::kVolatileLfu;
}

// Whether Redis would hold this value as one of its shared integer objects. Decided by today's
// configuration: Redis decides when the value is stored.
bool is_shared_integer(const storage::Entry& entry, const config::Config& config) {
  if (entry.encoding() != storage::Encoding::kInt) return false;
  if (config.maxmemory != 0 && evicts_by_access(config.maxmemory_policy)) return false;
  const auto value = parse_int64(entry.value());
  return value && *value >= 0 && *value < kSharedIntegers;
}

void object_refcount(CommandContext& ctx) {
  if (const storage::Entry* entry = object_lookup(ctx)) {
    ctx.reply.integer(is_shared_integer(*entry, ctx.shard.config()) ? kSharedRefcount : 1);
  }
}

void object_idletime(CommandContext& ctx) {
  const storage::Entry* entry = object_lookup(ctx);
  if (entry == nullptr) return;
  if (ctx.shard.clock().lfu()) {
    ctx.reply.error(
        "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
        "switching between policies at runtime LRU and LFU data will take some time to adjust.");
    return;
  }
  ctx.reply.integer(ctx.shard.clock().idle_seconds(entry, ctx.shard.clock().now()));
}

void object_freq(CommandContext& ctx) {
  const storage::Entry* entry = object_lookup(ctx);
  if (entry == nullptr) return;
  if (!ctx.shard.clock().lfu()) {
    ctx.reply.error(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
        "that when switching between policies at runtime LRU and LFU data will take some time to "
        "adjust.");
    return;
  }
  ctx.reply.integer(ctx.shard.clock().frequency(entry, ctx.shard.clock().now()));
}

void object_help(CommandContext& ctx) {
  reply_help(ctx.reply, "object", {
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
  });
}

// MEMORY USAGE key [SAMPLES count]...: the option is validated as Redis does (repeatable,
// count >= 0); string values have no nested elements to sample.
void memory_usage(CommandContext& ctx) {
  for (std::size_t i = 3; i < ctx.args.size(); i += 2) {
    if (!iequals(ctx.args[i], "samples") || i + 1 >= ctx.args.size()) {
      ctx.reply.error(kErrSyntax);
      return;
    }
    const auto samples = parse_int64(ctx.args[i + 1]);
    if (!samples) {
      ctx.reply.error(kErrNotInteger);
      return;
    }
    if (*samples < 0) {
      ctx.reply.error(kErrSyntax);
      return;
    }
  }
  const storage::Entry* entry = ctx.shard.db(ctx.db).find(ctx.args[2], false);
  if (entry == nullptr) {
    ctx.reply.null();
  } else {
    ctx.reply.integer(static_cast<std::int64_t>(entry->allocated_bytes() + sizeof(void*)));
  }
}

void memory_help(CommandContext& ctx) {
  reply_help(ctx.reply, "memory", {
      "USAGE <key> [SAMPLES <count>]",
      "    Return memory in bytes used by <key> and its value. Nested values are",
      "    sampled up to <count> times (default: 5, 0 means sample all).",
  });
}

}  // namespace

std::vector<CommandBinding> key_bindings() {
  std::vector<CommandBinding> bindings = {
      {"del", del, Route::kKeys, Merge::kSumIntegers},
      {"unlink", unlink, Route::kKeys, Merge::kSumIntegers},
      {"exists", exists, Route::kKeys, Merge::kSumIntegers},
      {"touch", touch, Route::kKeys, Merge::kSumIntegers},
      {"type", type, Route::kKeys},
      {"object|encoding", object_encoding, Route::kKeys},
      {"object|refcount", object_refcount, Route::kKeys},
      {"object|idletime", object_idletime, Route::kKeys},
      {"object|freq", object_freq, Route::kKeys},
      {"object|help", object_help, Route::kHome},
      {"memory|usage", memory_usage, Route::kKeys},
      {"memory|help", memory_help, Route::kHome},
  };
  for (auto family : {key_expire_bindings, key_move_bindings, key_scan_bindings,
                      key_listing_bindings}) {
    auto more = family();
    bindings.insert(bindings.end(), more.begin(), more.end());
  }
  return bindings;
}

}  // namespace shardcache::server
