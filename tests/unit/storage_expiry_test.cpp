// ExpiryIndex (the TTL min-heap) and the Keyspace's expiry: lazy on find, set_expiry, the active
// cycle's expire_due, and the TTL statistics.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/entry.h"
#include "storage/eviction_clock.h"
#include "storage/expiry_index.h"
#include "storage/keyspace.h"

using namespace shardcache::storage;

namespace {

// The heap property and the slot back-links, checked slot by slot.
void check_heap(const ExpiryIndex& index) {
  for (std::size_t i = 0; i < index.size(); ++i) {
    const Entry* e = index.at_slot(i);
    REQUIRE(e->has_expiry());
    REQUIRE(e->expiry_slot() == i);
    if (i > 0) REQUIRE(index.at_slot((i - 1) / 2)->expire_at_ms() <= e->expire_at_ms());
  }
}

struct Recorder : EffectSink {
  struct Record {
    std::vector<std::string> args;
    RemovalCause cause;
  };
  std::vector<Record> records;
  void record(int, std::span<const std::string_view> effect, RemovalCause cause) override {
    records.push_back({std::vector<std::string>(effect.begin(), effect.end()), cause});
  }
};

using Args = std::vector<std::string>;

}  // namespace

TEST_CASE("ExpiryIndex orders random adds, removals and updates like a multimap",
          "[storage][expiry]") {
  ExpiryIndex index;
  std::multimap<std::int64_t, Entry*> model;
  std::vector<Entry*> live;
  std::mt19937_64 rng(2024);
  const auto model_erase = [&](Entry* e) {
    auto range = model.equal_range(e->expire_at_ms());
    for (auto it = range.first; it != range.second; ++it) {
      if (it->second == e) {
        model.erase(it);
        return;
      }
    }
    FAIL("entry missing from the model");
  };
  std::size_t next_key = 0;
  for (int op = 0; op < 60000; ++op) {
    const int kind = static_cast<int>(rng() % 10);
    // Few distinct times, so that ties are common.
    const std::int64_t at = static_cast<std::int64_t>(rng() % 5000);
    if (live.empty() || kind < 4) {
      Entry* e = Entry::create("k" + std::to_string(next_key++), "v", ValueType::kString,
                               Encoding::kRaw, at);
      index.add(e);
      model.emplace(at, e);
      live.push_back(e);
    } else if (kind < 7) {
      const std::size_t i = rng() % live.size();
      Entry* e = live[i];
      model_erase(e);
      index.remove(e);
      Entry::destroy(e);
      live[i] = live.back();
      live.pop_back();
    } else if (kind < 9) {
      // Re-time an entry: a new allocation at the same slot, as Keyspace::set_expiry does.
      const std::size_t i = rng() % live.size();
      Entry* e = live[i];
      model_erase(e);
      Entry* moved = Entry::with_expiry(e, at);
      index.relink(moved);
      index.update(moved);
      model.emplace(at, moved);
      live[i] = moved;
    } else {
      // Pop the soonest.
      Entry* e = index.soonest();
      REQUIRE(e->expire_at_ms() == model.begin()->first);
      model_erase(e);
      index.remove(e);
      live.erase(std::find(live.begin(), live.end(), e));
      Entry::destroy(e);
    }
    REQUIRE(index.size() == model.size());
    REQUIRE(index.empty() == model.empty());
    if (!model.empty()) {
      REQUIRE(index.soonest_ms() == model.begin()->first);
      REQUIRE(index.soonest()->expire_at_ms() == model.begin()->first);
    }
    if (op % 997 == 0) {
      check_heap(index);
      // count_due: the keys with expiry <= now, capped at the limit.
      const std::int64_t now = static_cast<std::int64_t>(rng() % 5200) - 100;
      const std::size_t due = static_cast<std::size_t>(
          std::distance(model.begin(), model.upper_bound(now)));
      REQUIRE(index.count_due(now, SIZE_MAX) == due);
      const std::size_t limit = rng() % 64;
      REQUIRE(index.count_due(now, limit) == std::min(due, limit));
    }
  }
  check_heap(index);
  // Draining yields the model's order of times.
  std::vector<std::int64_t> drained;
  while (!index.empty()) {
    Entry* e = index.soonest();
    drained.push_back(e->expire_at_ms());
    index.remove(e);
    Entry::destroy(e);
  }
  std::vector<std::int64_t> expected;
  for (const auto& [at, e] : model) expected.push_back(at);
  CHECK(drained == expected);
  CHECK(index.soonest() == nullptr);
}

