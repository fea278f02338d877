// ZSetValue: both encodings against a std::set model (order, ranks, scores, range bounds,
// removal by rank), the one-way listpack → skiplist conversion at the limits, bytes() accounting
// (running count against a recount), and clone.
#include <catch2/catch.hpp>

#include <iterator>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "storage/zset_value.h"

using namespace shardcache::storage;

namespace {

using Model = std::set<std::pair<double, std::string>>;

std::vector<std::pair<double, std::string>> contents(const ZSetValue& zset, bool reverse = false) {
  std::vector<std::pair<double, std::string>> all;
  zset.visit(0, zset.size(), reverse, [&](std::string_view member, double score) {
    all.emplace_back(score, std::string(member));
    return true;
  });
  return all;
}

void check_against(const ZSetValue& zset, const Model& model) {
  REQUIRE(zset.size() == model.size());
  const auto all = contents(zset);
  REQUIRE(std::vector<std::pair<double, std::string>>(model.begin(), model.end()) == all);
  auto reversed = contents(zset, true);
  REQUIRE(std::vector<std::pair<double, std::string>>(model.rbegin(), model.rend()) == reversed);
  std::size_t rank = 0;
  for (const auto& [score, member] : model) {
    REQUIRE(zset.score(member) == score);
    REQUIRE(zset.rank(member) == rank);
    ++rank;
  }
  if (zset.skiplist() != nullptr) {
    REQUIRE(zset.skiplist()->heap_bytes() == zset.skiplist()->recount_bytes());
  }
}

// Random adds, score changes, removals and rank-range removals, checked after each step.
void exercise(ZSetValue& zset, const EncodingLimits& limits, int steps, unsigned seed) {
  std::mt19937 rng(seed);
  Model model;
  for (int i = 0; i < steps; ++i) {
    const std::string member = "m" + std::to_string(rng() % 300);
    const double score = static_cast<double>(rng() % 50) / 4;
    const auto old = zset.score(member);
    switch (rng() % 8) {
      case 0:
        if (old) model.erase({*old, member});
        REQUIRE(zset.remove(member) == old.has_value());
        break;
      case 1: {
        const std::size_t a = model.empty() ? 0 : rng() % model.size();
        const std::size_t b = a + rng() % 5;
        const std::size_t end = b > model.size() ? model.size() : b;
        zset.erase_ranks(a, end);
        if (a < end) model.erase(std::next(model.begin(), a), std::next(model.begin(), end));
        break;
      }
      default:
        if (old) model.erase({*old, member});
        REQUIRE(zset.set(member, score, limits) == !old.has_value());
        model.insert({score, member});
    }
    if (i % 97 == 0) check_against(zset, model);
  }
  check_against(zset, model);
  // count_while gives the rank bounds of score ranges.
  for (double bound = -1; bound < 14; bound += 0.5) {
    const std::size_t below = zset.count_while([&](std::string_view, double s) { return s < bound; });
    std::size_t expected = 0;
    for (const auto& item : model) expected += item.first < bound ? 1 : 0;
    REQUIRE(below == expected);
  }
}

}  // namespace

TEST_CASE("zset listpack behaves as a sorted set", "[zset]") {
  EncodingLimits limits;
  limits.zset_max_listpack_entries = 1000000;
  ZSetValue zset;
  exercise(zset, limits, 3000, 1);
  REQUIRE(zset.encoding() == Encoding::kListpack);
}

TEST_CASE("zset skiplist behaves as a sorted set", "[zset]") {
  EncodingLimits limits;
  auto zset = ZSetValue::make_skiplist();
  exercise(*zset, limits, 5000, 2);
  REQUIRE(zset->encoding() == Encoding::kSkiplist);
}

TEST_CASE("zset converts to a skiplist at the limits, one way", "[zset]") {
  EncodingLimits limits;
  limits.zset_max_listpack_entries = 4;
  limits.zset_max_listpack_value = 8;
  ZSetValue zset;
  for (int i = 0; i < 4; ++i) zset.set("m" + std::to_string(i), i, limits);
  REQUIRE(zset.encoding() == Encoding::kListpack);
  zset.set("m0", 10, limits);  // a score change never converts
  REQUIRE(zset.encoding() == Encoding::kListpack);
  zset.set("m4", 4, limits);
  REQUIRE(zset.encoding() == Encoding::kSkiplist);
  REQUIRE(contents(zset).front() == std::make_pair(1.0, std::string("m1")));
  zset.erase_ranks(0, 4);
  REQUIRE(zset.encoding() == Encoding::kSkiplist);

  ZSetValue wide;
  wide.set("short", 1, limits);
  wide.set("longer than 8", 2, limits);
  REQUIRE(wide.encoding() == Encoding::kSkiplist);
  REQUIRE(ZSetValue::make_for(5, 1, limits)->encoding() == Encoding::kSkiplist);
  REQUIRE(ZSetValue::make_for(4, 9, limits)->encoding() == Encoding::kSkiplist);
  REQUIRE(ZSetValue::make_for(4, 8, limits)->encoding() == Encoding::kListpack);
}

TEST_CASE("zset bytes() follows every change", "[zset]") {
  EncodingLimits limits;
  ZSetValue zset;
  const std::size_t empty = zset.bytes();
  zset.set("member:1", 0.5, limits);
  REQUIRE(zset.bytes() > empty);
  for (int i = 0; i < 1000; ++i) zset.set("member:" + std::to_string(i), i, limits);
  REQUIRE(zset.encoding() == Encoding::kSkiplist);
  const std::size_t big = zset.bytes();
  REQUIRE(big > 1000 * 40);
  REQUIRE(zset.skiplist()->heap_bytes() == zset.skiplist()->recount_bytes());
  zset.erase_ranks(0, 990);
  REQUIRE(zset.bytes() < big / 10);
  REQUIRE(zset.skiplist()->heap_bytes() == zset.skiplist()->recount_bytes());
}

TEST_CASE("zset clone is deep, in both encodings", "[zset]") {
  EncodingLimits limits;
  ZSetValue small;
  small.set("a", 1, limits);
  small.set("b", 2, limits);
  auto small_copy = small.clone();
  small.remove("a");
  auto* copy = static_cast<ZSetValue*>(small_copy.get());
  REQUIRE(copy->size() == 2);
  REQUIRE(copy->encoding() == Encoding::kListpack);

  auto big = ZSetValue::make_skiplist();
  for (int i = 0; i < 300; ++i) big->set("m" + std::to_string(i), -i, limits);
  auto big_copy = big->clone();
  big->erase_ranks(0, 300);
  auto* copy2 = static_cast<ZSetValue*>(big_copy.get());
  REQUIRE(copy2->size() == 300);
  REQUIRE(copy2->encoding() == Encoding::kSkiplist);
  REQUIRE(copy2->rank("m299") == 0u);
  REQUIRE(copy2->bytes() == copy2->skiplist()->recount_bytes() + sizeof(ZSetValue));
}

TEST_CASE("zset skiplist scan returns every member", "[zset]") {
  EncodingLimits limits;
  auto zset = ZSetValue::make_skiplist();
  for (int i = 0; i < 500; ++i) zset->set("m" + std::to_string(i), i, limits);
  std::set<std::string> seen;
  std::uint64_t cursor = 0;
  do {
    cursor = zset->skiplist()->scan(
        cursor, [&](const ZSetSkiplist::Node* node) { seen.emplace(node->member()); });
  } while (cursor != 0);
  REQUIRE(seen.size() == 500);
}
