// SET SETNX SETEX PSETEX GETEX: Redis's setGenericCommand and getexCommand, with the option
// grammar of parseExtendedStringArgumentsOrReply and the expiry checks of
// getExpireMillisecondsOrReply.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "server/ascii.h"
#include "server/command_context.h"
#include "server/command_table.h"
#include "server/commands/arguments.h"
#include "server/commands/string_family.h"
#include "server/shard.h"

namespace shardcache::server {
namespace {

enum SetFlag : unsigned {
  kNx = 1u << 0,
  kXx = 1u << 1,
  kEx = 1u << 2,
  kPx = 1u << 3,
  kKeepTtl = 1u << 4,
  kGet = 1u << 5,
  kExat = 1u << 6,
  kPxat = 1u << 7,
  kPersist = 1u << 8,
};
constexpr unsigned kTtlFlags = kEx | kPx | kExat | kPxat;

enum class Grammar { kSet, kGetex };

// One option word. An option is accepted when none of its conflicts was given before it, so a
// repeated option (EX 1 EX 2, NX NX) is accepted, the last value winning, as in Redis.
struct Option {
  std::string_view name;
  unsigned flag;
  unsigned conflicts;
  bool set_only;     // SET's options; otherwise GETEX's or both
  bool getex_only;
  bool takes_value;  // the expiry time that follows it
};

constexpr Option kOptions[] = {
    {"nx", kNx, kXx, true, false, false},
    {"xx", kXx, kNx, true, false, false},
    {"get", kGet, 0, true, false, false},
    {"keepttl", kKeepTtl, kPersist | kTtlFlags, true, false, false},
    {"persist", kPersist, kKeepTtl | kTtlFlags, false, true, false},
    {"ex", kEx, kKeepTtl | kPersist | (kTtlFlags & ~kEx), false, false, true},
    {"px", kPx, kKeepTtl | kPersist | (kTtlFlags & ~kPx), false, false, true},
    {"exat", kExat, kKeepTtl | kPersist | (kTtlFlags & ~kExat), false, false, true},
    {"pxat", kPxat, kKeepTtl | kPersist | (kTtlFlags & ~kPxat), false, false, true},
};

struct SetOptions {
  unsigned flags = 0;
  std::string_view expire;  // the time given with EX PX EXAT PXAT

