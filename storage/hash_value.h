// HashValue: the Container of a hash key (field → value), in one of Redis's two encodings.
//
// listpack: one malloc'd buffer of pairs [varint field_len][field][varint value_len][value], in
//   insertion order (a field updated in place keeps its position, as in Redis's listpack). Lookups
//   scan it; it is only used while small (EncodingLimits::hash_max_listpack_*).
// hashtable: a chained hash table whose nodes are single allocations
//   [HashNode* next][varint field_len][varint value_len][field][value], bucket counts powers of
//   two, resized all at once (doubling past one element per bucket, halving under one in eight).
//   scan() walks it with Redis's reverse-binary cursor, so a field present for a whole HSCAN is
//   returned even if the table was resized between calls.
//
// Conversion is one-way, listpack → hashtable, when a field or value longer than
// hash_max_listpack_value is written, the count passes hash_max_listpack_entries, or the buffer
// would pass 1 GiB (Redis's listpack safety size).
// bytes() is kept up to date on every change (the keyspace reads it after each mutation).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string_view>
#include <utility>

#include "storage/container.h"
#include "storage/varint.h"

namespace shardcache::storage {

class HashValue final : public Container {
 public:
  static constexpr ValueType kType = ValueType::kHash;
  using Pair = std::pair<std::string_view, std::string_view>;

  HashValue() = default;
  HashValue(const HashValue& other);
  HashValue& operator=(const HashValue&) = delete;
  ~HashValue() override;

  ValueType type() const override { return kType; }
  Encoding encoding() const override { return table_ ? Encoding::kHashtable : Encoding::kListpack; }
  std::size_t size() const override { return count_; }
  std::size_t bytes() const override { return sizeof(HashValue) + heap_bytes_; }
  std::unique_ptr<Container> clone() const override;
  // bytes() computed from scratch by visiting every allocation (O(n); for tests).
  std::size_t recount_bytes() const;

  // The value of `field`; the view is valid until the next change.
  std::optional<std::string_view> get(std::string_view field) const;
  bool contains(std::string_view field) const { return get(field).has_value(); }
  // Sets `field` to `value`; returns true when the field is new. Converts to hashtable first when
  // either is longer than the limit, after when the count passes it.
  bool set(std::string_view field, std::string_view value, const EncodingLimits& limits);
  // Removes `field`; returns whether it was there. A hashtable stays a hashtable.
  bool remove(std::string_view field);
  // Redis's hashTypeTryConversion: converts to hashtable when any of `strings` (the fields and
  // values a command is about to write) is longer than the limit, before anything is written.
  void convert_for(std::span<const std::string_view> strings, const EncodingLimits& limits);
  void convert_to_hashtable();

  // Calls f(field, value) for every pair: in insertion order for a listpack, in table order
  // for a hashtable. The views are valid until the next change; f must not change the hash.
  template <class F>
  void for_each(F&& f) const;
  // The pair at position `index` (< size()) of a listpack: O(index).
  Pair listpack_pair_at(std::size_t index) const;
  // A uniformly chosen pair of a non-empty hash.
  Pair random_pair(std::mt19937_64& rng) const;
  // Hashtable only: calls f(field, value) for the pairs of the bucket `cursor` designates and
  // returns the next cursor (0 when the scan is complete), as Redis's dictScan.
  template <class F>
  std::uint64_t scan(std::uint64_t cursor, F&& f) const;

 private:
  // A hashtable node; its lengths and bytes follow the struct in the same allocation.
  struct Node {
    Node* next;
  };
  struct Table {
    Node** buckets;
    std::size_t mask;  // bucket count - 1
  };

  // Decodes the pair at `p` of a listpack; returns the position after it.
  static const char* read_pair(const char* p, Pair& pair) {
    std::size_t len;
    p = get_varint(p, len);
    pair.first = std::string_view(p, len);
    p = get_varint(p + len, len);
    pair.second = std::string_view(p, len);
    return p + len;
  }
  static Pair node_pair(const Node* node) {
    std::size_t field_len, value_len;
    const char* p = reinterpret_cast<const char*>(node + 1);
    p = get_varint(p, field_len);
    p = get_varint(p, value_len);
    return {std::string_view(p, field_len), std::string_view(p + field_len, value_len)};
  }
  static std::uint64_t reverse_bits(std::uint64_t v) {
    v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
    v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
    v = ((v >> 4) & 0x0f0f0f0f0f0f0f0full) | ((v & 0x0f0f0f0f0f0f0f0full) << 4);
    return __builtin_bswap64(v);
  }
  static Node* make_node(std::string_view field, std::string_view value);

  // Listpack: the offset of `field`'s pair, or npos.
  std::size_t lp_find(std::string_view field) const;
  bool lp_set(std::string_view field, std::string_view value);
  // Replaces bytes [at, at + old_len) of the listpack with `len` bytes to be written by the
  // caller; returns where to write them.
  char* lp_splice(std::size_t at, std::size_t old_len, std::size_t len);

  // Hashtable: the link that points at `field`'s node (or the null link ending its chain).
  Node** ht_link(std::string_view field) const;
  bool ht_set(std::string_view field, std::string_view value);
  void ht_resize(std::size_t buckets);
  void ht_free();

  void account(std::size_t freed, std::size_t allocated) { heap_bytes_ += allocated - freed; }

  char* lp_ = nullptr;  // listpack bytes (nullptr while empty)
  std::uint32_t lp_len_ = 0;
  std::uint32_t count_ = 0;
  Table* table_ = nullptr;  // set once converted to hashtable
  std::size_t heap_bytes_ = 0;  // usable bytes of every allocation owned (listpack or table)
};

template <class F>
void HashValue::for_each(F&& f) const {
  if (table_ == nullptr) {
    const char* p = lp_;
    const char* end = lp_ + lp_len_;
    Pair pair;
    while (p < end) {
      p = read_pair(p, pair);
      f(pair.first, pair.second);
    }
    return;
  }
  for (std::size_t b = 0; b <= table_->mask; ++b) {
    for (const Node* n = table_->buckets[b]; n != nullptr; n = n->next) {
      const Pair pair = node_pair(n);
      f(pair.first, pair.second);
    }
  }
}

template <class F>
std::uint64_t HashValue::scan(std::uint64_t cursor, F&& f) const {
  const std::uint64_t mask = table_->mask;
  for (const Node* n = table_->buckets[cursor & mask]; n != nullptr; n = n->next) {
    const Pair pair = node_pair(n);
    f(pair.first, pair.second);
  }
  // Increment the reversed cursor over the mask's bits (dictScan).
  cursor |= ~mask;
  cursor = reverse_bits(cursor);
  ++cursor;
  return reverse_bits(cursor);
}

}  // namespace shardcache::storage
