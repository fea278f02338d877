// ZSetValue: the sorted-set container. A listpack (ZSetListpack) while it holds at most
// zset-max-listpack-entries members of at most zset-max-listpack-value bytes, a skiplist with a
// member hash (ZSetSkiplist) after, converting one way as Redis does.
//
// Commands see it through ranks: 0 is the lowest (score, member). Range commands turn their
// score or lex bounds into a rank interval with count_while(), then visit() or erase_ranks() it.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>

#include "storage/container.h"
#include "storage/zset_listpack.h"
#include "storage/zset_skiplist.h"

namespace shardcache::storage {

class ZSetValue final : public Container {
 public:
  static constexpr ValueType kType = ValueType::kZSet;

  ZSetValue() = default;
  // An empty set that starts as a skiplist (Redis: zset-max-listpack-entries is 0, or the
  // first member is longer than zset-max-listpack-value).
  static std::unique_ptr<ZSetValue> make_skiplist();
  // An empty set in the encoding Redis picks for a set about to hold `count` members of at most
  // `longest` bytes.
  static std::unique_ptr<ZSetValue> make_for(std::size_t count, std::size_t longest,
                                             const EncodingLimits& limits);

  ValueType type() const override { return kType; }
  Encoding encoding() const override {
    return skiplist_ ? Encoding::kSkiplist : Encoding::kListpack;
  }
  std::size_t size() const override { return skiplist_ ? skiplist_->size() : listpack_.size(); }
  std::size_t bytes() const override;
  std::unique_ptr<Container> clone() const override;

 private:
  explicit ZSetValue(const ZSetListpack& listpack) : listpack_(listpack) {}

 public:

  std::optional<double> score(std::string_view member) const;
  // The member's 0-based rank in ascending order, or nullopt.
  std::optional<std::size_t> rank(std::string_view member) const;
  // Adds the member or changes its score. Converts to a skiplist first when a new member would
  // pass the limits. Returns true when the member is new.
  bool set(std::string_view member, double score, const EncodingLimits& limits);
  // Removes the member; false if absent.
  bool remove(std::string_view member);
  // Removes ranks [start, end).
  void erase_ranks(std::size_t start, std::size_t end);
  // Converts a listpack to a skiplist (nothing if it is one).
  void convert_to_skiplist();

  // The skiplist, for a cursor scan of its hash; nullptr while a listpack.
  const ZSetSkiplist* skiplist() const { return skiplist_.get(); }

  // The number of leading members for which pred(member, score) holds (a prefix of the order).
  template <class Pred>
  std::size_t count_while(Pred pred) const {
    if (skiplist_) return skiplist_->count_while(pred);
    std::size_t count = 0;
    for (std::size_t at = 0; at < listpack_.end_offset(); ++count) {
      const ZSetListpack::Item item = listpack_.at(at);
      if (!pred(item.member, item.score)) break;
      at = item.next;
    }
    return count;
  }

  // Calls fn(member, score) for ranks [start, end), from end - 1 down when `reverse`. fn returns
  // false to stop early. The views are valid during the call only if fn changes nothing.
  template <class Fn>
  void visit(std::size_t start, std::size_t end, bool reverse, Fn fn) const {
    if (start >= end) return;
    if (skiplist_) {
      const ZSetSkiplist::Node* node = skiplist_->node_at(reverse ? end - 1 : start);
      for (std::size_t n = end - start; n > 0 && node != nullptr; --n) {
        if (!fn(node->member(), node->score)) return;
        node = reverse ? node->backward : node->next();
      }
      return;
    }
    if (!reverse) {
      std::size_t at = listpack_.offset_of_rank(start);
      for (std::size_t n = end - start; n > 0; --n) {
        const ZSetListpack::Item item = listpack_.at(at);
        if (!fn(item.member, item.score)) return;
        at = item.next;
      }
      return;
    }
    const auto offsets = listpack_.offsets();
    for (std::size_t r = end; r > start; --r) {
      const ZSetListpack::Item item = listpack_.at(offsets[r - 1]);
      if (!fn(item.member, item.score)) return;
    }
  }

 private:
  ZSetListpack listpack_;                  // while skiplist_ is null
  std::unique_ptr<ZSetSkiplist> skiplist_;
};

}  // namespace shardcache::storage
