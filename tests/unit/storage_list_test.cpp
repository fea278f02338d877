// ListValue (the quicklist): every operation checked against a std::deque model, with node
// limits by count and by bytes, entries of every length class, bytes() accounting and clone.
#include <catch2/catch.hpp>

#include <deque>
#include <random>
#include <string>
#include <vector>

#include "storage/list_value.h"

using shardcache::storage::Encoding;
using shardcache::storage::ListValue;

namespace {

std::vector<std::string> contents(const ListValue& list) {
  std::vector<std::string> out;
  list.visit(0, false, [&](std::string_view v) {
    out.emplace_back(v);
    return true;
  });
  return out;
}

void require_same(const ListValue& list, const std::deque<std::string>& model) {
  REQUIRE(list.size() == model.size());
  REQUIRE(contents(list) == std::vector<std::string>(model.begin(), model.end()));
  std::vector<std::string> reversed;
  list.visit(0, true, [&](std::string_view v) {
    reversed.emplace_back(v);
    return true;
  });
  REQUIRE(reversed == std::vector<std::string>(model.rbegin(), model.rend()));
  REQUIRE(list.bytes() == list.recount_bytes());
}

std::string random_value(std::mt19937& rng) {
  // Mostly short values, some crossing the 1-byte length (127/128) and backlen boundaries.
  static const std::size_t lengths[] = {0, 1, 5, 16, 16, 16, 125, 126, 127, 128, 200, 3000};
  const std::size_t length = lengths[rng() % std::size(lengths)];
  std::string v(length, 'a');
  for (auto& c : v) c = static_cast<char>('a' + rng() % 4);
  return v;
}

}  // namespace

TEST_CASE("ListValue reports the quicklist encoding and list type", "[list]") {
  ListValue list;
  REQUIRE(list.encoding() == Encoding::kQuicklist);
  REQUIRE(list.type() == ListValue::kType);
  REQUIRE(list.size() == 0);
  REQUIRE(list.bytes() == list.recount_bytes());
}

TEST_CASE("ListValue push and pop at both ends", "[list]") {
  ListValue list;
  list.push_back("b");
  list.push_front("a");
  list.push_back("c");
  REQUIRE(contents(list) == std::vector<std::string>{"a", "b", "c"});
  REQUIRE(list.pop_front() == "a");
  REQUIRE(list.pop_back() == "c");
  REQUIRE(list.pop_back() == "b");
  REQUIRE(list.size() == 0);
  REQUIRE(list.bytes() == sizeof(ListValue));
}

TEST_CASE("ListValue matches a deque model under random operations", "[list]") {
  for (int fill : {-2, -1, 1, 2, 5, 128}) {
    CAPTURE(fill);
    std::mt19937 rng(static_cast<unsigned>(fill + 1000));
    ListValue list(fill);
    std::deque<std::string> model;
    for (int step = 0; step < 4000; ++step) {
      const int op = static_cast<int>(rng() % 12);
      const std::string v = random_value(rng);
      switch (op) {
        case 0: case 1: list.push_front(v); model.push_front(v); break;
        case 2: case 3: list.push_back(v); model.push_back(v); break;
        case 4:
          if (!model.empty()) {
            REQUIRE(list.pop_front() == model.front());
            model.pop_front();
          }
          break;
        case 5:
          if (!model.empty()) {
            REQUIRE(list.pop_back() == model.back());
            model.pop_back();
          }
          break;
        case 6:
          if (!model.empty()) {
            const std::size_t i = rng() % model.size();
            REQUIRE(list.at(i) == model[i]);
            list.set(i, v);
            model[i] = v;
          }
          break;
        case 7: {
          const std::size_t n = model.empty() ? 0 : rng() % (model.size() / 4 + 1);
          if (rng() % 2) {
            list.drop_front(n);
            model.erase(model.begin(), model.begin() + static_cast<long>(n));
          } else {
            list.drop_back(n);
            model.erase(model.end() - static_cast<long>(n), model.end());
          }
          break;
        }
        case 8: {
          const std::string pivot = random_value(rng);
          const bool after = rng() % 2;
          auto it = std::find(model.begin(), model.end(), pivot);
          REQUIRE(list.insert(pivot, v, after) == (it != model.end()));
          if (it != model.end()) model.insert(after ? it + 1 : it, v);
          break;
        }
        case 9: {
          const std::size_t count = rng() % 3;
          const bool from_tail = rng() % 2;
          std::size_t removed = 0;
          std::deque<std::string> kept;
          if (!from_tail) {
            for (auto& e : model) {
              if (e == v && (count == 0 || removed < count)) ++removed; else kept.push_back(e);
            }
          } else {
            for (auto it = model.rbegin(); it != model.rend(); ++it) {
              if (*it == v && (count == 0 || removed < count)) ++removed; else kept.push_front(*it);
            }
          }
          REQUIRE(list.remove(v, count, from_tail) == removed);
          model = kept;
          break;
        }
        default:
          if (!model.empty()) {
            const std::size_t i = rng() % model.size();
            REQUIRE(list.at(i) == model[i]);
          }
      }
      if (step % 97 == 0) require_same(list, model);
    }
    require_same(list, model);
  }
}

TEST_CASE("ListValue visits from an index in both directions", "[list]") {
  ListValue list(3);
  for (int i = 0; i < 20; ++i) list.push_back(std::to_string(i));
  std::vector<std::string> seen;
  list.visit(5, false, [&](std::string_view v) {
    seen.emplace_back(v);
    return seen.size() < 3;
  });
  REQUIRE(seen == std::vector<std::string>{"5", "6", "7"});
  seen.clear();
  list.visit(2, true, [&](std::string_view v) {
    seen.emplace_back(v);
    return seen.size() < 4;
  });
  REQUIRE(seen == std::vector<std::string>{"17", "16", "15", "14"});
}

TEST_CASE("ListValue nodes respect their byte limit and clone deeply", "[list]") {
  ListValue list(-1);  // 4 KiB nodes
  const std::string item(16, 'x');
  for (int i = 0; i < 10000; ++i) list.push_back(item);
  // 18 bytes an entry, 4 KiB nodes: about 230 entries a node, a little slack per node.
  REQUIRE(list.bytes() < 10000 * 18 * 11 / 10 + 4096);
  REQUIRE(list.bytes() == list.recount_bytes());
  auto copy = list.clone();
  auto* copied = static_cast<ListValue*>(copy.get());
  REQUIRE(copied->size() == 10000);
  REQUIRE(copied->bytes() == copied->recount_bytes());
  list.pop_front();
  copied->push_back("y");
  REQUIRE(copied->at(10000) == "y");
  REQUIRE(copied->at(0) == item);
  REQUIRE(list.size() == 9999);
}
