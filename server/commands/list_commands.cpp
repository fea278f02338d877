// The LIST family's shared rules, the pushes (LPUSH RPUSH LPUSHX RPUSHX), the pops (LPOP RPOP)
// and LLEN. Queues live on these: each touches one end node of the quicklist.
#include <limits>

#include "protocol/reply_writer.h"
#include "server/ascii.h"
#include "server/blocking.h"
#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/container_access.h"
#include "server/commands/families.h"
#include "server/commands/list_family.h"
#include "server/shard.h"

namespace shardcache::server {

using storage::ListValue;

std::optional<End> parse_end(std::string_view word) {
  if (iequals(word, "left")) return End::kLeft;
  if (iequals(word, "right")) return End::kRight;
  return std::nullopt;
}

std::optional<std::int64_t> parse_range(CommandContext& ctx, std::string_view text,
                                        std::int64_t min, std::int64_t max, const char* message) {
  const auto value = parse_int64(text);
  if (!value) {
    ctx.reply.error(message != nullptr ? message : kErrNotInteger);
    return std::nullopt;
  }
  if (*value < min || *value > max) {
    if (message != nullptr) {
      ctx.reply.error(message);
    } else {
      ctx.reply.error("ERR value is out of range, value must between " + std::to_string(min) +
                      " and " + std::to_string(max));
    }
    return std::nullopt;
  }
  return value;
}

ListValue* find_list(storage::Keyspace& db, std::string_view key, storage::Entry** entry,
                     bool* wrong_type) {
  *wrong_type = false;
  *entry = db.find(key);
  if (*entry == nullptr) return nullptr;
  if ((*entry)->type() != ListValue::kType) {
    *wrong_type = true;
    return nullptr;
  }
  return static_cast<ListValue*>((*entry)->container());
}

std::int64_t push_values(Shard& shard, int db_index, std::string_view key,
                         std::span<const std::string_view> values, End end,
                         std::span<const std::string_view> effect, bool only_existing) {
  storage::Keyspace& db = shard.db(db_index);
  storage::Entry* entry = nullptr;
  bool wrong_type = false;
  ListValue* list = find_list(db, key, &entry, &wrong_type);
  if (wrong_type) return -1;
  if (list == nullptr) {
    if (only_existing) return 0;
    auto created = std::make_unique<ListValue>(shard.config().list_max_listpack_size);
    list = created.get();
    entry = db.set_container(key, std::move(created));
  }
  list->set_fill(shard.config().list_max_listpack_size);
  for (std::string_view value : values) {
    if (end == End::kLeft) {
      list->push_front(value);
    } else {
      list->push_back(value);
    }
  }
  const auto length = static_cast<std::int64_t>(list->size());
  db.commit(entry, effect);
  blocking::signal_key_ready(shard, db_index, key);
  return length;
}

std::vector<std::string> pop_values(Shard& shard, int db_index, storage::Entry* entry,
                                    ListValue* list, std::string_view key, End end,
                                    std::size_t count) {
  count = std::min(count, list->size());
  std::vector<std::string> values;
  values.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    values.push_back(end == End::kLeft ? list->pop_front() : list->pop_back());
  }
  const std::string count_text = std::to_string(count);
  const std::string_view effect[] = {end == End::kLeft ? "LPOP" : "RPOP", key, count_text};
  shard.db(db_index).commit(entry, effect);
  return values;
}

void reply_multi_pop(protocol::ReplyWriter& reply, std::string_view key,
                     const std::vector<std::string>& values) {
  reply.array(2);
  reply.bulk(key);
  reply.array(values.size());
  for (const std::string& value : values) reply.bulk(value);
}

namespace {

void push(CommandContext& ctx, End end, bool only_existing) {
  const std::int64_t length = push_values(ctx.shard, ctx.db, ctx.args[1], ctx.args.subspan(2),
                                          end, ctx.args, only_existing);
  if (length < 0) {
    ctx.reply.error(kErrWrongType);
    return;
  }
  ctx.reply.integer(length);
}

void lpush(CommandContext& ctx) { push(ctx, End::kLeft, false); }
void rpush(CommandContext& ctx) { push(ctx, End::kRight, false); }
void lpushx(CommandContext& ctx) { push(ctx, End::kLeft, true); }
void rpushx(CommandContext& ctx) { push(ctx, End::kRight, true); }

// LPOP/RPOP key [count]: a bulk (or null) without count, an array (or null array) with one.
void pop(CommandContext& ctx, End end) {
  if (ctx.args.size() > 3) {
    ctx.reply.error("ERR wrong number of arguments for '" + ctx.spec.name + "' command");
    return;
  }
  std::size_t count = 1;
  const bool has_count = ctx.args.size() == 3;
  if (has_count) {
    const auto parsed = parse_range(ctx, ctx.args[2], 0, std::numeric_limits<std::int64_t>::max(),
                                    "ERR value is out of range, must be positive");
    if (!parsed) return;
    count = static_cast<std::size_t>(*parsed);
  }
  const auto opened = open_write<ListValue>(ctx, ctx.args[1]);
  if (!opened) return;
  if (!*opened) {
    if (has_count) {
      ctx.reply.null_array();
    } else {
      ctx.reply.null();
    }
    return;
  }
  if (has_count && count == 0) {
    ctx.reply.array(0);
    return;
  }
  const auto values =
      pop_values(ctx.shard, ctx.db, opened->entry, opened->value, ctx.args[1], end, count);
  if (!has_count) {
    ctx.reply.bulk(values[0]);
    return;
  }
  ctx.reply.array(values.size());
  for (const std::string& value : values) ctx.reply.bulk(value);
}

void lpop(CommandContext& ctx) { pop(ctx, End::kLeft); }
void rpop(CommandContext& ctx) { pop(ctx, End::kRight); }

void llen(CommandContext& ctx) {
  const auto opened = open_read<ListValue>(ctx, ctx.args[1]);
  if (!opened) return;
  ctx.reply.integer(*opened ? static_cast<std::int64_t>(opened->value->size()) : 0);
}

}  // namespace

std::vector<CommandBinding> list_bindings() {
  std::vector<CommandBinding> bindings = {
      {"lpush", lpush, Route::kKeys},   {"rpush", rpush, Route::kKeys},
      {"lpushx", lpushx, Route::kKeys}, {"rpushx", rpushx, Route::kKeys},
      {"lpop", lpop, Route::kKeys},     {"rpop", rpop, Route::kKeys},
      {"llen", llen, Route::kKeys},
  };
  for (auto* more : {list_index_bindings, list_move_bindings, list_blocking_bindings}) {
    for (CommandBinding& binding : more()) bindings.push_back(binding);
  }
  return bindings;
}

}  // namespace shardcache::server
