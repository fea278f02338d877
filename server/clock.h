// Wall and monotonic time in the units Redis reports.
#pragma once

#include <chrono>
#include <cstdint>

namespace shardcache::server {

inline std::int64_t unix_time_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

inline std::int64_t unix_time_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

inline std::int64_t monotonic_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch()).count();
}

// The wall-clock time at a monotonic reading, so that one steady_clock reading per command serves
// both its duration and its notion of "now" (expiry). The offset between the two clocks is read
// again at most every 100 ms per thread: a step of the wall clock is seen that late at most.
inline std::int64_t unix_time_ms_at(std::int64_t monotonic) {
  thread_local std::int64_t offset_us = 0;
  thread_local std::int64_t offset_read_at = INT64_MIN / 2;
  if (monotonic - offset_read_at > 100'000 || monotonic < offset_read_at) {
    offset_us = unix_time_us() - monotonic_us();
    offset_read_at = monotonic;
  }
  return (monotonic + offset_us) / 1000;
}

}  // namespace shardcache::server
