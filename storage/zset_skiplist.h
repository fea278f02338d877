// ZSetSkiplist: a large sorted set, as Redis's skiplist encoding: a skiplist ordered by (score,
// member) whose links carry spans, so that a rank is found in O(log n), plus a member → node
// hash table for O(1) ZSCORE. A node is one allocation holding its score, links and member
// bytes, and is also the hash table's chain link (no separate hash entries).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace shardcache::storage {

class ZSetSkiplist {
 public:
  static constexpr int kMaxLevel = 32;

  struct Node;
  struct Link {
    Node* forward;
    std::size_t span;  // ranks crossed by following `forward`
  };
  struct Node {
    double score;
    Node* backward;
    Node* hash_next;
    std::uint32_t member_len;
    std::uint8_t height;
    Link* links() { return reinterpret_cast<Link*>(this + 1); }
    const Link* links() const { return reinterpret_cast<const Link*>(this + 1); }
    std::string_view member() const {
      return {reinterpret_cast<const char*>(links() + height), member_len};
    }
    Node* next() const { return links()[0].forward; }
  };

  ZSetSkiplist();
  ~ZSetSkiplist();
  ZSetSkiplist(const ZSetSkiplist&) = delete;
  ZSetSkiplist& operator=(const ZSetSkiplist&) = delete;

  std::size_t size() const { return length_; }
  // Every byte held: nodes, header, bucket array, this object.
  std::size_t heap_bytes() const { return bytes_; }

  // heap_bytes() recomputed from scratch by walking every node (tests check the running count).
  std::size_t recount_bytes() const;

  const Node* find(std::string_view member) const;
  // Inserts a member known to be absent.
  void insert(std::string_view member, double score);
  // Gives a present member another score, in place when its rank does not change.
  void update_score(const Node* node, double score);
  // Removes the member; false if absent.
  bool erase(std::string_view member);
  // Removes the nodes of ranks [start, end).
  void erase_ranks(std::size_t start, std::size_t end);
  // The 0-based rank of a present member.
  std::size_t rank_of(const Node* node) const;
  // The node of 0-based rank `rank` (< size()).
  const Node* node_at(std::size_t rank) const;
  const Node* first() const { return header_->links()[0].forward; }
  const Node* last() const { return tail_; }

  // The number of leading nodes for which `pred(member, score)` holds; pred must hold for a
  // prefix of the order and fail after it.
  // Visits the nodes of the hash bucket `cursor` points at and returns the next cursor (0 when
  // done): Redis's reverse-binary cursor, which returns every member present for a whole scan
  // at least once even when the table is resized between calls.
  template <class Fn>
  std::uint64_t scan(std::uint64_t cursor, Fn fn) const {
    const std::uint64_t mask = buckets_.size() - 1;
    for (const Node* n = buckets_[cursor & mask]; n != nullptr; n = n->hash_next) fn(n);
    cursor |= ~mask;
    cursor = reverse_bits(cursor);
    ++cursor;
    return reverse_bits(cursor);
  }

  template <class Pred>
  std::size_t count_while(Pred pred) const {
    const Node* x = header_;
    std::size_t rank = 0;
    for (int i = level_ - 1; i >= 0; --i) {
      while (x->links()[i].forward != nullptr &&
             pred(x->links()[i].forward->member(), x->links()[i].forward->score)) {
        rank += x->links()[i].span;
        x = x->links()[i].forward;
      }
    }
    return rank;
  }

 private:
  static std::uint64_t reverse_bits(std::uint64_t v) {
    v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
    v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
    v = ((v >> 4) & 0x0f0f0f0f0f0f0f0full) | ((v & 0x0f0f0f0f0f0f0f0full) << 4);
    return __builtin_bswap64(v);
  }
  Node* make_node(int height, std::string_view member, double score);
  void free_node(Node* node);
  // Fills `update` with the rightmost node before (score, member) at each level.
  void find_update(double score, std::string_view member, Node** update) const;
  // Takes `x` out of the skiplist (not out of the member hash).
  void unlink(Node* x, Node** update);
  // Puts an unlinked node (its score set, its height kept) at its place in the skiplist.
  void link(Node* node);
  void hash_insert(Node* node);
  void hash_remove(const Node* node);
  void rehash(std::size_t buckets);
  std::size_t bucket_of(std::string_view member) const;

  Node* header_ = nullptr;
  Node* tail_ = nullptr;
  std::size_t length_ = 0;
  int level_ = 1;
  std::vector<Node*> buckets_;  // a power of two; chains through Node::hash_next
  std::size_t bytes_ = 0;
};

}  // namespace shardcache::storage
