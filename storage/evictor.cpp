#include "storage/evictor.h"

#include <algorithm>
#include <limits>

namespace shardcache::storage {
namespace {

bool is_volatile(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileLru || p == EvictionPolicy::kVolatileLfu ||
         p == EvictionPolicy::kVolatileRandom || p == EvictionPolicy::kVolatileTtl;
}

}  // namespace

void Evictor::offer(std::uint64_t score, int db, std::string_view key) {
  for (const auto& c : pool_) {
    if (c.db == db && c.key == key) return;
  }
  if (pool_.size() == kPoolSize) {
    if (score <= pool_.front().score) return;
    pool_.erase(pool_.begin());
  }
  auto at = std::lower_bound(pool_.begin(), pool_.end(), score,
                             [](const Candidate& c, std::uint64_t s) { return c.score < s; });
  pool_.insert(at, Candidate{score, db, std::string(key)});
}

void Evictor::sample(std::vector<Keyspace*>& dbs, EvictionPolicy policy, int samples,
                     const EvictionClock& clock) {
  const std::int64_t now = clock.now();
  for (Keyspace* ks : dbs) {
    const int db = ks->db_index();
    if (policy == EvictionPolicy::kVolatileTtl) {
      // The heap's root is the soonest expiry: the exact best candidate of this database.
      if (Entry* e = ks->expiry().soonest()) {
        offer(std::numeric_limits<std::uint64_t>::max() - static_cast<std::uint64_t>(e->expire_at_ms()), db,
              e->key());
      }
      continue;
    }
    const bool volatile_only = is_volatile(policy);
    const std::size_t population = volatile_only ? ks->volatile_size() : ks->size();
    if (population == 0) continue;
    for (int i = 0; i < samples; ++i) {
      Entry* e = volatile_only ? ks->expiry().at_slot(rng_() % population)
                               : ks->table().random_entry(rng_);
      const bool random = policy == EvictionPolicy::kAllKeysRandom ||
                          policy == EvictionPolicy::kVolatileRandom;
      offer(random ? rng_() : clock.eviction_score(e, now), db, e->key());
    }
  }
}

bool Evictor::make_room(std::vector<Keyspace*>& dbs, EvictionPolicy policy, int samples,
                        const EvictionClock& clock, std::size_t limit,
                        const std::function<std::size_t()>& used,
                        std::size_t max_evictions) {
  if (used() <= limit) return true;
  if (policy == EvictionPolicy::kNoEviction) return false;
  for (std::size_t evictions = 0; used() > limit; ++evictions) {
    if (evictions == max_evictions) return false;
    sample(dbs, policy, samples, clock);
    bool evicted = false;
    while (!pool_.empty() && !evicted) {
      Candidate best = std::move(pool_.back());
      pool_.pop_back();
      for (Keyspace* ks : dbs) {
        if (ks->db_index() != best.db) continue;
        // The pool outlives the keys it names: skip one that is gone, or that lost its TTL since
        // it was sampled when only keys with a TTL may go (Redis looks it up in the expires dict).
        const Entry* e = ks->table().find(best.key);
        if (e != nullptr && (!is_volatile(policy) || e->has_expiry())) {
          evicted = ks->remove(best.key, RemovalCause::kEvicted);
        }
        break;
      }
    }
    if (!evicted) return false;
  }
  return true;
}

}  // namespace shardcache::storage
