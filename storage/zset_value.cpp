#include "storage/zset_value.h"

#include <malloc.h>

namespace shardcache::storage {

std::unique_ptr<ZSetValue> ZSetValue::make_skiplist() {
  auto value = std::make_unique<ZSetValue>();
  value->skiplist_ = std::make_unique<ZSetSkiplist>();
  return value;
}

std::unique_ptr<ZSetValue> ZSetValue::make_for(std::size_t count, std::size_t longest,
                                               const EncodingLimits& limits) {
  if (count > limits.zset_max_listpack_entries || longest > limits.zset_max_listpack_value) {
    return make_skiplist();
  }
  return std::make_unique<ZSetValue>();
}

std::size_t ZSetValue::bytes() const {
  // This object is malloc'd by make_unique; its usable size is fixed for its lifetime.
  return sizeof(ZSetValue) + (skiplist_ ? skiplist_->heap_bytes() : listpack_.heap_bytes());
}

std::unique_ptr<Container> ZSetValue::clone() const {
  if (!skiplist_) {
    return std::unique_ptr<ZSetValue>(new ZSetValue(listpack_));
  }
  auto copy = make_skiplist();
  for (const ZSetSkiplist::Node* n = skiplist_->first(); n != nullptr; n = n->next()) {
    copy->skiplist_->insert(n->member(), n->score);
  }
  return copy;
}

std::optional<double> ZSetValue::score(std::string_view member) const {
  if (skiplist_) {
    const ZSetSkiplist::Node* node = skiplist_->find(member);
    if (node == nullptr) return std::nullopt;
    return node->score;
  }
  const std::size_t at = listpack_.find(member);
  if (at == ZSetListpack::npos) return std::nullopt;
  return listpack_.at(at).score;
}

std::optional<std::size_t> ZSetValue::rank(std::string_view member) const {
  if (skiplist_) {
    const ZSetSkiplist::Node* node = skiplist_->find(member);
    if (node == nullptr) return std::nullopt;
    return skiplist_->rank_of(node);
  }
  std::size_t rank = 0;
  for (std::size_t at = 0; at < listpack_.end_offset(); ++rank) {
    const ZSetListpack::Item item = listpack_.at(at);
    if (item.member == member) return rank;
    at = item.next;
  }
  return std::nullopt;
}

bool ZSetValue::set(std::string_view member, double score, const EncodingLimits& limits) {
  if (skiplist_) {
    const ZSetSkiplist::Node* node = skiplist_->find(member);
    if (node != nullptr) {
      if (node->score == score) return false;
      skiplist_->update_score(node, score);
      return false;
    }
    skiplist_->insert(member, score);
    return true;
  }
  const std::size_t at = listpack_.find(member);
  if (at != ZSetListpack::npos) {
    if (listpack_.at(at).score == score) return false;
    listpack_.erase_at(at);
    listpack_.insert(member, score);
    return false;
  }
  if (listpack_.size() + 1 > limits.zset_max_listpack_entries ||
      member.size() > limits.zset_max_listpack_value) {
    convert_to_skiplist();
    skiplist_->insert(member, score);
    return true;
  }
  listpack_.insert(member, score);
  return true;
}

bool ZSetValue::remove(std::string_view member) {
  if (skiplist_) return skiplist_->erase(member);
  const std::size_t at = listpack_.find(member);
  if (at == ZSetListpack::npos) return false;
  listpack_.erase_at(at);
  return true;
}

void ZSetValue::erase_ranks(std::size_t start, std::size_t end) {
  if (skiplist_) {
    skiplist_->erase_ranks(start, end);
  } else {
    listpack_.erase_ranks(start, end);
  }
}

void ZSetValue::convert_to_skiplist() {
  if (skiplist_) return;
  auto skiplist = std::make_unique<ZSetSkiplist>();
  for (std::size_t at = 0; at < listpack_.end_offset();) {
    const ZSetListpack::Item item = listpack_.at(at);
    skiplist->insert(item.member, item.score);
    at = item.next;
  }
  listpack_.erase_ranks(0, listpack_.size());
  skiplist_ = std::move(skiplist);
}

}  // namespace shardcache::storage
