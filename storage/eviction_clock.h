// EvictionClock: the 24 bits of eviction state every entry carries, as Redis keeps them.
//   LRU: the access time in seconds, modulo 2^24 (about 194 days).
//   LFU: an 8-bit logarithmic access counter (incremented with probability
//        1 / ((counter - 5) * lfu-log-factor + 1)) and a 16-bit last-decrement time in minutes;
//        the counter loses one per lfu-decay-time minutes without access.
// The policy in force decides which of the two the bits hold; changing it at run time leaves
// old bits to be reinterpreted, as in Redis.
#pragma once

#include <cstdint>
#include <random>

#include "storage/entry.h"

namespace shardcache::storage {

class EvictionClock {
 public:
  static constexpr std::uint8_t kLfuInitValue = 5;

  void configure(bool lfu, int log_factor, int decay_minutes) {
    lfu_ = lfu;
    log_factor_ = log_factor;
    decay_minutes_ = decay_minutes;
  }
  bool lfu() const { return lfu_; }

  // The shard's current time, set before each command runs (one time per command, as Redis's
  // command time snapshot).
  void set_now(std::int64_t now_ms) { now_ms_ = now_ms; }
  std::int64_t now() const { return now_ms_; }

  // Bits for a newly created entry.
  std::uint32_t initial_bits(std::int64_t now_ms) const;
  // Records an access (unless suppressed).
  void touch(Entry* entry, std::int64_t now_ms) const;
  // While set, touch() records nothing: the command runs for a CLIENT NO-TOUCH client.
  void set_touch_suppressed(bool suppressed) { touch_suppressed_ = suppressed; }

  // OBJECT IDLETIME: seconds since the last access (LRU).
  std::int64_t idle_seconds(const Entry* entry, std::int64_t now_ms) const;
  // OBJECT FREQ: the LFU counter after decay.
  std::uint8_t frequency(const Entry* entry, std::int64_t now_ms) const;
  // The eviction score: higher means a better candidate to evict (idle time for LRU,
  // 255 - frequency for LFU).
  std::uint64_t eviction_score(const Entry* entry, std::int64_t now_ms) const;

 private:
  static std::uint32_t lru_clock(std::int64_t now_ms) {
    return static_cast<std::uint32_t>(now_ms / 1000) & 0xffffff;
  }
  static std::uint16_t minutes(std::int64_t now_ms) {
    return static_cast<std::uint16_t>((now_ms / 60000) & 0xffff);
  }
  std::uint8_t decayed_counter(std::uint32_t bits, std::int64_t now_ms) const;

  std::int64_t now_ms_ = 0;
  bool touch_suppressed_ = false;
  bool lfu_ = false;
  int log_factor_ = 10;
  int decay_minutes_ = 1;
  mutable std::mt19937_64 rng_{0x5eed};
};

}  // namespace shardcache::storage
