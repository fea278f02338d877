#include "storage/zset_skiplist.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "storage/key_table.h"

namespace shardcache::storage {
namespace {

constexpr std::size_t kMinBuckets = 16;

// Redis's zslRandomLevel: each level kept with probability 1/4.
int random_level() {
  thread_local std::uint64_t state = 0x9e3779b97f4a7c15ull;
  int level = 1;
  while (level < ZSetSkiplist::kMaxLevel) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    if ((state & 0xffff) >= 0xffff / 4) break;
    ++level;
  }
  return level;
}

bool before(double score_a, std::string_view member_a, double score_b, std::string_view member_b) {
  return score_a < score_b || (score_a == score_b && member_a < member_b);
}

}  // namespace

ZSetSkiplist::ZSetSkiplist() {
  header_ = make_node(kMaxLevel, {}, 0);
  for (int i = 0; i < kMaxLevel; ++i) header_->links()[i] = Link{nullptr, 0};
  header_->backward = nullptr;
  buckets_.assign(kMinBuckets, nullptr);
  bytes_ += sizeof(*this) + buckets_.capacity() * sizeof(Node*);
}

ZSetSkiplist::~ZSetSkiplist() {
  Node* x = header_->links()[0].forward;
  while (x != nullptr) {
    Node* next = x->next();
    std::free(x);
    x = next;
  }
  std::free(header_);
}

ZSetSkiplist::Node* ZSetSkiplist::make_node(int height, std::string_view member, double score) {
  const std::size_t size = sizeof(Node) + height * sizeof(Link) + member.size();
  auto* node = static_cast<Node*>(std::malloc(size));
  if (node == nullptr) throw std::bad_alloc();
  node->score = score;
  node->backward = nullptr;
  node->hash_next = nullptr;
  node->member_len = static_cast<std::uint32_t>(member.size());
  node->height = static_cast<std::uint8_t>(height);
  if (!member.empty()) {
    std::memcpy(reinterpret_cast<char*>(node->links() + height), member.data(), member.size());
  }
  bytes_ += ::malloc_usable_size(node);
  return node;
}

void ZSetSkiplist::free_node(Node* node) {
  bytes_ -= ::malloc_usable_size(node);
  std::free(node);
}

std::size_t ZSetSkiplist::recount_bytes() const {
  std::size_t total = sizeof(*this) + buckets_.capacity() * sizeof(Node*) +
                      ::malloc_usable_size(header_);
  for (const Node* n = first(); n != nullptr; n = n->next()) {
    total += ::malloc_usable_size(const_cast<Node*>(n));
  }
  return total;
}

std::size_t ZSetSkiplist::bucket_of(std::string_view member) const {
  return hash_key(member) & (buckets_.size() - 1);
}

const ZSetSkiplist::Node* ZSetSkiplist::find(std::string_view member) const {
  for (const Node* n = buckets_[bucket_of(member)]; n != nullptr; n = n->hash_next) {
    if (n->member() == member) return n;
  }
  return nullptr;
}

void ZSetSkiplist::hash_insert(Node* node) {
  if (length_ + 1 > buckets_.size()) rehash(buckets_.size() * 2);
  Node*& head = buckets_[bucket_of(node->member())];
  node->hash_next = head;
  head = node;
}

void ZSetSkiplist::hash_remove(const Node* node) {
  for (Node** at = &buckets_[bucket_of(node->member())]; *at != nullptr;
       at = &(*at)->hash_next) {
    if (*at == node) {
      *at = node->hash_next;
      break;
    }
  }
}

void ZSetSkiplist::rehash(std::size_t buckets) {
  std::vector<Node*> old = std::move(buckets_);
  bytes_ -= old.capacity() * sizeof(Node*);
  buckets_.assign(buckets, nullptr);
  bytes_ += buckets_.capacity() * sizeof(Node*);
  for (Node* chain : old) {
    while (chain != nullptr) {
      Node* next = chain->hash_next;
      Node*& head = buckets_[bucket_of(chain->member())];
      chain->hash_next = head;
      head = chain;
      chain = next;
    }
  }
}

void ZSetSkiplist::find_update(double score, std::string_view member, Node** update) const {
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->links()[i].forward != nullptr &&
           before(x->links()[i].forward->score, x->links()[i].forward->member(), score, member)) {
      x = x->links()[i].forward;
    }
    update[i] = x;
  }
}

void ZSetSkiplist::insert(std::string_view member, double score) {
  Node* node = make_node(random_level(), member, score);
  link(node);
  hash_insert(node);
}

