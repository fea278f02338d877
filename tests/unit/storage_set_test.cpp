// SetValue: its three encodings, the one-way conversions between them at the EncodingLimits
// thresholds, member order, exact bytes() accounting, clone, random picks and scanning.
#include <catch2/catch.hpp>

#include <malloc.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "storage/set_value.h"

using namespace shardcache::storage;

namespace {

std::vector<std::string> members_of(const SetValue& set) {
  std::vector<std::string> out;
  set.for_each([&](std::string_view m) { out.emplace_back(m); });
  return out;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// The tracked bytes() equals a walk over every block, and a copy holds about as much (malloc may
// hand either a block a little larger than asked for).
void check_bytes_consistent(const SetValue& set) {
  CHECK(set.bytes() == set.recount_bytes());
  const std::unique_ptr<SetValue> copy = set.clone_set();
  CHECK(copy->bytes() == copy->recount_bytes());
  CHECK(copy->bytes() * 100 <= set.bytes() * 105 + 3200);
  CHECK(set.bytes() * 100 <= copy->bytes() * 105 + 3200);
}

}  // namespace

TEST_CASE("a set of canonical integers is an intset, sorted", "[storage][set]") {
  EncodingLimits limits;
  SetValue set;
  CHECK(set.add("3", limits));
  CHECK(set.add("-70000", limits));
  CHECK(set.add("1", limits));
  CHECK_FALSE(set.add("3", limits));
  CHECK(set.add("9223372036854775807", limits));
  CHECK(set.encoding() == Encoding::kIntset);
  CHECK(set.size() == 4);
  CHECK(members_of(set) ==
        std::vector<std::string>{"-70000", "1", "3", "9223372036854775807"});
  CHECK(set.contains("1"));
  CHECK_FALSE(set.contains("01"));
  CHECK_FALSE(set.contains("2"));
  check_bytes_consistent(set);
  CHECK(set.remove("1"));
  CHECK_FALSE(set.remove("1"));
  CHECK_FALSE(set.remove("x"));
  CHECK(members_of(set) == std::vector<std::string>{"-70000", "3", "9223372036854775807"});
  check_bytes_consistent(set);
}

TEST_CASE("non-canonical integers leave the intset for a listpack", "[storage][set]") {
  EncodingLimits limits;
  for (const char* text : {"01", "+1", " 1", "-0", "9223372036854775808", "1.0", ""}) {
    SetValue set;
    set.add("5", limits);
    set.add(text, limits);
    CHECK(set.encoding() == Encoding::kListpack);
    CHECK(members_of(set) == std::vector<std::string>{"5", text});
  }
}

TEST_CASE("a listpack keeps insertion order and converts at its thresholds", "[storage][set]") {
  EncodingLimits limits;
  limits.set_max_listpack_entries = 4;
  limits.set_max_listpack_value = 8;
  SetValue set;
  for (const char* m : {"b", "a", "12", "c"}) CHECK(set.add(m, limits));
  CHECK(set.encoding() == Encoding::kListpack);
  CHECK(members_of(set) == std::vector<std::string>{"b", "a", "12", "c"});
  check_bytes_consistent(set);
  CHECK(set.remove("a"));
  CHECK(members_of(set) == std::vector<std::string>{"b", "12", "c"});
  CHECK(set.add("d", limits));
  CHECK(set.encoding() == Encoding::kListpack);
  CHECK_FALSE(set.add("d", limits));  // a duplicate never converts
  CHECK(set.encoding() == Encoding::kListpack);
  CHECK(set.add("e", limits));
  CHECK(set.encoding() == Encoding::kHashtable);
  CHECK(sorted(members_of(set)) == std::vector<std::string>{"12", "b", "c", "d", "e"});
  check_bytes_consistent(set);

  SetValue long_member;
  long_member.add("a", limits);
  long_member.add("123456789", limits);
  CHECK(long_member.encoding() == Encoding::kHashtable);
}

TEST_CASE("an intset converts by its own and the listpack's limits", "[storage][set]") {
  EncodingLimits limits;
  limits.set_max_intset_entries = 3;
  SetValue set;
  for (const char* m : {"1", "2", "3"}) set.add(m, limits);
  CHECK(set.encoding() == Encoding::kIntset);
  set.add("4", limits);
  CHECK(set.encoding() == Encoding::kHashtable);  // past the intset limit: hashtable, as Redis

  EncodingLimits narrow;
  narrow.set_max_listpack_value = 3;
  SetValue wide;
  wide.add("12345", narrow);
  wide.add("a", narrow);  // the intset's widest member would not fit a listpack
  CHECK(wide.encoding() == Encoding::kHashtable);

  EncodingLimits few;
  few.set_max_listpack_entries = 2;
  SetValue many;
  for (const char* m : {"1", "2"}) many.add(m, few);
  many.add("a", few);
  CHECK(many.encoding() == Encoding::kHashtable);
  CHECK(sorted(members_of(many)) == std::vector<std::string>{"1", "2", "a"});
}

TEST_CASE("removing never converts back", "[storage][set]") {
  EncodingLimits limits;
  SetValue set;
  for (int i = 0; i < 200; ++i) set.add("m" + std::to_string(i), limits);
  CHECK(set.encoding() == Encoding::kHashtable);
  for (int i = 0; i < 199; ++i) CHECK(set.remove("m" + std::to_string(i)));
  CHECK(set.encoding() == Encoding::kHashtable);
  CHECK(members_of(set) == std::vector<std::string>{"m199"});
  check_bytes_consistent(set);
}

TEST_CASE("a large hashtable keeps members and accounting through growth and shrinking",
          "[storage][set]") {
  EncodingLimits limits;
  SetValue set;
  std::set<std::string> model;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    const std::string m = std::to_string(rng() % 5000) + "x";
    if (rng() % 3 == 0) {
      CHECK(set.remove(m) == (model.erase(m) == 1));
    } else {
      CHECK(set.add(m, limits) == model.insert(m).second);
    }
  }
  CHECK(set.size() == model.size());
  const auto members = members_of(set);
  CHECK(std::set<std::string>(members.begin(), members.end()) == model);
  check_bytes_consistent(set);
  // Emptying it shrinks the bucket array back to its minimum.
  for (const std::string& m : model) set.remove(m);
  CHECK(set.size() == 0);
  CHECK(set.bytes() < 256);
}

