// Protocol limits, with Redis 7's values. Every limit is checked before memory is allocated
// for what it bounds.
#pragma once

#include <cstddef>
#include <cstdint>

namespace shardcache::protocol {

// Redis's PROTO_INLINE_MAX_SIZE: the longest inline command, and the longest '*' or '$' count
// line, accepted before a newline is seen.
inline constexpr std::size_t kMaxInlineSize = 64 * 1024;

// Before a client has authenticated (when a password is required) Redis refuses requests with
// more than 10 arguments or a bulk argument longer than 16 KiB.
inline constexpr std::int64_t kUnauthMaxMultibulkLen = 10;
inline constexpr std::int64_t kUnauthMaxBulkLen = 16384;

// Multibulk counts above INT_MAX are invalid, as in Redis.
inline constexpr std::int64_t kMaxMultibulkLen = 2147483647;

struct Limits {
  // proto-max-bulk-len: the longest bulk argument (default 512mb).
  std::uint64_t max_bulk_len = 512ull * 1024 * 1024;
  // client-query-buffer-limit: the most unparsed input one client may hold (default 1gb).
  std::uint64_t query_buffer_limit = 1024ull * 1024 * 1024;
};

}  // namespace shardcache::protocol