TEST_CASE("ExpiryIndex bytes follow its size, and clear", "[storage][expiry]") {
  ExpiryIndex index;
  CHECK(index.bytes() == 0);
  std::vector<Entry*> entries;
  for (int i = 0; i < 1000; ++i) {
    entries.push_back(Entry::create("k" + std::to_string(i), "", ValueType::kString,
                                    Encoding::kRaw, 1000 - i));
    index.add(entries.back());
  }
  CHECK(index.bytes() >= 1000 * 16);
  CHECK(index.soonest_ms() == 1);
  // Removals give blocks back as the heap shrinks: no separate shrink step.
  const std::size_t before = index.bytes();
  for (int i = 0; i < 900; ++i) index.remove(entries[static_cast<std::size_t>(i)]);
  CHECK(index.bytes() < before / 5);
  CHECK(index.size() == 100);
  check_heap(index);
  CHECK(index.soonest_ms() == 1);
  index.clear();
  CHECK(index.bytes() == 0);
  CHECK(index.empty());
  for (Entry* e : entries) Entry::destroy(e);
}

TEST_CASE("Keyspace expires lazily on find", "[storage][expiry][keyspace]") {
  EvictionClock clock;
  clock.set_now(1000);
  Keyspace ks(0, clock);
  Recorder sink;
  ks.set_effect_sink(&sink);
  ks.set_string("k", "v", Encoding::kRaw, 2000);
  ks.set_string("forever", "v", Encoding::kRaw, -1);
  CHECK(ks.volatile_size() == 1);
  CHECK(ks.next_expiry_ms() == 2000);
  sink.records.clear();

  clock.set_now(1999);
  REQUIRE(ks.find("k") != nullptr);
  CHECK(ks.find("k")->value() == "v");
  CHECK(sink.records.empty());

  clock.set_now(2000);  // due at exactly its time, as Redis (now > when is expired; at == now too)
  CHECK(ks.find("k") == nullptr);
  CHECK(ks.size() == 1);
  CHECK(ks.volatile_size() == 0);
  CHECK(ks.next_expiry_ms() == -1);
  CHECK(ks.stats().expired_keys == 1);
  REQUIRE(sink.records.size() == 1);
  CHECK(sink.records[0].args == Args{"DEL", "k"});
  CHECK(sink.records[0].cause == RemovalCause::kExpired);
  CHECK(ks.find("k") == nullptr);
  CHECK(sink.records.size() == 1);  // once

  clock.set_now(1'000'000'000);
  CHECK(ks.find("forever") != nullptr);
  CHECK(ks.find("forever", false) != nullptr);
}

TEST_CASE("Keyspace::set_expiry sets, changes, clears, and deletes with a past time",
          "[storage][expiry][keyspace]") {
  EvictionClock clock;
  clock.set_now(10'000);
  Keyspace ks(0, clock);
  ks.set_string("a", "va", Encoding::kRaw, -1);
  ks.set_string("b", "vb", Encoding::kRaw, -1);

  CHECK_FALSE(ks.set_expiry("missing", 20'000));
  CHECK_FALSE(ks.set_expiry("missing", -1));

  // Set.
  REQUIRE(ks.set_expiry("a", 20'000));
  CHECK(ks.find("a")->expire_at_ms() == 20'000);
  CHECK(ks.find("a")->value() == "va");
  CHECK(ks.volatile_size() == 1);
  CHECK(ks.next_expiry_ms() == 20'000);
  REQUIRE(ks.set_expiry("b", 15'000));
  CHECK(ks.next_expiry_ms() == 15'000);
  CHECK(ks.volatile_size() == 2);

  // Change (later and sooner): the heap follows.
  REQUIRE(ks.set_expiry("b", 30'000));
  CHECK(ks.find("b")->expire_at_ms() == 30'000);
  CHECK(ks.next_expiry_ms() == 20'000);
  REQUIRE(ks.set_expiry("b", 12'000));
  CHECK(ks.next_expiry_ms() == 12'000);
  CHECK(ks.volatile_size() == 2);

  // Clear.
  REQUIRE(ks.set_expiry("b", -1));
  CHECK_FALSE(ks.find("b")->has_expiry());
  CHECK(ks.find("b")->value() == "vb");
  CHECK(ks.volatile_size() == 1);
  CHECK(ks.next_expiry_ms() == 20'000);
  REQUIRE(ks.set_expiry("b", -1));  // clearing no TTL: exists, nothing changes
  CHECK(ks.volatile_size() == 1);

  // A time at or before now deletes.
  REQUIRE(ks.set_expiry("a", 10'000));
  CHECK(ks.find("a") == nullptr);
  CHECK(ks.size() == 1);
  CHECK(ks.volatile_size() == 0);
  REQUIRE(ks.set_expiry("b", 0));
  CHECK(ks.size() == 0);
  CHECK(ks.stats().expired_keys == 0);  // deleted, not expired
}

TEST_CASE("Keyspace::set_expiry keeps the heap consistent over many keys",
          "[storage][expiry][keyspace]") {
  EvictionClock clock;
  clock.set_now(0);
  Keyspace ks(0, clock);
  std::mt19937_64 rng(3);
  std::unordered_map<std::string, std::int64_t> ttl;  // -1: none
  for (int i = 0; i < 2000; ++i) {
    const std::string k = "k" + std::to_string(i);
    ks.set_string(k, "v", Encoding::kRaw, -1);
    ttl[k] = -1;
  }
  for (int op = 0; op < 20000; ++op) {
    const std::string k = "k" + std::to_string(rng() % 2000);
    const std::int64_t at = rng() % 4 == 0 ? -1 : 1 + static_cast<std::int64_t>(rng() % 100000);
    REQUIRE(ks.set_expiry(k, at));
    ttl[k] = at;
  }
  check_heap(ks.expiry());
  std::size_t volatile_count = 0;
  std::int64_t soonest = -1;
  for (const auto& [k, at] : ttl) {
    Entry* e = ks.find(k, false);
    REQUIRE(e != nullptr);
    REQUIRE(e->expire_at_ms() == at);
    if (at >= 0) {
      ++volatile_count;
      soonest = soonest < 0 ? at : std::min(soonest, at);
    }
  }
  CHECK(ks.volatile_size() == volatile_count);
  CHECK(ks.next_expiry_ms() == soonest);
}

TEST_CASE("Keyspace::expire_due removes exactly the due keys, soonest first, within budget",
          "[storage][expiry][keyspace]") {
  EvictionClock clock;
  clock.set_now(0);
  Keyspace ks(3, clock);
  Recorder sink;
  ks.set_effect_sink(&sink);
  std::mt19937_64 rng(8);
  std::map<std::int64_t, std::string> by_time;  // distinct times
  for (int i = 0; i < 3000; ++i) {
    const std::string k = "k" + std::to_string(i);
    if (i % 3 == 0) {
      ks.set_string(k, "v", Encoding::kRaw, -1);
      continue;
    }
    std::int64_t at;
    do {
      at = 1 + static_cast<std::int64_t>(rng() % 1'000'000);
    } while (by_time.count(at));
    by_time[at] = k;
    ks.set_string(k, "v", Encoding::kRaw, at);
  }
  sink.records.clear();
  CHECK(ks.expire_due(100) == 0);  // nothing due at time 0
  CHECK(sink.records.empty());

  const std::int64_t now = 400'000;
  clock.set_now(now);
  std::vector<std::string> due;
  for (const auto& [at, k] : by_time) {
    if (at <= now) due.push_back(k);
  }
  REQUIRE(due.size() > 500);

  // Within budget: the 64 soonest, in order.
  CHECK(ks.expire_due(64) == 64);
  REQUIRE(sink.records.size() == 64);
  for (std::size_t i = 0; i < 64; ++i) {
    CHECK(sink.records[i].args == Args{"DEL", due[i]});
    CHECK(sink.records[i].cause == RemovalCause::kExpired);
  }
  CHECK(ks.expire_due(0) == 0);
  // The rest.
  CHECK(ks.expire_due(1'000'000) == due.size() - 64);
  REQUIRE(sink.records.size() == due.size());
  for (std::size_t i = 0; i < due.size(); ++i) CHECK(sink.records[i].args[1] == due[i]);
  CHECK(ks.expire_due(1'000'000) == 0);
  CHECK(ks.stats().expired_keys == due.size());
  CHECK(ks.size() == 3000 - due.size());
  CHECK(ks.volatile_size() == by_time.size() - due.size());
  CHECK(ks.next_expiry_ms() > now);
  // Not-due and TTL-less keys are all there.
  for (const auto& [at, k] : by_time) CHECK((ks.find(k, false) != nullptr) == (at > now));
  for (int i = 0; i < 3000; i += 3) CHECK(ks.find("k" + std::to_string(i), false) != nullptr);
  check_heap(ks.expiry());
}

TEST_CASE("Keyspace::average_ttl_ms and volatile_size", "[storage][expiry][keyspace]") {
  EvictionClock clock;
  clock.set_now(50'000);
  Keyspace ks(0, clock);
  CHECK(ks.average_ttl_ms() == 0);
  CHECK(ks.volatile_size() == 0);
  ks.set_string("plain", "v", Encoding::kRaw, -1);
  CHECK(ks.average_ttl_ms() == 0);
  CHECK(ks.volatile_size() == 0);

  // Up to 64 keys: every one is sampled, the average is exact.
  for (int i = 1; i <= 10; ++i) {
    ks.set_string("t" + std::to_string(i), "v", Encoding::kRaw, 50'000 + i * 1000);
  }
  CHECK(ks.volatile_size() == 10);
  CHECK(ks.size() == 11);
  CHECK(ks.average_ttl_ms() == 5500);
  clock.set_now(51'000);
  CHECK(ks.average_ttl_ms() == 4500);
  // Already-expired keys that are still stored count as 0 left.
  clock.set_now(56'000);
  CHECK(ks.average_ttl_ms() == (1000 + 2000 + 3000 + 4000) / 10);
  ks.set_expiry("t1", -1);
  CHECK(ks.volatile_size() == 9);

  // Many keys: sampled, within the range of the TTLs.
  clock.set_now(0);
  Keyspace big(1, clock);
  std::mt19937_64 rng(4);
  for (int i = 0; i < 10000; ++i) {
    big.set_string("k" + std::to_string(i), "v", Encoding::kRaw,
                   10'000 + static_cast<std::int64_t>(rng() % 10'000));
  }
  const std::int64_t avg = big.average_ttl_ms();
  CHECK(avg >= 10'000);
  CHECK(avg < 20'000);
  // All equal: exact.
  Keyspace same(2, clock);
  for (int i = 0; i < 1000; ++i) same.set_string("k" + std::to_string(i), "v", Encoding::kRaw, 7777);
  CHECK(same.average_ttl_ms() == 7777);
  CHECK(same.volatile_size() == 1000);
}

TEST_CASE("Keyspace: SET over a logically expired key starts a new key", "[storage][expiry][keyspace]") {
  EvictionClock clock;
  clock.set_now(1000);
  Keyspace ks(0, clock);
  Recorder sink;
  ks.set_effect_sink(&sink);
  ks.set_string("k", "old", Encoding::kRaw, 1500);
  clock.set_now(2000);
  sink.records.clear();
  // KEEPTTL on an expired key: the old TTL is gone with the old key; the new value stays.
  Entry* e = ks.set_string("k", "new", Encoding::kRaw, -1, /*keep_ttl=*/true);
  CHECK_FALSE(e->has_expiry());
  REQUIRE(ks.find("k") != nullptr);
  CHECK(ks.find("k")->value() == "new");
  CHECK(ks.volatile_size() == 0);
  CHECK(ks.stats().expired_keys == 1);
  REQUIRE(sink.records.size() == 2);
  CHECK(sink.records[0].args == Args{"DEL", "k"});
  CHECK(sink.records[0].cause == RemovalCause::kExpired);
  CHECK(sink.records[1].args == Args{"SET", "k", "new"});
}
