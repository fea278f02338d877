// Evictor: frees keys of one shard until its data fits its memory limit, with Redis's policies
// and its approximation: each round samples maxmemory-samples keys per database into a pool of
// the 16 best candidates kept across rounds, then evicts the best one still present.
//   allkeys-lru / volatile-lru: longest idle first;  allkeys-lfu / volatile-lfu: least
//   frequent first;  allkeys-random / volatile-random: any;  volatile-ttl: soonest expiry
//   (taken exactly from each database's expiry heap, not sampled).
#pragma once

#include <cstdint>
#include <limits>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "storage/keyspace.h"

namespace shardcache::storage {

enum class EvictionPolicy {
  kNoEviction, kAllKeysLru, kAllKeysLfu, kAllKeysRandom,
  kVolatileLru, kVolatileLfu, kVolatileRandom, kVolatileTtl,
};

class Evictor {
 public:
  // Evicts until `used()` <= limit, or `max_evictions` keys are gone. Returns whether `used()`
  // is within the limit: false when nothing more can be evicted (policy noeviction, or no
  // candidate key) or the cap was reached first.
  bool make_room(std::vector<Keyspace*>& dbs, EvictionPolicy policy, int samples,
                 const EvictionClock& clock, std::size_t limit,
                 const std::function<std::size_t()>& used,
                 std::size_t max_evictions = SIZE_MAX);

 private:
  struct Candidate {
    std::uint64_t score;  // higher: evict sooner
    int db;
    std::string key;
  };
  void sample(std::vector<Keyspace*>& dbs, EvictionPolicy policy, int samples,
              const EvictionClock& clock);
  void offer(std::uint64_t score, int db, std::string_view key);

  static constexpr std::size_t kPoolSize = 16;
  std::vector<Candidate> pool_;  // sorted by score, best last
  std::mt19937_64 rng_{0xe71c7};
};

}  // namespace shardcache::storage
