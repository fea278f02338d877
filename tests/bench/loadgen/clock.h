// Monotonic time in nanoseconds: the one clock every latency and deadline in the load generator
// is measured on.
#pragma once

#include <cstdint>
#include <ctime>

namespace shardcache::loadgen {

inline std::uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + ts.tv_nsec;
}

inline std::uint64_t seconds_to_ns(double seconds) {
  return static_cast<std::uint64_t>(seconds * 1e9);
}

}  // namespace shardcache::loadgen
