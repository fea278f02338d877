// The slow log: commands whose execution took at least slowlog-log-slower-than microseconds
// (Redis's default 10000), newest first, at most slowlog-max-len (128) entries per shard.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shardcache::server {

inline constexpr std::int64_t kSlowlogSlowerThanUs = 10000;
inline constexpr std::size_t kSlowlogMaxLen = 128;

struct SlowlogEntry {
  std::uint64_t id;  // process-wide, increasing
  std::int64_t unix_time;
  std::int64_t duration_us;
  std::vector<std::string> args;  // at most 32, each cut to 128 bytes as Redis does
  std::string client_addr;
  std::string client_name;
};

class Slowlog {
 public:
  void record(std::uint64_t id, std::int64_t duration_us, std::span<const std::string_view> args,
              const std::string& addr, const std::string& name);
  const std::deque<SlowlogEntry>& entries() const { return entries_; }
  void reset() { entries_.clear(); }

 private:
  std::deque<SlowlogEntry> entries_;  // newest first
};

}  // namespace shardcache::server