TEST_CASE("bytes() tracks the intset's growth as a fresh copy would", "[storage][set]") {
  EncodingLimits limits;
  SetValue set;
  for (int i = 0; i < 500; ++i) {
    set.add(std::to_string(i * 1000), limits);
    if (i % 50 == 0) check_bytes_consistent(set);
  }
  CHECK(set.encoding() == Encoding::kIntset);
  // 4-byte values: the buffer is within malloc's rounding of 2000 bytes.
  CHECK(set.bytes() <= sizeof(SetValue) + 2000 + 32);
}

TEST_CASE("clone is deep and keeps encoding and (compact) order", "[storage][set]") {
  EncodingLimits limits;
  for (int n : {3, 50, 300}) {
    SetValue set;
    for (int i = 0; i < n; ++i) set.add("k" + std::to_string(n - i), limits);
    const std::unique_ptr<Container> copy = set.clone();
    auto* copied = static_cast<SetValue*>(copy.get());
    CHECK(copied->encoding() == set.encoding());
    if (set.encoding() == Encoding::kHashtable) {
      CHECK(sorted(members_of(*copied)) == sorted(members_of(set)));
    } else {
      CHECK(members_of(*copied) == members_of(set));
    }
    set.remove("k1");
    CHECK(copied->contains("k1"));
    CHECK(copied->size() == static_cast<std::size_t>(n));
  }
}

TEST_CASE("random picks and pops return members", "[storage][set]") {
  EncodingLimits limits;
  std::mt19937_64 rng(1);
  for (int n : {5, 100, 1000}) {
    SetValue set;
    for (int i = 0; i < n; ++i) set.add((n == 5 ? "" : "m") + std::to_string(i), limits);
    for (int i = 0; i < 50; ++i) CHECK(set.contains(set.random_member(rng)));
    std::set<std::string> popped;
    while (set.size() > 0) {
      const std::string m = set.pop_random(rng);
      CHECK_FALSE(set.contains(m));
      CHECK(popped.insert(m).second);
    }
    CHECK(popped.size() == static_cast<std::size_t>(n));
  }
}

TEST_CASE("scan returns every member of a hashtable across calls", "[storage][set]") {
  EncodingLimits limits;
  SetValue set;
  for (int i = 0; i < 1000; ++i) set.add("s" + std::to_string(i), limits);
  std::set<std::string> seen;
  std::uint64_t cursor = 0;
  int calls = 0;
  do {
    cursor = set.scan(cursor, 10, [&](std::string_view m) { seen.emplace(m); });
    ++calls;
  } while (cursor != 0);
  CHECK(seen.size() == 1000);
  CHECK(calls > 10);

  SetValue small;
  small.add("1", limits);
  small.add("2", limits);
  std::vector<std::string> all;
  CHECK(small.scan(0, 1, [&](std::string_view m) { all.emplace_back(m); }) == 0);
  CHECK(all == std::vector<std::string>{"1", "2"});
}
