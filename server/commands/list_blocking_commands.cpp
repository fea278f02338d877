// The blocking LIST commands: BLPOP BRPOP BLMPOP BLMOVE BRPOPLPUSH. Each describes how to see
// and take a list's data (blocking::WaitOps); server/blocking.h does the waiting, the wake-ups
// and the timeouts.
#include "protocol/reply_writer.h"
#include "server/blocking.h"
#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/families.h"
#include "server/commands/list_family.h"
#include "server/commands/lookup.h"
#include "server/server.h"
#include "server/shard.h"

namespace shardcache::server {
namespace {

using storage::ListValue;

blocking::Readiness list_readiness(Shard& shard, int db, std::string_view key) {
  const storage::Entry* entry = shard.db(db).find(key);
  if (entry == nullptr) return blocking::Readiness::kEmpty;
  // A list key is never empty: commit deletes an emptied one.
  return entry->type() == ListValue::kType ? blocking::Readiness::kReady
                                           : blocking::Readiness::kWrongType;
}

// Pops up to `count` from a ready list (the claim guarantees it is one).
std::vector<std::string> pop_ready(Shard& shard, int db, std::string_view key, End end,
                                   std::size_t count) {
  storage::Entry* entry = nullptr;
  bool wrong_type = false;
  ListValue* list = find_list(shard.db(db), key, &entry, &wrong_type);
  return pop_values(shard, db, entry, list, key, end, count);
}

std::vector<std::string> keys_between(const CommandContext& ctx, std::size_t first,
                                      std::size_t end) {
  return {ctx.args.begin() + static_cast<std::ptrdiff_t>(first),
          ctx.args.begin() + static_cast<std::ptrdiff_t>(end)};
}

// BLPOP / BRPOP key [key ...] timeout: [key, element].
void blocking_pop(CommandContext& ctx, End end) {
  const auto timeout = blocking::parse_timeout(ctx, ctx.args.back());
  if (!timeout) return;
  blocking::WaitOps ops{
      list_readiness,
      [end](Shard& shard, int db, std::string_view key, int resp, blocking::Deliver deliver) {
        const auto values = pop_ready(shard, db, key, end, 1);
        std::string out;
        protocol::ReplyWriter reply(out, resp);
        reply.array(2);
        reply.bulk(key);
        reply.bulk(values[0]);
        deliver(std::move(out));
      }};
  blocking::wait_for_keys(ctx, keys_between(ctx, 1, ctx.args.size() - 1), *timeout,
                          std::move(ops));
}

void blpop(CommandContext& ctx) { blocking_pop(ctx, End::kLeft); }
void brpop(CommandContext& ctx) { blocking_pop(ctx, End::kRight); }

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]: [key, [elements]].
void blmpop(CommandContext& ctx) {
  const auto timeout = blocking::parse_timeout(ctx, ctx.args[1]);
  if (!timeout) return;
  auto request = parse_multi_pop(ctx, 2);
  if (!request) return;
  blocking::WaitOps ops{
      list_readiness,
      [end = request->end, count = request->count](Shard& shard, int db, std::string_view key,
                                                   int resp, blocking::Deliver deliver) {
        const auto values = pop_ready(shard, db, key, end, count);
        std::string out;
        protocol::ReplyWriter reply(out, resp);
        reply_multi_pop(reply, key, values);
        deliver(std::move(out));
      }};
  blocking::wait_for_keys(ctx, std::move(request->keys), *timeout, std::move(ops));
}

std::string bulk_reply(int resp, std::string_view value) {
  std::string out;
  protocol::ReplyWriter(out, resp).bulk(value);
  return out;
}

std::string wrong_type_reply(int resp) {
  std::string out;
  protocol::ReplyWriter(out, resp).error(kErrWrongType);
  return out;
}

// Serves a BLMOVE from its ready source: the destination's type is checked first (WRONGTYPE,
// the element stays) when it lives on this shard; on another shard the element travels there and
// comes back to the source's end it left if the destination turns out to be of another type.
void serve_move(Shard& shard, int db, std::string_view source, const std::string& destination,
                End from, End to, int resp, blocking::Deliver deliver) {
  Server& server = shard.server();
  const int target_index = server.shard_of_key(destination);
  const auto destination_is_list = [db, destination](Shard& owner) {
    const storage::Entry* entry = owner.db(db).find(destination);
    return entry == nullptr || entry->type() == ListValue::kType;
  };
  const auto push_to_destination = [db, destination, to](Shard& owner, const std::string& value) {
    const std::string_view values[] = {value};
    const std::string_view effect[] = {to == End::kLeft ? "LPUSH" : "RPUSH", destination, value};
    push_values(owner, db, destination, values, to, effect);
  };
  if (target_index == shard.index()) {
    if (!destination_is_list(shard)) {
      deliver(wrong_type_reply(resp));
      return;
    }
    const std::string value = pop_ready(shard, db, source, from, 1)[0];
    push_to_destination(shard, value);
    deliver(bulk_reply(resp, value));
    return;
  }
  std::string value = pop_ready(shard, db, source, from, 1)[0];
  Shard& target = server.shard(target_index);
  target.post([&shard, &target, db, source = std::string(source), destination, from, resp,
               value = std::move(value), deliver = std::move(deliver), destination_is_list,
               push_to_destination]() mutable {
    if (destination_is_list(target)) {
      push_to_destination(target, value);
      deliver(bulk_reply(resp, value));
      return;
    }
    shard.post([&shard, db, source = std::move(source), from, resp, value = std::move(value),
                deliver = std::move(deliver)] {
      const std::string_view values[] = {value};
      const std::string_view effect[] = {from == End::kLeft ? "LPUSH" : "RPUSH", source, value};
      push_values(shard, db, source, values, from, effect);
      deliver(wrong_type_reply(resp));
    });
  });
}

void blocking_move(CommandContext& ctx, End from, End to, std::string_view timeout_text) {
  const auto timeout = blocking::parse_timeout(ctx, timeout_text);
  if (!timeout) return;
  std::string source(ctx.args[1]);
  std::string destination(ctx.args[2]);
  if (ctx.client.in_multi) {
    // As Redis: never blocks inside MULTI; an empty source answers null like LMOVE.
    move_element(ctx, std::move(source), std::move(destination), from, to);
    return;
  }
  blocking::WaitOps ops{
      list_readiness,
      [destination, from, to](Shard& shard, int db, std::string_view key, int resp,
                              blocking::Deliver deliver) {
        serve_move(shard, db, key, destination, from, to, resp, std::move(deliver));
      }};
  blocking::wait_for_keys(ctx, {std::move(source)}, *timeout, std::move(ops));
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout.
void blmove(CommandContext& ctx) {
  const auto from = parse_end(ctx.args[3]);
  const auto to = parse_end(ctx.args[4]);
  if (!from || !to) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  blocking_move(ctx, *from, *to, ctx.args[5]);
}

void brpoplpush(CommandContext& ctx) { blocking_move(ctx, End::kRight, End::kLeft, ctx.args[3]); }

}  // namespace

std::vector<CommandBinding> list_blocking_bindings() {
  return {
      {"blpop", blpop, Route::kHome},   {"brpop", brpop, Route::kHome},
      {"blmpop", blmpop, Route::kHome}, {"blmove", blmove, Route::kHome},
      {"brpoplpush", brpoplpush, Route::kHome},
  };
}

}  // namespace shardcache::server
