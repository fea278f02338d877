#include "storage/eviction_clock.h"

namespace shardcache::storage {

std::uint32_t EvictionClock::initial_bits(std::int64_t now_ms) const {
  if (lfu_) return (static_cast<std::uint32_t>(minutes(now_ms)) << 8) | kLfuInitValue;
  return lru_clock(now_ms);
}

std::uint8_t EvictionClock::decayed_counter(std::uint32_t bits, std::int64_t now_ms) const {
  const std::uint16_t last = static_cast<std::uint16_t>(bits >> 8);
  const std::uint8_t counter = static_cast<std::uint8_t>(bits & 0xff);
  const std::uint16_t now = minutes(now_ms);
  const std::uint32_t elapsed = now >= last ? now - last : 65535u - last + now;
  const std::uint32_t periods = decay_minutes_ > 0 ? elapsed / static_cast<std::uint32_t>(decay_minutes_) : 0;
  return periods > counter ? 0 : static_cast<std::uint8_t>(counter - periods);
}

void EvictionClock::touch(Entry* entry, std::int64_t now_ms) const {
  if (touch_suppressed_) return;
  if (!lfu_) {
    entry->set_eviction_bits(lru_clock(now_ms));
    return;
  }
  std::uint8_t counter = decayed_counter(entry->eviction_bits(), now_ms);
  if (counter < 255) {
    const double base = counter > kLfuInitValue ? counter - kLfuInitValue : 0;
    const double p = 1.0 / (base * log_factor_ + 1);
    if (std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < p) ++counter;
  }
  entry->set_eviction_bits((static_cast<std::uint32_t>(minutes(now_ms)) << 8) | counter);
}

std::int64_t EvictionClock::idle_seconds(const Entry* entry, std::int64_t now_ms) const {
  const std::uint32_t now = lru_clock(now_ms);
  const std::uint32_t then = entry->eviction_bits();
  return now >= then ? now - then : (0xffffffu - then) + now;
}

std::uint8_t EvictionClock::frequency(const Entry* entry, std::int64_t now_ms) const {
  return decayed_counter(entry->eviction_bits(), now_ms);
}

std::uint64_t EvictionClock::eviction_score(const Entry* entry, std::int64_t now_ms) const {
  if (lfu_) return 255u - frequency(entry, now_ms);
  return static_cast<std::uint64_t>(idle_seconds(entry, now_ms));
}

}  // namespace shardcache::storage
