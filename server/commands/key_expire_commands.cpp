// EXPIRE PEXPIRE EXPIREAT PEXPIREAT [NX|XX|GT|LT], TTL PTTL EXPIRETIME PEXPIRETIME, PERSIST.
// Times are Unix milliseconds; "now" is the command's time (the shard clock's now()).
#include <climits>
#include <string>

#include "server/ascii.h"
#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/key_commands.h"
#include "server/shard.h"

namespace shardcache::server {
namespace {

// The NX XX GT LT options of the EXPIRE family.
struct ExpireConditions {
  bool nx = false, xx = false, gt = false, lt = false;
};

// Redis's parseExtendedExpireArgumentsOrReply: options come before the time is parsed, so their
// errors win.
std::optional<ExpireConditions> parse_conditions(CommandContext& ctx) {
  ExpireConditions c;
  for (std::size_t i = 3; i < ctx.args.size(); ++i) {
    const std::string_view option = ctx.args[i];
    if (iequals(option, "nx")) {
      c.nx = true;
    } else if (iequals(option, "xx")) {
      c.xx = true;
    } else if (iequals(option, "gt")) {
      c.gt = true;
    } else if (iequals(option, "lt")) {
      c.lt = true;
    } else {
      ctx.reply.error("ERR Unsupported option " + std::string(option));
      return std::nullopt;
    }
  }
  if (c.nx && (c.xx || c.gt || c.lt)) {
    ctx.reply.error("ERR NX and XX, GT or LT options at the same time are not compatible");
    return std::nullopt;
  }
  if (c.gt && c.lt) {
    ctx.reply.error("ERR GT and LT options at the same time are not compatible");
    return std::nullopt;
  }
  return c;
}

// Whether the conditions allow replacing `current` (-1: no TTL, an infinite one for GT/LT) by
// `when`.
bool conditions_allow(const ExpireConditions& c, std::int64_t current, std::int64_t when) {
  if (c.nx && current != -1) return false;
  if (c.xx && current == -1) return false;
  if (c.gt && (current == -1 || when <= current)) return false;
  if (c.lt && current != -1 && when >= current) return false;
  return true;
}

// The absolute expiry time in ms of an EXPIRE-family argument, with Redis's overflow checks
// ("invalid expire time in '<command>' command"); `base_ms` is now for the relative forms, 0
// for the *AT forms.
std::optional<std::int64_t> parse_expire_time(CommandContext& ctx, std::int64_t base_ms,
                                              bool seconds) {
  auto when = parse_int64(ctx.args[2]);
  if (!when) {
    ctx.reply.error(kErrNotInteger);
    return std::nullopt;
  }
  const std::string invalid = "ERR invalid expire time in '" + ctx.spec.name + "' command";
  if (seconds) {
    if (*when > LLONG_MAX / 1000 || *when < LLONG_MIN / 1000) {
      ctx.reply.error(invalid);
      return std::nullopt;
    }
    *when *= 1000;
  }
  if (*when > LLONG_MAX - base_ms) {
    ctx.reply.error(invalid);
    return std::nullopt;
  }
  return *when + base_ms;
}

void expire_generic(CommandContext& ctx, bool relative, bool seconds) {
  const auto conditions = parse_conditions(ctx);
  if (!conditions) return;
  const std::int64_t now_ms = ctx.shard.clock().now();
  const auto when = parse_expire_time(ctx, relative ? now_ms : 0, seconds);
  if (!when) return;
  storage::Keyspace& db = ctx.shard.db(ctx.db);
  const storage::Entry* entry = db.find(ctx.args[1]);  // a write lookup: it touches the key
  if (entry == nullptr || !conditions_allow(*conditions, entry->expire_at_ms(), *when)) {
    ctx.reply.integer(0);
    return;
  }
  if (*when <= now_ms) {
    // Already past (negative times included): the key is deleted, as Redis does.
    db.remove(ctx.args[1]);
  } else {
    db.set_expiry(ctx.args[1], *when);
  }
  ctx.reply.integer(1);
}

void expire(CommandContext& ctx) { expire_generic(ctx, true, true); }
void pexpire(CommandContext& ctx) { expire_generic(ctx, true, false); }
void expireat(CommandContext& ctx) { expire_generic(ctx, false, true); }
void pexpireat(CommandContext& ctx) { expire_generic(ctx, false, false); }

// TTL PTTL EXPIRETIME PEXPIRETIME: -2 without the key, -1 without a TTL.
void ttl_generic(CommandContext& ctx, bool in_ms, bool absolute) {
  const storage::Entry* entry = lookup_read(ctx.shard, ctx.db, ctx.args[1], false);
  if (entry == nullptr) {
    ctx.reply.integer(-2);
    return;
  }
  const std::int64_t at = entry->expire_at_ms();
  if (at < 0) {
    ctx.reply.integer(-1);
    return;
  }
  std::int64_t left = absolute ? at : at - ctx.shard.clock().now();
  if (left < 0) left = 0;
  if (!in_ms) {
    // Rounded to the nearest second, unsigned so that a time near INT64_MAX does not overflow
    // (Redis prints 9223372036854776 for PEXPIREAT key 9223372036854775807).
    left = static_cast<std::int64_t>((static_cast<std::uint64_t>(left) + 500) / 1000);
  }
  ctx.reply.integer(left);
}

void ttl(CommandContext& ctx) { ttl_generic(ctx, false, false); }
void pttl(CommandContext& ctx) { ttl_generic(ctx, true, false); }
void expiretime(CommandContext& ctx) { ttl_generic(ctx, false, true); }
void pexpiretime(CommandContext& ctx) { ttl_generic(ctx, true, true); }

void persist(CommandContext& ctx) {
  storage::Keyspace& db = ctx.shard.db(ctx.db);
  const storage::Entry* entry = db.find(ctx.args[1]);  // a write lookup: it touches the key
  const bool had_ttl = entry != nullptr && entry->has_expiry();
  if (had_ttl) db.set_expiry(ctx.args[1], -1);
  ctx.reply.integer(had_ttl ? 1 : 0);
}

}  // namespace

std::vector<CommandBinding> key_expire_bindings() {
  return {
      {"expire", expire, Route::kKeys},
      {"pexpire", pexpire, Route::kKeys},
      {"expireat", expireat, Route::kKeys},
      {"pexpireat", pexpireat, Route::kKeys},
      {"ttl", ttl, Route::kKeys},
      {"pttl", pttl, Route::kKeys},
      {"expiretime", expiretime, Route::kKeys},
      {"pexpiretime", pexpiretime, Route::kKeys},
      {"persist", persist, Route::kKeys},
  };
}

}  // namespace shardcache::server