void ZSetSkiplist::link(Node* node) {
  const double score = node->score;
  const std::string_view member = node->member();
  Node* update[kMaxLevel];
  std::size_t rank[kMaxLevel];
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    while (x->links()[i].forward != nullptr &&
           before(x->links()[i].forward->score, x->links()[i].forward->member(), score, member)) {
      rank[i] += x->links()[i].span;
      x = x->links()[i].forward;
    }
    update[i] = x;
  }
  const int height = node->height;
  if (height > level_) {
    for (int i = level_; i < height; ++i) {
      rank[i] = 0;
      update[i] = header_;
      update[i]->links()[i].span = length_;
    }
    level_ = height;
  }
  x = node;
  for (int i = 0; i < height; ++i) {
    x->links()[i].forward = update[i]->links()[i].forward;
    update[i]->links()[i].forward = x;
    x->links()[i].span = update[i]->links()[i].span - (rank[0] - rank[i]);
    update[i]->links()[i].span = rank[0] - rank[i] + 1;
  }
  for (int i = height; i < level_; ++i) update[i]->links()[i].span++;
  x->backward = update[0] == header_ ? nullptr : update[0];
  if (x->links()[0].forward != nullptr) {
    x->links()[0].forward->backward = x;
  } else {
    tail_ = x;
  }
  ++length_;
}

void ZSetSkiplist::update_score(const Node* found, double score) {
  Node* x = const_cast<Node*>(found);
  const std::string_view member = x->member();
  // Still between its neighbours: only the score changes (Redis's zslUpdateScore).
  const Node* prev = x->backward;
  const Node* next = x->links()[0].forward;
  if ((prev == nullptr || before(prev->score, prev->member(), score, member)) &&
      (next == nullptr || before(score, member, next->score, next->member()))) {
    x->score = score;
    return;
  }
  // Moved: the same node is unlinked and linked again at its new place; the member hash,
  // which does not depend on the score, is left alone.
  Node* update[kMaxLevel];
  find_update(x->score, member, update);
  unlink(x, update);
  x->score = score;
  link(x);
}

void ZSetSkiplist::unlink(Node* x, Node** update) {
  for (int i = 0; i < level_; ++i) {
    if (update[i]->links()[i].forward == x) {
      update[i]->links()[i].span += x->links()[i].span - 1;
      update[i]->links()[i].forward = x->links()[i].forward;
    } else {
      update[i]->links()[i].span -= 1;
    }
  }
  if (x->links()[0].forward != nullptr) {
    x->links()[0].forward->backward = x->backward;
  } else {
    tail_ = x->backward;
  }
  while (level_ > 1 && header_->links()[level_ - 1].forward == nullptr) --level_;
  --length_;
}

bool ZSetSkiplist::erase(std::string_view member) {
  const Node* found = find(member);
  if (found == nullptr) return false;
  Node* update[kMaxLevel];
  find_update(found->score, member, update);
  Node* x = update[0]->links()[0].forward;
  unlink(x, update);
  hash_remove(x);
  free_node(x);
  if (buckets_.size() > kMinBuckets && length_ < buckets_.size() / 8) {
    rehash(buckets_.size() / 2);
  }
  return true;
}

void ZSetSkiplist::erase_ranks(std::size_t start, std::size_t end) {
  if (start >= end) return;
  Node* update[kMaxLevel];
  Node* x = header_;
  std::size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->links()[i].forward != nullptr && traversed + x->links()[i].span <= start) {
      traversed += x->links()[i].span;
      x = x->links()[i].forward;
    }
    update[i] = x;
  }
  x = x->links()[0].forward;
  for (std::size_t removed = start; x != nullptr && removed < end; ++removed) {
    Node* next = x->next();
    unlink(x, update);
    hash_remove(x);
    free_node(x);
    x = next;
  }
  std::size_t buckets = buckets_.size();
  while (buckets > kMinBuckets && length_ < buckets / 8) buckets /= 2;
  if (buckets != buckets_.size()) rehash(buckets);
}

std::size_t ZSetSkiplist::rank_of(const Node* node) const {
  const Node* x = header_;
  std::size_t rank = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->links()[i].forward != nullptr &&
           !before(node->score, node->member(), x->links()[i].forward->score,
                   x->links()[i].forward->member())) {
      rank += x->links()[i].span;
      x = x->links()[i].forward;
    }
    if (x == node) return rank - 1;
  }
  return rank - 1;
}

const ZSetSkiplist::Node* ZSetSkiplist::node_at(std::size_t rank) const {
  const Node* x = header_;
  std::size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->links()[i].forward != nullptr && traversed + x->links()[i].span <= rank + 1) {
      traversed += x->links()[i].span;
      x = x->links()[i].forward;
    }
    if (traversed == rank + 1) return x;
  }
  return nullptr;
}

}  // namespace shardcache::storage
