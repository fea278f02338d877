// Keyspace as the one mutation door: the effect record of every kind of mutation, replaying the
// records reproduces the state, and the memory accounting adds up.
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "storage/entry.h"
#include "storage/eviction_clock.h"
#include "storage/evictor.h"
#include "storage/keyspace.h"

using namespace shardcache::storage;

namespace {

using Args = std::vector<std::string>;

struct Record {
  int db;
  Args args;
  RemovalCause cause;
  std::int64_t now;  // the clock when it was recorded (-1 without a clock)
};

struct Recorder : EffectSink {
  const EvictionClock* clock = nullptr;
  std::vector<Record> records;
  void record(int db, std::span<const std::string_view> effect, RemovalCause cause) override {
    records.push_back({db, Args(effect.begin(), effect.end()), cause, clock ? clock->now() : -1});
  }
  std::vector<Record> take() { return std::exchange(records, {}); }
};

// Executes an effect record on a keyspace, as a replica or a replayed log would.
void apply_effect(Keyspace& ks, const Args& a) {
  REQUIRE(!a.empty());
  if (a[0] == "SET") {
    REQUIRE((a.size() == 3 || (a.size() == 5 && a[3] == "PXAT")));
    ks.set_string(a[1], a[2], Encoding::kRaw, a.size() == 5 ? std::stoll(a[4]) : -1);
  } else if (a[0] == "DEL") {
    REQUIRE(a.size() == 2);
    ks.remove(a[1]);
  } else if (a[0] == "PEXPIREAT") {
    REQUIRE(a.size() == 3);
    ks.set_expiry(a[1], std::stoll(a[2]));
  } else if (a[0] == "PERSIST") {
    REQUIRE(a.size() == 2);
    ks.set_expiry(a[1], -1);
  } else if (a[0] == "FLUSHDB") {
    REQUIRE(a.size() == 1);
    ks.clear();
  } else {
    FAIL("unknown effect " << a[0]);
  }
}

// Records, and applies each record at once to a replica keyspace (a live replica).
struct ReplicatingRecorder : Recorder {
  Keyspace* replica = nullptr;
  void record(int db, std::span<const std::string_view> effect, RemovalCause cause) override {
    Recorder::record(db, effect, cause);
    apply_effect(*replica, records.back().args);
  }
};

struct Stored {
  std::string value;
  std::int64_t expire_at;
  bool operator==(const Stored&) const = default;
};

// Every stored entry, read through SCAN (no lazy expiry, no touching). With `live_only`, the
// entries whose TTL has passed at the clock's now are left out.
std::map<std::string, Stored> contents(const Keyspace& ks, std::int64_t now, bool live_only) {
  std::map<std::string, Stored> out;
  std::uint64_t cursor = 0;
  do {
    cursor = ks.table().scan(cursor, [&](Entry* e) {
      if (live_only && e->has_expiry() && e->expire_at_ms() <= now) return;
      out[std::string(e->key())] = Stored{std::string(e->value()), e->expire_at_ms()};
    });
  } while (cursor != 0);
  return out;
}

// used_bytes is exactly entries + buckets + heap.
void check_accounting(const Keyspace& ks) {
  std::size_t entries = 0, count = 0, with_ttl = 0;
  std::uint64_t cursor = 0;
  do {
    cursor = ks.table().scan(cursor, [&](Entry* e) {
      entries += e->allocated_bytes();
      ++count;
      with_ttl += e->has_expiry() ? 1 : 0;
    });
  } while (cursor != 0);
  REQUIRE(count == ks.size());
  REQUIRE(with_ttl == ks.volatile_size());
  REQUIRE(ks.used_bytes() == entries + ks.table().bucket_bytes() + ks.expiry().bytes());
}

}  // namespace

