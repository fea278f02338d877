// Popping from a sorted set, shared by ZPOPMIN/ZPOPMAX/ZMPOP and their blocking forms.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/commands/zset_family.h"
#include "storage/entry.h"

namespace shardcache::server {

// Removes and returns up to `count` lowest (or highest, `max`) members, in pop order.
std::vector<Scored> pop_members(ZSet& zset, bool max, std::size_t count);
// Pops from the sorted set of `entry` and commits with a ZPOPMIN/ZPOPMAX key count effect (the
// entry must not be used afterwards).
std::vector<Scored> pop_and_commit(Shard& shard, int db, storage::Entry* entry, bool max,
                                   std::size_t count);
// The pop reply: flat pairs, or [member, score] arrays when `nested`; with the key first when
// `emit_key` (BZPOPMIN's flat [key, member, score], ZMPOP's [key, [[member, score] ...]]).
void reply_popped(protocol::ReplyWriter& reply, std::string_view key,
                  const std::vector<Scored>& popped, bool nested, bool emit_key);
// ZMPOP's arguments after `numkeys_at` (numkeys key ... MIN|MAX [COUNT count]), with Redis's
// errors; false after replying one.
bool parse_mpop(CommandContext& ctx, std::size_t numkeys_at, std::vector<std::string>& keys,
                bool& max, long long& count);

}  // namespace shardcache::server
