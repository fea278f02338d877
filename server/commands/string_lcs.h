// LCS's computation and reply, apart from where its two values come from (one shard or two).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "protocol/reply_writer.h"

namespace shardcache::server {

// One key's value as LCS reads it: an absent key is an empty string.
struct LcsValue {
  bool wrong_type = false;
  std::string value;
};

// Replies to LCS a b [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN] as Redis's lcsCommand, given the
// two keys' values and the arguments after the keys. The table of the dynamic programme is
// refused above `proto_max_bulk_len` bytes, as in Redis.
void reply_lcs(protocol::ReplyWriter& reply, const LcsValue& a, const LcsValue& b,
               std::span<const std::string_view> options, std::uint64_t proto_max_bulk_len);

}  // namespace shardcache::server