  bool has(unsigned flag) const { return (flags & flag) != 0; }
};

const Option* find_option(std::string_view word, Grammar grammar) {
  for (const Option& option : kOptions) {
    if ((option.set_only && grammar != Grammar::kSet) ||
        (option.getex_only && grammar != Grammar::kGetex)) {
      continue;
    }
    if (iequals(word, option.name)) return &option;
  }
  return nullptr;
}

// Parses args[first...]. Replies a syntax error and returns nullopt on a bad option.
std::optional<SetOptions> parse_options(CommandContext& ctx, std::size_t first, Grammar grammar) {
  SetOptions options;
  for (std::size_t i = first; i < ctx.args.size(); ++i) {
    const Option* option = find_option(option_word(ctx.args[i]), grammar);
    const bool has_value = i + 1 < ctx.args.size();
    if (option == nullptr || options.has(option->conflicts) ||
        (option->takes_value && !has_value)) {
      ctx.reply.error(kErrSyntax);
      return std::nullopt;
    }
    options.flags |= option->flag;
    if (option->takes_value) options.expire = ctx.args[++i];
  }
  return options;
}

// The absolute expiry time in ms for the options' EX PX EXAT PXAT, or nullopt after replying the
// error: the time must be positive and, once in ms and made absolute, still fit in 64 bits.
std::optional<std::int64_t> expire_at_ms(CommandContext& ctx, const SetOptions& options) {
  const auto given = parse_int64(options.expire);
  if (!given) {
    ctx.reply.error(kErrNotInteger);
    return std::nullopt;
  }
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  const bool seconds = options.has(kEx | kExat);
  const bool relative = options.has(kEx | kPx);
  const std::int64_t now = ctx.shard.clock().now();
  std::int64_t ms = *given;
  bool valid = ms > 0 && !(seconds && ms > kMax / 1000);
  if (valid && seconds) ms *= 1000;
  // Redis adds first and sees the wrap-around as a non-positive time.
  if (valid && relative) {
    valid = ms <= kMax - now;
    if (valid) ms += now;
  }
  if (!valid) {
    ctx.reply.error("ERR invalid expire time in '" + ctx.spec.name + "' command");
    return std::nullopt;
  }
  return ms;
}

// What a SET-like command does once its arguments are known. SETNX answers 1/0 where SET answers
// OK/null.
struct SetCall {
  std::string_view key, value;
  SetOptions options;
  bool integer_replies = false;
};

void reply_set_outcome(CommandContext& ctx, const SetCall& call, bool written) {
  if (call.options.has(kGet)) return;  // the old value was the reply
  if (call.integer_replies) {
    ctx.reply.integer(written ? 1 : 0);
  } else if (written) {
    ctx.reply.ok();
  } else {
    ctx.reply.null();
  }
}

void set_generic(CommandContext& ctx, const SetCall& call) {
  std::int64_t at_ms = -1;
  if (call.options.has(kTtlFlags)) {
    const auto at = expire_at_ms(ctx, call.options);
    if (!at) return;
    at_ms = *at;
  }
  if (call.options.has(kGet) && !reply_string_value(ctx, call.key)) return;
  storage::Keyspace& db = ctx.shard.db(ctx.db);
  const bool found = db.find(call.key) != nullptr;
  if ((call.options.has(kNx) && found) || (call.options.has(kXx) && !found)) {
    reply_set_outcome(ctx, call, false);
    return;
  }
  // A time already past is stored as it is: the key then reads as expired, as in Redis.
  store_argument(ctx, db, call.key, call.value, at_ms, call.options.has(kKeepTtl));
  reply_set_outcome(ctx, call, true);
}

// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]
void set(CommandContext& ctx) {
  const auto options = parse_options(ctx, 3, Grammar::kSet);
  if (!options) return;
  set_generic(ctx, {ctx.args[1], ctx.args[2], *options});
}

void setnx(CommandContext& ctx) {
  set_generic(ctx, {ctx.args[1], ctx.args[2], {kNx, {}}, true});
}

// SETEX key seconds value
void setex(CommandContext& ctx) {
  set_generic(ctx, {ctx.args[1], ctx.args[3], {kEx, ctx.args[2]}});
}

// PSETEX key milliseconds value
void psetex(CommandContext& ctx) {
  set_generic(ctx, {ctx.args[1], ctx.args[3], {kPx, ctx.args[2]}});
}

// GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST]: the options are parsed before the lookup, the
// time checked after it (a missing key answers null whatever the time).
void getex(CommandContext& ctx) {
  const auto options = parse_options(ctx, 2, Grammar::kGetex);
  if (!options) return;
  const std::string_view key = ctx.args[1];
  const storage::Entry* entry = lookup_read(ctx, key);
  if (entry == nullptr) {
    ctx.reply.null();
    return;
  }
  if (reject_wrong_type(ctx, entry)) return;
  std::optional<std::int64_t> at_ms;
  if (options->has(kTtlFlags)) {
    at_ms = expire_at_ms(ctx, *options);
    if (!at_ms) return;
  }
  reply_string_entry(ctx.reply, ctx.attachments(), *entry);
  storage::Keyspace& db = ctx.shard.db(ctx.db);
  // An EXAT/PXAT time already past deletes the key (set_expiry does that).
  if (at_ms) {
    db.set_expiry(key, *at_ms);
  } else if (options->has(kPersist)) {
    db.set_expiry(key, -1);
  }
}

}  // namespace

std::vector<CommandBinding> string_set_bindings() {
  return {
      {"set", set, Route::kKeys},
      {"setnx", setnx, Route::kKeys},
      {"setex", setex, Route::kKeys},
      {"psetex", psetex, Route::kKeys},
      {"getex", getex, Route::kKeys},
  };
}

}  // namespace shardcache::server
