// Container keys at the mutation door: set_container, commit (accounting, encoding, effects,
// deletion of an emptied key), release_container, and ownership on every way out.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "storage/container.h"
#include "storage/eviction_clock.h"
#include "storage/keyspace.h"

using namespace shardcache::storage;

namespace {

// A stand-in container: a vector of items, counting live instances to catch leaks and double
// frees.
struct Bag : Container {
  static inline int live = 0;
  std::vector<std::string> items;
  Bag() { ++live; }
  Bag(const Bag& other) : Container(), items(other.items) { ++live; }
  ~Bag() override { --live; }
  ValueType type() const override { return ValueType::kSet; }
  Encoding encoding() const override {
    return items.size() > 2 ? Encoding::kHashtable : Encoding::kListpack;
  }
  std::size_t size() const override { return items.size(); }
  std::size_t bytes() const override { return sizeof(Bag) + items.size() * 100; }
  std::unique_ptr<Container> clone() const override { return std::make_unique<Bag>(*this); }
};

struct Recorder : EffectSink {
  std::vector<std::vector<std::string>> records;
  void record(int, std::span<const std::string_view> effect, RemovalCause) override {
    records.emplace_back(effect.begin(), effect.end());
  }
};

// The keyspace's bytes with its bucket array allocated (it stays once the first key arrived).
std::size_t baseline_bytes(Keyspace& ks) {
  ks.set_string("warm-up", "v", Encoding::kEmbstr, -1);
  ks.remove("warm-up");
  return ks.used_bytes();
}

std::unique_ptr<Bag> bag_of(std::initializer_list<const char*> items) {
  auto bag = std::make_unique<Bag>();
  for (const char* item : items) bag->items.emplace_back(item);
  return bag;
}

}  // namespace

TEST_CASE("commit charges a container's growth and shows its encoding", "[storage][container]") {
  EvictionClock clock;
  Keyspace ks(0, clock);
  const std::size_t empty_bytes = baseline_bytes(ks);
  {
    Entry* entry = ks.set_container("s", bag_of({"a"}));
    CHECK(entry->type() == ValueType::kSet);
    CHECK(entry->encoding() == Encoding::kListpack);
    const std::size_t one = ks.used_bytes();
    CHECK(one >= empty_bytes + sizeof(Bag) + 100);

    auto* bag = static_cast<Bag*>(entry->container());
    bag->items = {"a", "b", "c", "d"};
    const std::string_view effect[] = {"SADD", "s", "b", "c", "d"};
    ks.commit(entry, effect);
    CHECK(ks.used_bytes() == one + 300);
    CHECK(ks.find("s")->encoding() == Encoding::kHashtable);
    CHECK(ks.find("s")->allocated_bytes() >= sizeof(Bag) + 400);
  }
  ks.remove("s");
  CHECK(ks.used_bytes() == empty_bytes);
  CHECK(Bag::live == 0);
}

TEST_CASE("commit records the effect and deletes an emptied key", "[storage][container]") {
  EvictionClock clock;
  Keyspace ks(0, clock);
  Recorder recorder;
  ks.set_effect_sink(&recorder);
  const std::size_t empty_bytes = baseline_bytes(ks);
  Entry* entry = ks.set_container("s", bag_of({"a"}));
  static_cast<Bag*>(entry->container())->items.clear();
  const std::string_view effect[] = {"SREM", "s", "a"};
  ks.commit(entry, effect);
  CHECK(ks.find("s") == nullptr);
  CHECK(ks.size() == 0);
  CHECK(ks.used_bytes() == empty_bytes);
  CHECK(Bag::live == 0);
  // After the warm-up's SET and DEL: the SREM, then the DEL of the emptied key.
  REQUIRE(recorder.records.size() == 4);
  CHECK(recorder.records[3] == std::vector<std::string>{"DEL", "s"});
  CHECK(recorder.records[2] == std::vector<std::string>{"SREM", "s", "a"});
}

TEST_CASE("set_container replaces a string and a container keeps its TTL when given one",
          "[storage][container]") {
  EvictionClock clock;
  Keyspace ks(0, clock);
  ks.set_string("k", "v", Encoding::kEmbstr, -1);
  ks.set_container("k", bag_of({"x"}), clock.now() + 100000);
  Entry* entry = ks.find("k");
  REQUIRE(entry != nullptr);
  CHECK(entry->type() == ValueType::kSet);
  CHECK(entry->has_expiry());
  CHECK(ks.volatile_size() == 1);
  ks.set_string("k", "v2", Encoding::kEmbstr, -1);  // a string replaces the container
  CHECK(Bag::live == 0);
  CHECK(ks.volatile_size() == 0);
}

TEST_CASE("release_container hands the object over and records DEL", "[storage][container]") {
  EvictionClock clock;
  Keyspace ks(0, clock);
  Recorder recorder;
  ks.set_effect_sink(&recorder);
  const std::size_t empty_bytes = baseline_bytes(ks);
  ks.set_container("s", bag_of({"a", "b"}));
  CHECK(ks.release_container("missing") == nullptr);
  ks.set_string("str", "v", Encoding::kEmbstr, -1);
  CHECK(ks.release_container("str") == nullptr);  // strings are not containers
  ks.remove("str");
  std::unique_ptr<Container> taken = ks.release_container("s");
  REQUIRE(taken != nullptr);
  CHECK(Bag::live == 1);
  CHECK(ks.size() == 0);
  CHECK(ks.used_bytes() == empty_bytes);
  CHECK(recorder.records.back() == std::vector<std::string>{"DEL", "s"});

  // Adopted under another name (RENAME): charged there, freed with that key.
  ks.set_container("t", std::move(taken));
  CHECK(static_cast<Bag*>(ks.find("t")->container())->items.size() == 2);
  ks.clear();
  CHECK(Bag::live == 0);
}

TEST_CASE("expiry, eviction-style removal and clone free or copy containers exactly once",
          "[storage][container]") {
  EvictionClock clock;
  Keyspace ks(0, clock);
  ks.set_container("gone", bag_of({"a"}), clock.now() + 50);
  Entry* kept = ks.set_container("kept", bag_of({"a", "b"}));
  std::unique_ptr<Container> copy = kept->container()->clone();
  CHECK(Bag::live == 3);
  clock.set_now(clock.now() + 100);
  CHECK(ks.expire_due(10) == 1);
  CHECK(Bag::live == 2);
  CHECK(ks.remove("kept", RemovalCause::kEvicted));
  CHECK(Bag::live == 1);
  CHECK(static_cast<Bag*>(copy.get())->items.size() == 2);
}
