#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace shardcache::loadgen {

namespace {

constexpr int kLinearBits = 8;                          // values < 256 are exact
constexpr std::uint64_t kLinear = 1u << kLinearBits;    // 256
constexpr std::uint64_t kSubBuckets = kLinear / 2;      // 128 per power of two above
constexpr std::size_t kBuckets = kLinear + (64 - kLinearBits) * kSubBuckets;

}  // namespace

Histogram::Histogram() : counts_(kBuckets, 0) {}

std::size_t Histogram::bucket_of(std::uint64_t value) {
  if (value < kLinear) return value;
  const int exponent = std::bit_width(value) - 1;  // >= kLinearBits
  const int shift = exponent - (kLinearBits - 1);
  const std::uint64_t mantissa = value >> shift;  // in [128, 256)
  return kLinear + (exponent - kLinearBits) * kSubBuckets + (mantissa - kSubBuckets);
}

std::uint64_t Histogram::bucket_upper_bound(std::size_t bucket) {
  if (bucket < kLinear) return bucket;
  const std::size_t above = bucket - kLinear;
  const int exponent = kLinearBits + static_cast<int>(above / kSubBuckets);
  const int shift = exponent - (kLinearBits - 1);
  const std::uint64_t mantissa = kSubBuckets + above % kSubBuckets;
  // The top bucket's bound is 2^64 - 1: computed so that it does not overflow.
  return (mantissa << shift) + ((std::uint64_t{1} << shift) - 1);
}

void Histogram::record(std::uint64_t value) {
  ++counts_[bucket_of(value)];
  ++count_;
  max_ = std::max(max_, value);
  sum_ += value;
}

double Histogram::mean() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / count_);
}

std::uint64_t Histogram::percentile(double q) const {
  if (count_ == 0) return 0;
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * count_)));
  std::uint64_t seen = 0;
  for (std::size_t bucket = 0; bucket < counts_.size(); ++bucket) {
    seen += counts_[bucket];
    if (seen >= rank) return std::min(bucket_upper_bound(bucket), max_);
  }
  return max_;
}

}  // namespace shardcache::loadgen