TEST_CASE("Door: SET effects", "[storage][keyspace][door]") {
  EvictionClock clock;
  clock.set_now(1'000'000);
  Keyspace ks(5, clock);
  Recorder sink;
  ks.set_effect_sink(&sink);

  ks.set_string("k", "v1", Encoding::kRaw, -1);
  auto r = sink.take();
  REQUIRE(r.size() == 1);
  CHECK(r[0].db == 5);
  CHECK(r[0].args == Args{"SET", "k", "v1"});
  CHECK(r[0].cause == RemovalCause::kDeleted);

  // With a TTL: an absolute PXAT.
  ks.set_string("k", "v2", Encoding::kRaw, 1'005'000);
  r = sink.take();
  REQUIRE(r.size() == 1);
  CHECK(r[0].args == Args{"SET", "k", "v2", "PXAT", "1005000"});

  // KEEPTTL carries the old time.
  ks.set_string("k", "v3", Encoding::kRaw, -1, true);
  r = sink.take();
  REQUIRE(r.size() == 1);
  CHECK(r[0].args == Args{"SET", "k", "v3", "PXAT", "1005000"});
  CHECK(ks.find("k")->expire_at_ms() == 1'005'000);

  // A plain SET clears it.
  ks.set_string("k", "v4", Encoding::kRaw, -1);
  r = sink.take();
  CHECK(r.at(0).args == Args{"SET", "k", "v4"});
  CHECK_FALSE(ks.find("k")->has_expiry());
  CHECK(ks.volatile_size() == 0);

  // KEEPTTL of a key without TTL, and of a new key.
  ks.set_string("k", "v5", Encoding::kRaw, -1, true);
  CHECK(sink.take().at(0).args == Args{"SET", "k", "v5"});
  ks.set_string("new", "n", Encoding::kRaw, -1, true);
  CHECK(sink.take().at(0).args == Args{"SET", "new", "n"});

  // Binary keys and values pass through whole.
  const std::string bkey("a\0b\r\n", 5), bval("\0\xff\x01", 3);
  ks.set_string(bkey, bval, Encoding::kRaw, -1);
  r = sink.take();
  REQUIRE(r.size() == 1);
  CHECK(r[0].args == Args{"SET", bkey, bval});
  CHECK(ks.find(bkey)->value() == bval);

  // Empty value.
  ks.set_string("e", "", Encoding::kRaw, -1);
  CHECK(sink.take().at(0).args == Args{"SET", "e", ""});
}

TEST_CASE("Door: DEL, PEXPIREAT, PERSIST effects", "[storage][keyspace][door]") {
  EvictionClock clock;
  clock.set_now(500);
  Keyspace ks(1, clock);
  Recorder sink;
  ks.set_effect_sink(&sink);
  ks.set_string("a", "1", Encoding::kRaw, -1);
  ks.set_string("b", "2", Encoding::kRaw, -1);
  sink.take();

  CHECK(ks.remove("a"));
  auto r = sink.take();
  REQUIRE(r.size() == 1);
  CHECK(r[0].db == 1);
  CHECK(r[0].args == Args{"DEL", "a"});
  CHECK(r[0].cause == RemovalCause::kDeleted);
  CHECK_FALSE(ks.remove("a"));
  CHECK(sink.take().empty());

  CHECK(ks.set_expiry("b", 9000));
  r = sink.take();
  REQUIRE(r.size() == 1);
  CHECK(r[0].args == Args{"PEXPIREAT", "b", "9000"});
  CHECK(ks.set_expiry("b", 8000));
  CHECK(sink.take().at(0).args == Args{"PEXPIREAT", "b", "8000"});

  CHECK(ks.set_expiry("b", -1));
  r = sink.take();
  REQUIRE(r.size() == 1);
  CHECK(r[0].args == Args{"PERSIST", "b"});
  // PERSIST of a key without TTL changes nothing and records nothing.
  CHECK(ks.set_expiry("b", -1));
  CHECK(sink.take().empty());
  // Missing keys record nothing.
  CHECK_FALSE(ks.set_expiry("zz", 9000));
  CHECK_FALSE(ks.set_expiry("zz", -1));
  CHECK(sink.take().empty());

  // A past time deletes: DEL, not PEXPIREAT.
  CHECK(ks.set_expiry("b", 500));
  r = sink.take();
  REQUIRE(r.size() == 1);
  CHECK(r[0].args == Args{"DEL", "b"});
  CHECK(r[0].cause == RemovalCause::kDeleted);
  CHECK(ks.size() == 0);

  // RemovalCause decides statistics, the effect is DEL for all.
  ks.set_string("x", "1", Encoding::kRaw, -1);
  ks.set_string("y", "1", Encoding::kRaw, -1);
  sink.take();
  ks.remove("x", RemovalCause::kExpired);
  ks.remove("y", RemovalCause::kEvicted);
  r = sink.take();
  REQUIRE(r.size() == 2);
  CHECK(r[0].args == Args{"DEL", "x"});
  CHECK(r[0].cause == RemovalCause::kExpired);
  CHECK(r[1].args == Args{"DEL", "y"});
  CHECK(r[1].cause == RemovalCause::kEvicted);
  CHECK(ks.stats().expired_keys == 1);
  CHECK(ks.stats().evicted_keys == 1);
  ks.reset_stats();
  CHECK(ks.stats().expired_keys == 0);
}

