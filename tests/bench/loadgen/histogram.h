// Latency histogram for the load generator: fixed memory, no per-request storage.
#pragma once

#include <cstdint>
#include <vector>

namespace shardcache::loadgen {

// Log-linear buckets, as HdrHistogram: every value below 256 has its own bucket, and each power
// of two above is split into 128 buckets, so a bucket's bounds are within 1/128 (0.8%) of each
// other. Values are nanoseconds; 7,424 counters cover the whole uint64 range.
class Histogram {
 public:
  Histogram();

  void record(std::uint64_t value);

  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }
  double mean() const;

  // The upper bound of the bucket holding the value of rank ceil(q * count) (q in [0, 1]),
  // capped at max(): at least a fraction q of the recorded values are <= the result, and the
  // result overstates the true quantile by at most 0.8%. 0 when nothing was recorded.
  std::uint64_t percentile(double q) const;

 private:
  static std::size_t bucket_of(std::uint64_t value);
  static std::uint64_t bucket_upper_bound(std::size_t bucket);

  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace shardcache::loadgen
