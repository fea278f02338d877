// The STRING family's shared rules, and GET GETSET GETDEL MGET MSET. The other commands of the
// family live in string_set_commands.cpp (SET and its variants, GETEX),
// string_counter_commands.cpp, string_range_commands.cpp and string_multikey_commands.cpp
// (MSETNX, LCS).
#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/families.h"
#include "server/commands/string_family.h"
#include "server/shard.h"

namespace shardcache::server {

namespace {

// Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT.
constexpr std::size_t kEmbstrSizeLimit = 44;

}  // namespace

storage::Encoding client_value_encoding(std::string_view value) {
  // string2l over at most 20 characters, as tryObjectEncoding.
  if (value.size() <= 20 && parse_int64(value)) return storage::Encoding::kInt;
  return built_value_encoding(value);
}

storage::Encoding built_value_encoding(std::string_view value) {
  return value.size() <= kEmbstrSizeLimit ? storage::Encoding::kEmbstr : storage::Encoding::kRaw;
}

storage::Entry* lookup_read(CommandContext& ctx, std::string_view key) {
  return lookup_read(ctx.shard, ctx.db, key);
}

bool reject_wrong_type(CommandContext& ctx, const storage::Entry* entry) {
  if (entry == nullptr || entry->type() == storage::ValueType::kString) return false;
  ctx.reply.error(kErrWrongType);
  return true;
}

bool check_string_length(CommandContext& ctx, std::uint64_t size, std::uint64_t append) {
  const std::uint64_t max = ctx.shard.config().proto_max_bulk_len;
  // Written so that size + append cannot wrap around.
  if (size <= max && append <= max - size) return true;
  ctx.reply.error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  return false;
}

std::string_view option_word(std::string_view arg) { return arg.substr(0, arg.find('\0')); }

bool reply_string_value(CommandContext& ctx, std::string_view key) {
  const storage::Entry* entry = lookup_read(ctx, key);
  if (reject_wrong_type(ctx, entry)) return false;
  if (entry == nullptr) {
    ctx.reply.null();
  } else {
    reply_string_entry(ctx.reply, ctx.attachments(), *entry);
  }
  return true;
}

storage::Entry* store_large_argument(CommandContext& ctx, storage::Keyspace& db,
                                     std::string_view key, std::string_view value,
                                     std::int64_t expire_at_ms, bool keep_ttl) {
  const storage::Encoding encoding = client_value_encoding(value);
  if (storage::ValueRef held = held_argument(ctx, value)) {
    return db.set_string(key, std::move(held), encoding, expire_at_ms, keep_ttl);
  }
  return db.set_string(key, value, encoding, expire_at_ms, keep_ttl);
}

namespace {

void get(CommandContext& ctx) { reply_string_value(ctx, ctx.args[1]); }

// GETSET key value: SET ... GET without options; the new value has no TTL.
void getset(CommandContext& ctx) {
  if (!reply_string_value(ctx, ctx.args[1])) return;
  store_argument(ctx, ctx.shard.db(ctx.db), ctx.args[1], ctx.args[2], -1);
}

void getdel(CommandContext& ctx) {
  if (!reply_string_value(ctx, ctx.args[1])) return;
  ctx.shard.db(ctx.db).remove(ctx.args[1]);
}

// A key holding another type reads as null here, not as an error.
void mget(CommandContext& ctx) {
  ctx.reply.array(ctx.args.size() - 1);
  for (std::size_t i = 1; i < ctx.args.size(); ++i) {
    const storage::Entry* entry = lookup_read(ctx, ctx.args[i]);
    if (entry == nullptr || entry->type() != storage::ValueType::kString) {
      ctx.reply.null();
    } else {
      reply_string_entry(ctx.reply, ctx.attachments(), *entry);
    }
  }
}

// MSET key value [key value ...]. Runs once per shard with that shard's pairs when the keys
// span several. Each value replaces the key's TTL, as SET.
void mset(CommandContext& ctx) {
  // The arity (-3) lets an unpaired key through; Redis checks the pairing itself.
  if (ctx.args.size() % 2 == 0) {
    ctx.reply.error("ERR wrong number of arguments for '" + ctx.spec.name + "' command");
    return;
  }
  storage::Keyspace& db = ctx.shard.db(ctx.db);
  for (std::size_t i = 1; i < ctx.args.size(); i += 2) {
    store_argument(ctx, db, ctx.args[i], ctx.args[i + 1], -1);
  }
  ctx.reply.ok();
}

}  // namespace

std::vector<CommandBinding> string_bindings() {
  std::vector<CommandBinding> bindings = {
      {"get", get, Route::kKeys},
      {"getset", getset, Route::kKeys},
      {"getdel", getdel, Route::kKeys},
      {"mget", mget, Route::kKeys, Merge::kArrayByKey},
      {"mset", mset, Route::kKeys, Merge::kAllOk},
  };
  for (auto family : {string_set_bindings, string_counter_bindings, string_range_bindings,
                      string_multikey_bindings}) {
    auto more = family();
    bindings.insert(bindings.end(), more.begin(), more.end());
  }
  return bindings;
}

}  // namespace shardcache::server