TEST_CASE("Door: a logically expired key is gone for every write", "[storage][keyspace][door]") {
  EvictionClock clock;
  clock.set_now(100);
  Keyspace ks(0, clock);
  Recorder sink;
  ks.set_effect_sink(&sink);
  ks.set_string("k", "v", Encoding::kRaw, 200);
  ks.set_string("p", "v", Encoding::kRaw, 200);
  sink.take();
  clock.set_now(300);
  // A new TTL does not resurrect it.
  CHECK_FALSE(ks.set_expiry("k", 10'000));
  CHECK_FALSE(ks.set_expiry("p", -1));
  auto r = sink.take();
  REQUIRE(r.size() == 2);
  CHECK(r[0].args == Args{"DEL", "k"});
  CHECK(r[0].cause == RemovalCause::kExpired);
  CHECK(r[1].args == Args{"DEL", "p"});
  CHECK(ks.size() == 0);
  CHECK(ks.stats().expired_keys == 2);
}

TEST_CASE("Door: lazy expiry, expire_due, eviction and clear effects",
          "[storage][keyspace][door]") {
  EvictionClock clock;
  clock.set_now(1000);
  Keyspace ks(2, clock);
  Recorder sink;
  ks.set_effect_sink(&sink);
  ks.set_string("lazy", "v", Encoding::kRaw, 1500);
  ks.set_string("active1", "v", Encoding::kRaw, 1200);
  ks.set_string("active2", "v", Encoding::kRaw, 1100);
  ks.set_string("keep", "v", Encoding::kRaw, -1);
  sink.take();
  clock.set_now(2000);

  CHECK(ks.find("lazy", false) == nullptr);
  auto r = sink.take();
  REQUIRE(r.size() == 1);
  CHECK(r[0].db == 2);
  CHECK(r[0].args == Args{"DEL", "lazy"});
  CHECK(r[0].cause == RemovalCause::kExpired);

  CHECK(ks.expire_due(10) == 2);
  r = sink.take();
  REQUIRE(r.size() == 2);
  CHECK(r[0].args == Args{"DEL", "active2"});  // soonest first
  CHECK(r[1].args == Args{"DEL", "active1"});
  CHECK(r[0].cause == RemovalCause::kExpired);
  CHECK(r[1].cause == RemovalCause::kExpired);
  CHECK(ks.stats().expired_keys == 3);

  // Eviction.
  Evictor evictor;
  std::vector<Keyspace*> dbs{&ks};
  CHECK(evictor.make_room(dbs, EvictionPolicy::kAllKeysRandom, 5, clock, 0,
                          [&] { return ks.size(); }));
  r = sink.take();
  REQUIRE(r.size() == 1);
  CHECK(r[0].args == Args{"DEL", "keep"});
  CHECK(r[0].cause == RemovalCause::kEvicted);
  CHECK(ks.stats().evicted_keys == 1);

  // clear: one FLUSHDB, also on an empty keyspace.
  ks.set_string("a", "1", Encoding::kRaw, 5000);
  ks.set_string("b", "2", Encoding::kRaw, -1);
  sink.take();
  ks.clear();
  r = sink.take();
  REQUIRE(r.size() == 1);
  CHECK(r[0].args == Args{"FLUSHDB"});
  CHECK(r[0].db == 2);
  CHECK(ks.size() == 0);
  CHECK(ks.volatile_size() == 0);
  CHECK(ks.used_bytes() == 0);
  ks.clear();
  CHECK(sink.take().at(0).args == Args{"FLUSHDB"});

  // clear with a disposer: the entries are handed over, not freed.
  ks.set_string("a", "1", Encoding::kRaw, 5000);
  ks.set_string("b", "2", Encoding::kRaw, -1);
  sink.take();
  std::vector<Entry*> handed;
  ks.clear([&](std::vector<Entry*>&& entries) { handed = std::move(entries); });
  CHECK(handed.size() == 2);
  CHECK(sink.take().at(0).args == Args{"FLUSHDB"});
  CHECK(ks.size() == 0);
  CHECK(ks.used_bytes() == 0);
  for (Entry* e : handed) Entry::destroy(e);

  // No sink: nothing breaks.
  ks.set_effect_sink(nullptr);
  ks.set_string("x", "1", Encoding::kRaw, 3000);
  ks.set_expiry("x", 4000);
  ks.remove("x");
  ks.clear();
}

TEST_CASE("Door: replaying 100k random mutations reproduces the state",
          "[storage][keyspace][door][replay]") {
  EvictionClock clock;
  std::int64_t now = 1'700'000'000'000;
  clock.set_now(now);
  Keyspace primary(0, clock);
  Keyspace replica(0, clock);
  ReplicatingRecorder sink;
  sink.replica = &replica;
  sink.clock = &clock;
  primary.set_effect_sink(&sink);
  Evictor evictor;
  std::vector<Keyspace*> dbs{&primary};

  std::mt19937_64 rng(20240601);
  const auto key = [&] {
    const std::uint64_t n = rng() % 3000;
    return n % 100 == 0 ? std::string("bin\0\xff", 5) + std::to_string(n) : "key:" + std::to_string(n);
  };
  const auto value = [&] {
    std::string v(rng() % 40, '\0');
    for (char& c : v) c = static_cast<char>(rng());
    return v;
  };
  const auto future = [&] { return now + 1 + static_cast<std::int64_t>(rng() % 20'000); };

  std::size_t evictions = 0, flushes = 0;
  for (int op = 0; op < 100'000; ++op) {
    if (rng() % 4 == 0) {
      now += static_cast<std::int64_t>(rng() % 100);
      clock.set_now(now);
    }
    const int kind = static_cast<int>(rng() % 1000);
    if (kind < 300) {
      primary.set_string(key(), value(), Encoding::kRaw, -1);
    } else if (kind < 450) {
      primary.set_string(key(), value(), Encoding::kRaw, future());
    } else if (kind < 500) {
      primary.set_string(key(), value(), Encoding::kRaw, -1, /*keep_ttl=*/true);
    } else if (kind < 550) {
      primary.remove(key());
    } else if (kind < 650) {
      primary.set_expiry(key(), future());
    } else if (kind < 670) {
      primary.set_expiry(key(), now - static_cast<std::int64_t>(rng() % 1000));  // deletes
    } else if (kind < 720) {
      primary.set_expiry(key(), -1);
    } else if (kind < 900) {
      primary.find(key(), rng() % 2 == 0);
    } else if (kind < 930) {
      primary.expire_due(rng() % 50);
    } else if (kind < 945) {
      const std::size_t used = primary.used_bytes();
      const std::size_t limit = used - std::min<std::size_t>(used, rng() % 200);
      const EvictionPolicy policies[] = {EvictionPolicy::kAllKeysRandom,
                                         EvictionPolicy::kAllKeysLru,
                                         EvictionPolicy::kVolatileTtl,
                                         EvictionPolicy::kVolatileRandom};
      const std::size_t before = primary.stats().evicted_keys;
      evictor.make_room(dbs, policies[rng() % 4], 5, clock, limit,
                        [&] { return primary.used_bytes(); });
      evictions += primary.stats().evicted_keys - before;
    } else if (kind < 946 && rng() % 10 == 0) {
      primary.clear();
      ++flushes;
    } else {
      primary.maintain(rng() % 16);  // no effects
    }
    if (op % 2000 == 0 || op == 99'999) {
      INFO("op " << op);
      // Live replication: the very same entries, expired-but-stored ones included.
      REQUIRE(contents(primary, now, false) == contents(replica, now, false));
      REQUIRE(primary.volatile_size() == replica.volatile_size());
      REQUIRE(primary.next_expiry_ms() == replica.next_expiry_ms());
      check_accounting(primary);
      check_accounting(replica);
    }
  }
  INFO("evictions " << evictions << " flushes " << flushes << " expired "
       << primary.stats().expired_keys << " size " << primary.size() << " volatile "
       << primary.volatile_size());
  CHECK(evictions > 100);
  CHECK(flushes >= 1);
  CHECK(primary.stats().expired_keys > 1000);
  CHECK(primary.size() > 500);
  CHECK(primary.volatile_size() > 100);

  // Replaying the whole log afterwards onto a fresh keyspace, each record at the time it was
  // made (as Redis loads an AOF: nothing expires by itself while loading): the same keys,
  // values and expiry times.
  EvictionClock replay_clock;
  Keyspace fresh(0, replay_clock);
  std::size_t counts[5] = {};
  for (const Record& r : sink.records) {
    replay_clock.set_now(r.now);
    apply_effect(fresh, r.args);
    const std::string& cmd = r.args[0];
    ++counts[cmd == "SET" ? 0 : cmd == "DEL" ? 1 : cmd == "PEXPIREAT" ? 2 : cmd == "PERSIST" ? 3 : 4];
  }
  for (std::size_t c : counts) CHECK(c > 0);
  replay_clock.set_now(now);
  CHECK(contents(fresh, now, false) == contents(primary, now, false));
  const auto expected = contents(primary, now, true);
  CHECK(expected.size() > 500);
  CHECK(contents(fresh, now, true) == expected);
  check_accounting(fresh);
}

TEST_CASE("Door: used_bytes accounting", "[storage][keyspace][accounting]") {
  EvictionClock clock;
  clock.set_now(1000);
  Keyspace ks(0, clock);
  CHECK(ks.used_bytes() == 0);

  // The empty-table baseline: an emptied table keeps its 4 initial buckets.
  ks.set_string("k", "v", Encoding::kRaw, -1);
  check_accounting(ks);
  ks.remove("k");
  const std::size_t baseline = ks.used_bytes();
  CHECK(baseline == 4 * sizeof(Entry*));

  std::mt19937_64 rng(77);
  for (int i = 0; i < 50'000; ++i) {
    ks.set_string("key:" + std::to_string(i), std::string(rng() % 200, 'x'), Encoding::kRaw,
                  i % 2 == 0 ? 100'000 + i : -1);
    if (i % 5000 == 0) check_accounting(ks);
  }
  check_accounting(ks);
  const std::size_t full = ks.used_bytes();
  CHECK(full > 50'000 * 30);

  // In-place rewrites and TTL changes move the count by the entries' size changes.
  for (int i = 0; i < 50'000; i += 7) {
    const std::string k = "key:" + std::to_string(i);
    switch (i % 4) {
      case 0: ks.set_expiry(k, -1); break;
      case 1: ks.set_expiry(k, 500'000); break;
      case 2: ks.set_string(k, std::string(rng() % 300, 'y'), Encoding::kRaw, -1, true); break;
      default: ks.set_expiry(k, 200'000); break;
    }
  }
  check_accounting(ks);

  // Remove everything (some by expiry, some by delete, some lazily).
  clock.set_now(110'000);
  ks.expire_due(3000);
  check_accounting(ks);
  for (int i = 0; i < 50'000; i += 3) ks.find("key:" + std::to_string(i), false);
  for (int i = 0; i < 50'000; ++i) ks.remove("key:" + std::to_string(i));
  CHECK(ks.size() == 0);
  CHECK(ks.volatile_size() == 0);
  check_accounting(ks);
  // The timer gives the buckets and the heap back.
  for (int guard = 0; guard < 100'000; ++guard) {
    ks.maintain(100);
    if (!ks.table().rehashing() && ks.used_bytes() == baseline) break;
  }
  CHECK_FALSE(ks.table().rehashing());
  CHECK(ks.used_bytes() == baseline);

  ks.clear();
  CHECK(ks.used_bytes() == 0);
}

TEST_CASE("Door: swap_contents exchanges keys, TTLs and accounting",
          "[storage][keyspace][accounting]") {
  EvictionClock clock;
  clock.set_now(0);
  Keyspace a(0, clock), b(1, clock);
  for (int i = 0; i < 100; ++i) a.set_string("a" + std::to_string(i), "v", Encoding::kRaw, 1000 + i);
  b.set_string("b", "v", Encoding::kRaw, -1);
  const std::size_t a_bytes = a.used_bytes(), b_bytes = b.used_bytes();
  a.swap_contents(b);
  CHECK(a.size() == 1);
  CHECK(b.size() == 100);
  CHECK(b.volatile_size() == 100);
  CHECK(b.next_expiry_ms() == 1000);
  CHECK(a.used_bytes() == b_bytes);
  CHECK(b.used_bytes() == a_bytes);
  CHECK(a.find("b") != nullptr);
  CHECK(b.find("a7")->expire_at_ms() == 1007);
  check_accounting(a);
  check_accounting(b);
}
