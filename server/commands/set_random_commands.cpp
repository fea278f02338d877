// SPOP key [count] and SRANDMEMBER key [count]: random members, as Redis 7.0 replies them.
// SPOP's effect is the deterministic SREM of what it popped.
#include <algorithm>
#include <climits>
#include <string>
#include <unordered_set>
#include <vector>

#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/container_access.h"
#include "server/commands/set_family.h"
#include "storage/set_value.h"

namespace shardcache::server {
namespace {

using storage::SetValue;

constexpr const char* kErrNotPositive = "ERR value is out of range, must be positive";
// SRANDMEMBER with a negative count builds |count| replies; Redis 7.0 tries any size and stalls
// the server. Past this many we refuse instead (docs/commands.md, Sets).
constexpr std::int64_t kMaxRepeatedMembers = std::int64_t{1} << 27;

std::vector<std::string> all_members(const SetValue& set) {
  std::vector<std::string> members;
  members.reserve(set.size());
  set.for_each([&](std::string_view member) { members.emplace_back(member); });
  return members;
}

// Records the popped members as SREM and closes the change (deleting an emptied key).
void commit_popped(CommandContext& ctx, const Opened<SetValue>& opened,
                   const std::vector<std::string>& popped) {
  std::vector<std::string_view> effect{"SREM", ctx.args[1]};
  effect.insert(effect.end(), popped.begin(), popped.end());
  commit(ctx, opened, effect);
}

void spop_one(CommandContext& ctx) {
  auto opened = open_write<SetValue>(ctx, ctx.args[1]);
  if (!opened) return;
  if (!*opened) {
    ctx.reply.null();
    return;
  }
  const std::vector<std::string> popped{opened->value->pop_random(set_random())};
  commit_popped(ctx, *opened, popped);
  ctx.reply.bulk(popped.front());
}

// SPOP key count: the count is checked before the key, as Redis does.
void spop(CommandContext& ctx) {
  if (ctx.args.size() == 2) {
    spop_one(ctx);
    return;
  }
  if (ctx.args.size() > 3) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  const auto count = parse_int64(ctx.args[2]);
  if (!count || *count < 0) {
    ctx.reply.error(kErrNotPositive);
    return;
  }
  auto opened = open_write<SetValue>(ctx, ctx.args[1]);
  if (!opened) return;
  if (!*opened || *count == 0) {
    ctx.reply.set(0);
    return;
  }
  SetValue& set = *opened->value;
  std::vector<std::string> popped;
  if (static_cast<std::uint64_t>(*count) >= set.size()) {
    popped = all_members(set);
    for (const std::string& member : popped) set.remove(member);
  } else {
    popped.reserve(static_cast<std::size_t>(*count));
    for (std::int64_t i = 0; i < *count; ++i) popped.push_back(set.pop_random(set_random()));
  }
  commit_popped(ctx, *opened, popped);
  ctx.reply.set(popped.size());
  for (const std::string& member : popped) ctx.reply.bulk(member);
}

void srandmember_one(CommandContext& ctx) {
  auto opened = open_read<SetValue>(ctx, ctx.args[1]);
  if (!opened) return;
  if (!*opened) {
    ctx.reply.null();
    return;
  }
  ctx.reply.bulk(opened->value->random_member(set_random()));
}

// SRANDMEMBER key count: distinct members for a positive count (the whole set, in its order,
// when the count covers it), |count| members that may repeat for a negative one.
void srandmember(CommandContext& ctx) {
  if (ctx.args.size() == 2) {
    srandmember_one(ctx);
    return;
  }
  if (ctx.args.size() > 3) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  const auto count = parse_int64(ctx.args[2]);
  if (!count) {
    ctx.reply.error(kErrNotInteger);
    return;
  }
  if (*count == LLONG_MIN) {
    ctx.reply.error(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
    return;
  }
  if (*count < -kMaxRepeatedMembers) {
    ctx.reply.error("ERR value is out of range");
    return;
  }
  auto opened = open_read<SetValue>(ctx, ctx.args[1]);
  if (!opened) return;
  if (!*opened || *count == 0) {
    ctx.reply.array(0);
    return;
  }
  const SetValue& set = *opened->value;
  std::mt19937_64& random = set_random();
  if (*count < 0) {
    const auto wanted = static_cast<std::size_t>(-*count);
    ctx.reply.array(wanted);
    if (set.encoding() == storage::Encoding::kHashtable) {
      for (std::size_t i = 0; i < wanted; ++i) ctx.reply.bulk(set.random_member(random));
      return;
    }
    // A compact set is at most a few hundred members: index them once.
    const std::vector<std::string> members = all_members(set);
    for (std::size_t i = 0; i < wanted; ++i) ctx.reply.bulk(members[random() % members.size()]);
    return;
  }
  const auto wanted = static_cast<std::size_t>(*count);
  if (wanted >= set.size()) {
    ctx.reply.array(set.size());
    set.for_each([&](std::string_view member) { ctx.reply.bulk(member); });
    return;
  }
  std::vector<std::string> picked;
  if (wanted * 3 > set.size()) {
    // Most of the set: a partial shuffle of all of it.
    picked = all_members(set);
    for (std::size_t i = 0; i < wanted; ++i) {
      std::swap(picked[i], picked[i + random() % (picked.size() - i)]);
    }
    picked.resize(wanted);
  } else {
    // A small part: draw until enough distinct members came.
    std::unordered_set<std::string> seen;
    while (picked.size() < wanted) {
      std::string member = set.random_member(random);
      if (seen.insert(member).second) picked.push_back(std::move(member));
    }
  }
  ctx.reply.array(picked.size());
  for (const std::string& member : picked) ctx.reply.bulk(member);
}

}  // namespace

std::vector<CommandBinding> set_random_bindings() {
  return {
      {"spop", spop, Route::kKeys},
      {"srandmember", srandmember, Route::kKeys},
  };
}

}  // namespace shardcache::server
