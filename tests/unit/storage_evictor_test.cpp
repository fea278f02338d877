// Evictor: every maxmemory policy, the pool's preferences (idle / infrequent / soonest TTL), the
// statistics and the DEL effects; and the EvictionClock's LRU/LFU bits underneath.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "storage/entry.h"
#include "storage/eviction_clock.h"
#include "storage/evictor.h"
#include "storage/keyspace.h"

using namespace shardcache::storage;

namespace {

struct Recorder : EffectSink {
  struct Record {
    int db;
    std::vector<std::string> args;
    RemovalCause cause;
  };
  std::vector<Record> records;
  void record(int db, std::span<const std::string_view> effect, RemovalCause cause) override {
    records.push_back({db, std::vector<std::string>(effect.begin(), effect.end()), cause});
  }
};

std::string key_of(int i) { return "key:" + std::to_string(i); }

// One database with a recorder and an evictor.
struct Fixture {
  EvictionClock clock;
  Keyspace ks{0, clock};
  Recorder sink;
  Evictor evictor;
  std::vector<Keyspace*> dbs{&ks};
  Fixture() {
    clock.set_now(1'000'000'000);
    ks.set_effect_sink(&sink);
  }
  std::function<std::size_t()> used() {
    return [this] { return ks.used_bytes(); };
  }
  bool make_room(EvictionPolicy policy, std::size_t limit, int samples = 5) {
    return evictor.make_room(dbs, policy, samples, clock, limit, used());
  }
  // Every record is a DEL of an evicted key; returns the keys.
  std::vector<std::string> evicted() {
    std::vector<std::string> keys;
    for (const auto& r : sink.records) {
      REQUIRE(r.args.size() == 2);
      REQUIRE(r.args[0] == "DEL");
      REQUIRE(r.cause == RemovalCause::kEvicted);
      keys.push_back(r.args[1]);
    }
    return keys;
  }
};

const EvictionPolicy kAllKeys[] = {EvictionPolicy::kAllKeysLru, EvictionPolicy::kAllKeysLfu,
                                   EvictionPolicy::kAllKeysRandom};
const EvictionPolicy kVolatile[] = {EvictionPolicy::kVolatileLru, EvictionPolicy::kVolatileLfu,
                                    EvictionPolicy::kVolatileRandom, EvictionPolicy::kVolatileTtl};

}  // namespace

TEST_CASE("Evictor: under the limit nothing happens, whatever the policy", "[storage][evictor]") {
  for (EvictionPolicy p : {EvictionPolicy::kNoEviction, EvictionPolicy::kAllKeysLru,
                           EvictionPolicy::kVolatileTtl}) {
    Fixture f;
    for (int i = 0; i < 100; ++i) f.ks.set_string(key_of(i), "v", Encoding::kRaw, -1);
    f.sink.records.clear();
    CHECK(f.make_room(p, f.ks.used_bytes()));
    CHECK(f.ks.size() == 100);
    CHECK(f.sink.records.empty());
  }
}

TEST_CASE("Evictor: noeviction refuses", "[storage][evictor]") {
  Fixture f;
  for (int i = 0; i < 100; ++i) f.ks.set_string(key_of(i), "v", Encoding::kRaw, i);
  f.sink.records.clear();
  CHECK_FALSE(f.make_room(EvictionPolicy::kNoEviction, f.ks.used_bytes() - 1));
  CHECK(f.ks.size() == 100);
  CHECK(f.sink.records.empty());
  CHECK(f.ks.stats().evicted_keys == 0);
}

TEST_CASE("Evictor: allkeys-* evict until under the limit", "[storage][evictor]") {
  for (EvictionPolicy p : kAllKeys) {
    Fixture f;
    f.clock.configure(p == EvictionPolicy::kAllKeysLfu, 10, 1);
    for (int i = 0; i < 2000; ++i) {
      f.ks.set_string(key_of(i), std::string(50, 'x'), Encoding::kRaw, i % 2 ? 2'000'000'000 : -1);
    }
    f.sink.records.clear();
    const std::size_t limit = f.ks.used_bytes() / 2;
    REQUIRE(f.make_room(p, limit));
    CHECK(f.ks.used_bytes() <= limit);
    const auto keys = f.evicted();
    CHECK(keys.size() > 500);
    CHECK(keys.size() < 1500);
    CHECK(f.ks.stats().evicted_keys == keys.size());
    CHECK(f.ks.size() == 2000 - keys.size());
    CHECK(std::set<std::string>(keys.begin(), keys.end()).size() == keys.size());
    // Both kinds of keys may go.
    bool with_ttl = false, without = false;
    for (const auto& k : keys) (std::stoi(k.substr(4)) % 2 ? with_ttl : without) = true;
    CHECK(with_ttl);
    CHECK(without);
    for (const auto& k : keys) CHECK(f.ks.find(k, false) == nullptr);

    // Down to nothing: everything can go; below that, failure.
    // The expiry heap gives its blocks back as keys go: only the buckets stay.
    CHECK(f.make_room(p, f.ks.table().bucket_bytes()));
    CHECK(f.ks.size() == 0);
    CHECK_FALSE(f.make_room(p, 0));
  }
}

TEST_CASE("Evictor: volatile-* evict only keys with a TTL", "[storage][evictor]") {
  for (EvictionPolicy p : kVolatile) {
    Fixture f;
    f.clock.configure(p == EvictionPolicy::kVolatileLfu, 10, 1);
    for (int i = 0; i < 2000; ++i) {
      f.ks.set_string(key_of(i), std::string(50, 'x'), Encoding::kRaw,
                      i % 2 ? 2'000'000'000 + i : -1);
    }
    f.sink.records.clear();
    const std::size_t full = f.ks.used_bytes();
    const std::size_t limit = full - full / 4;
    REQUIRE(f.make_room(p, limit));
    CHECK(f.ks.used_bytes() <= limit);
    auto keys = f.evicted();
    CHECK(keys.size() > 100);
    for (const auto& k : keys) CHECK(std::stoi(k.substr(4)) % 2 == 1);
    CHECK(f.ks.stats().evicted_keys == keys.size());

    // More than the volatile keys can give: fails after taking them all, the rest untouched.
    CHECK_FALSE(f.make_room(p, full / 4));
    CHECK(f.ks.volatile_size() == 0);
    CHECK(f.ks.size() == 1000);
    keys = f.evicted();
    CHECK(keys.size() == 1000);
    for (const auto& k : keys) CHECK(std::stoi(k.substr(4)) % 2 == 1);
    for (int i = 0; i < 2000; i += 2) CHECK(f.ks.find(key_of(i), false) != nullptr);
  }
}

TEST_CASE("Evictor: volatile-* fail when no key has a TTL", "[storage][evictor]") {
  for (EvictionPolicy p : kVolatile) {
    Fixture f;
    for (int i = 0; i < 100; ++i) f.ks.set_string(key_of(i), "v", Encoding::kRaw, -1);
    f.sink.records.clear();
    CHECK_FALSE(f.make_room(p, f.ks.used_bytes() - 1));
    CHECK(f.ks.size() == 100);
    CHECK(f.sink.records.empty());
  }
  // An empty keyspace is under any limit.
  Fixture f;
  CHECK(f.make_room(EvictionPolicy::kVolatileLru, 0));
}

TEST_CASE("Evictor: volatile-ttl evicts the soonest-expiring first", "[storage][evictor]") {
  Fixture f;
  // TTLs in a scrambled order; TTL-less keys in between.
  std::vector<std::pair<std::int64_t, std::string>> ttl;
  for (int i = 0; i < 1000; ++i) {
    if (i % 3 == 0) {
      f.ks.set_string(key_of(i), "v", Encoding::kRaw, -1);
      continue;
    }
    const std::int64_t at = 2'000'000'000 + (static_cast<std::int64_t>(i) * 7919) % 100'003;
    f.ks.set_string(key_of(i), "v", Encoding::kRaw, at);
    ttl.emplace_back(at, key_of(i));
  }
  std::sort(ttl.begin(), ttl.end());
  f.sink.records.clear();
  // Evict in several rounds.
  for (int round = 0; round < 10; ++round) {
    REQUIRE(f.make_room(EvictionPolicy::kVolatileTtl, f.ks.used_bytes() - 200));
  }
  const auto keys = f.evicted();
  REQUIRE(keys.size() >= 10);
  for (std::size_t i = 0; i < keys.size(); ++i) CHECK(keys[i] == ttl[i].second);
  CHECK(f.ks.next_expiry_ms() == ttl[keys.size()].first);
}

TEST_CASE("Evictor: volatile-ttl across databases takes the soonest of all", "[storage][evictor]") {
  EvictionClock clock;
  clock.set_now(0);
  Keyspace a(0, clock), b(1, clock);
  Recorder sink;
  a.set_effect_sink(&sink);
  b.set_effect_sink(&sink);
  for (int i = 0; i < 50; ++i) {
    a.set_string("a" + std::to_string(i), "v", Encoding::kRaw, 1000 + 2 * i);
    b.set_string("b" + std::to_string(i), "v", Encoding::kRaw, 1001 + 2 * i);
  }
  sink.records.clear();
  std::vector<Keyspace*> dbs{&a, &b};
  Evictor evictor;
  const auto used = [&] { return a.used_bytes() + b.used_bytes(); };
  for (int round = 0; round < 20; ++round) {
    REQUIRE(evictor.make_room(dbs, EvictionPolicy::kVolatileTtl, 5, clock, used() - 1, used));
  }
  REQUIRE(sink.records.size() == 20);
  for (int i = 0; i < 20; ++i) {
    const auto& r = sink.records[static_cast<std::size_t>(i)];
    CHECK(r.db == i % 2);
    CHECK(r.args[1] == (i % 2 == 0 ? "a" : "b") + std::to_string(i / 2));
  }
  CHECK(a.stats().evicted_keys == 10);
  CHECK(b.stats().evicted_keys == 10);
}

TEST_CASE("Evictor: allkeys-lru prefers idle keys", "[storage][evictor]") {
  Fixture f;
  std::int64_t now = 1'000'000'000;
  for (int i = 0; i < 1000; ++i) f.ks.set_string(key_of(i), std::string(40, 'x'), Encoding::kRaw, -1);
  // 100 s pass; the hot tenth is read every second.
  for (int s = 0; s < 100; ++s) {
    now += 1000;
    f.clock.set_now(now);
    for (int i = 0; i < 1000; i += 10) REQUIRE(f.ks.find(key_of(i)) != nullptr);
  }
  CHECK(f.clock.idle_seconds(f.ks.find(key_of(1), false), now) == 100);
  CHECK(f.clock.idle_seconds(f.ks.find(key_of(10), false), now) == 0);
  f.sink.records.clear();
  REQUIRE(f.make_room(EvictionPolicy::kAllKeysLru, f.ks.used_bytes() / 2));
  const auto keys = f.evicted();
  CHECK(keys.size() > 300);
  for (int i = 0; i < 1000; i += 10) CHECK(f.ks.find(key_of(i), false) != nullptr);
  for (const auto& k : keys) CHECK(std::stoi(k.substr(4)) % 10 != 0);
}

TEST_CASE("Evictor: allkeys-lfu prefers frequently used keys", "[storage][evictor]") {
  Fixture f;
  f.clock.configure(true, 10, 1);
  for (int i = 0; i < 1000; ++i) f.ks.set_string(key_of(i), std::string(40, 'x'), Encoding::kRaw, -1);
  // Same minute: no decay. The hot tenth is read 200 times.
  for (int r = 0; r < 200; ++r) {
    for (int i = 0; i < 1000; i += 10) REQUIRE(f.ks.find(key_of(i)) != nullptr);
  }
  const std::int64_t now = f.clock.now();
  CHECK(f.clock.frequency(f.ks.find(key_of(1), false), now) == EvictionClock::kLfuInitValue);
  CHECK(f.clock.frequency(f.ks.find(key_of(10), false), now) > EvictionClock::kLfuInitValue + 1);
  f.sink.records.clear();
  REQUIRE(f.make_room(EvictionPolicy::kAllKeysLfu, f.ks.used_bytes() / 2));
  const auto keys = f.evicted();
  CHECK(keys.size() > 300);
  for (int i = 0; i < 1000; i += 10) CHECK(f.ks.find(key_of(i), false) != nullptr);
  for (const auto& k : keys) CHECK(std::stoi(k.substr(4)) % 10 != 0);
}

TEST_CASE("Evictor: a pooled candidate that lost its TTL is not evicted by volatile-*",
          "[storage][evictor]") {
  Fixture f;
  for (int i = 0; i < 200; ++i) f.ks.set_string(key_of(i), "v", Encoding::kRaw, -1);
  f.ks.set_string("v1", "v", Encoding::kRaw, 2'000'000'000);
  f.ks.set_string("v2", "v", Encoding::kRaw, 2'000'000'000);
  f.sink.records.clear();
  // One eviction: samples both volatile keys into the pool, evicts one, keeps the other pooled.
  REQUIRE(f.make_room(EvictionPolicy::kVolatileRandom, f.ks.used_bytes() - 1, 10));
  REQUIRE(f.sink.records.size() == 1);
  const std::string left = f.sink.records[0].args[1] == "v1" ? "v2" : "v1";
  // PERSIST the other one: no key has a TTL now.
  REQUIRE(f.ks.set_expiry(left, -1));
  f.sink.records.clear();
  CHECK_FALSE(f.make_room(EvictionPolicy::kVolatileRandom, f.ks.used_bytes() - 1, 10));
  CHECK(f.sink.records.empty());
  CHECK(f.ks.find(left, false) != nullptr);
  CHECK(f.ks.size() == 201);
}

TEST_CASE("Evictor: stale pool entries of deleted keys are skipped", "[storage][evictor]") {
  Fixture f;
  for (int i = 0; i < 300; ++i) f.ks.set_string(key_of(i), "v", Encoding::kRaw, -1);
  REQUIRE(f.make_room(EvictionPolicy::kAllKeysRandom, f.ks.used_bytes() - 1, 16));
  // Delete everything but a few keys: the pool names mostly gone keys.
  for (int i = 0; i < 290; ++i) f.ks.remove(key_of(i));
  f.sink.records.clear();
  REQUIRE(f.make_room(EvictionPolicy::kAllKeysRandom, f.ks.used_bytes() - 1, 16));
  CHECK(f.evicted().size() == 1);
  CHECK(f.ks.stats().evicted_keys == 2);
}

TEST_CASE("EvictionClock: LRU bits, LFU counter growth and decay", "[storage][evictor][clock]") {
  Entry* e = Entry::create("k", "v", ValueType::kString, Encoding::kRaw, -1);
  EvictionClock lru;
  e->set_eviction_bits(lru.initial_bits(5'000));
  CHECK(lru.idle_seconds(e, 5'000) == 0);
  CHECK(lru.idle_seconds(e, 65'999) == 60);
  CHECK(lru.eviction_score(e, 65'999) == 60);
  lru.touch(e, 70'000);
  CHECK(lru.idle_seconds(e, 70'000) == 0);
  // The 24-bit clock wraps (about 194 days): idle time stays small across the wrap.
  const std::int64_t wrap_ms = (std::int64_t{1} << 24) * 1000;
  lru.touch(e, wrap_ms - 2000);
  CHECK(lru.idle_seconds(e, wrap_ms + 3000) <= 6);

  EvictionClock lfu;
  lfu.configure(true, 10, 1);
  CHECK(lfu.lfu());
  e->set_eviction_bits(lfu.initial_bits(0));
  CHECK(lfu.frequency(e, 0) == EvictionClock::kLfuInitValue);
  CHECK(lfu.eviction_score(e, 0) == 255u - EvictionClock::kLfuInitValue);
  lfu.touch(e, 0);  // probability 1 at the initial value
  CHECK(lfu.frequency(e, 0) == EvictionClock::kLfuInitValue + 1);
  for (int i = 0; i < 100'000; ++i) lfu.touch(e, 0);
  const std::uint8_t f = lfu.frequency(e, 0);
  // Logarithmic: with factor 10, 100k hits give about 142 (Redis's table), not 255.
  CHECK(f > 100);
  CHECK(f < 200);
  // One per minute of decay.
  CHECK(lfu.frequency(e, 10 * 60'000) == f - 10);
  CHECK(lfu.frequency(e, 1000LL * 60'000) == 0);
  Entry::destroy(e);
}
