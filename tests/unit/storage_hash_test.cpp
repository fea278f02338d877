// HashValue: both encodings, the one-way conversion, bytes() kept equal to a recount, clone,
// and the reverse-binary scan across resizes.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "storage/hash_value.h"

using namespace shardcache::storage;

namespace {

EncodingLimits small_limits() {
  EncodingLimits limits;
  limits.hash_max_listpack_entries = 4;
  limits.hash_max_listpack_value = 8;
  return limits;
}

std::vector<std::pair<std::string, std::string>> pairs_of(const HashValue& hash) {
  std::vector<std::pair<std::string, std::string>> pairs;
  hash.for_each([&](std::string_view f, std::string_view v) { pairs.emplace_back(f, v); });
  return pairs;
}

std::map<std::string, std::string> map_of(const HashValue& hash) {
  std::map<std::string, std::string> map;
  hash.for_each([&](std::string_view f, std::string_view v) { map.emplace(f, v); });
  return map;
}

}  // namespace

TEST_CASE("a listpack hash keeps insertion order and updates in place", "[storage][hash]") {
  HashValue hash;
  const EncodingLimits limits;
  CHECK(hash.set("b", "1", limits));
  CHECK(hash.set("a", "2", limits));
  CHECK(hash.set("c", "3", limits));
  CHECK_FALSE(hash.set("a", "a much longer value", limits));
  CHECK(hash.encoding() == Encoding::kListpack);
  CHECK(hash.size() == 3);
  using P = std::pair<std::string, std::string>;
  CHECK(pairs_of(hash) == std::vector<P>{{"b", "1"}, {"a", "a much longer value"}, {"c", "3"}});
  CHECK(hash.get("a") == std::optional<std::string_view>("a much longer value"));
  CHECK_FALSE(hash.get("zz"));
  CHECK(hash.remove("b"));
  CHECK_FALSE(hash.remove("b"));
  CHECK(pairs_of(hash) == std::vector<P>{{"a", "a much longer value"}, {"c", "3"}});
  CHECK(hash.listpack_pair_at(1).first == "c");
  CHECK(hash.set("", "", limits));
  CHECK(hash.get("") == std::optional<std::string_view>(""));
}

TEST_CASE("a hash converts to hashtable at the limits, one way", "[storage][hash]") {
  const EncodingLimits limits = small_limits();
  SECTION("too many fields") {
    HashValue hash;
    for (int i = 0; i < 4; ++i) hash.set("f" + std::to_string(i), "v", limits);
    CHECK(hash.encoding() == Encoding::kListpack);
    hash.set("f4", "v", limits);
    CHECK(hash.encoding() == Encoding::kHashtable);
    for (int i = 0; i < 5; ++i) CHECK(hash.get("f" + std::to_string(i)) == "v");
    for (int i = 0; i < 4; ++i) hash.remove("f" + std::to_string(i));
    CHECK(hash.encoding() == Encoding::kHashtable);
    CHECK(hash.size() == 1);
  }
  SECTION("a long value or field") {
    HashValue a, b;
    a.set("f", "12345678", limits);
    CHECK(a.encoding() == Encoding::kListpack);
    a.set("f", "123456789", limits);
    CHECK(a.encoding() == Encoding::kHashtable);
    b.set("123456789", "v", limits);
    CHECK(b.encoding() == Encoding::kHashtable);
  }
  SECTION("convert_for looks at every string before writing") {
    HashValue hash;
    hash.set("f", "v", limits);
    const std::string_view strings[] = {"a", "b", "c", "123456789"};
    hash.convert_for(strings, limits);
    CHECK(hash.encoding() == Encoding::kHashtable);
    CHECK(hash.get("f") == "v");
  }
}

TEST_CASE("bytes() equals a recount of every allocation", "[storage][hash]") {
  std::mt19937_64 rng(7);
  const EncodingLimits limits = small_limits();
  for (int round = 0; round < 2; ++round) {
    HashValue hash;
    std::map<std::string, std::string> model;
    for (int op = 0; op < 5000; ++op) {
      const std::string field = "f" + std::to_string(rng() % (round == 0 ? 4 : 300));
      if (rng() % 3 == 0) {
        CHECK(hash.remove(field) == (model.erase(field) == 1));
      } else {
        const std::string value(rng() % (round == 0 ? 8 : 20), 'x');
        CHECK(hash.set(field, value, limits) == !model.contains(field));
        model[field] = value;
      }
      REQUIRE(hash.size() == model.size());
      REQUIRE(hash.bytes() == hash.recount_bytes());
    }
    CHECK(map_of(hash) == model);
    const auto copy = hash.clone();
    const auto& twin = static_cast<const HashValue&>(*copy);
    CHECK(map_of(twin) == model);
    CHECK(twin.encoding() == hash.encoding());
    if (hash.encoding() == Encoding::kListpack) CHECK(pairs_of(twin) == pairs_of(hash));
    CHECK(twin.bytes() == twin.recount_bytes());
  }
}

TEST_CASE("an emptied hash holds no heap bytes", "[storage][hash]") {
  HashValue hash;
  const EncodingLimits limits;
  hash.set("a", "1", limits);
  CHECK(hash.bytes() > sizeof(HashValue));
  hash.remove("a");
  CHECK(hash.bytes() == sizeof(HashValue));
}

TEST_CASE("clone is deep", "[storage][hash]") {
  HashValue hash;
  const EncodingLimits limits = small_limits();
  for (int i = 0; i < 10; ++i) hash.set("f" + std::to_string(i), "v", limits);
  auto copy = hash.clone();
  hash.set("f0", "changed", limits);
  hash.remove("f1");
  auto& twin = static_cast<HashValue&>(*copy);
  CHECK(twin.get("f0") == "v");
  CHECK(twin.get("f1") == "v");
  CHECK(twin.size() == 10);
}

TEST_CASE("scan returns every field present for the whole scan across resizes",
          "[storage][hash]") {
  const EncodingLimits limits = small_limits();
  HashValue hash;
  for (int i = 0; i < 1000; ++i) hash.set("f" + std::to_string(i), "v", limits);
  std::set<std::string> seen;
  std::uint64_t cursor = 0;
  int calls = 0;
  do {
    cursor = hash.scan(cursor, [&](std::string_view f, std::string_view) { seen.emplace(f); });
    // Grow, then shrink the table during the scan; fields f0..f999 stay throughout.
    if (++calls == 100) {
      for (int i = 1000; i < 5000; ++i) hash.set("g" + std::to_string(i), "v", limits);
    }
    if (calls == 400) {
      for (int i = 1000; i < 5000; ++i) hash.remove("g" + std::to_string(i));
    }
  } while (cursor != 0);
  for (int i = 0; i < 1000; ++i) CHECK(seen.contains("f" + std::to_string(i)));
}

TEST_CASE("random_pair reaches every field", "[storage][hash]") {
  std::mt19937_64 rng(1);
  for (const auto& limits : {EncodingLimits{}, small_limits()}) {
    HashValue hash;
    for (int i = 0; i < 20; ++i) hash.set("f" + std::to_string(i), "v", limits);
    std::set<std::string> seen;
    for (int i = 0; i < 2000; ++i) seen.emplace(hash.random_pair(rng).first);
    CHECK(seen.size() == 20);
  }
}
