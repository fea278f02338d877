#include "storage/hash_value.h"

#include <malloc.h>

#include <bit>
#include <cstdlib>
#include <cstring>
#include <new>

#include "storage/key_table.h"

namespace shardcache::storage {
namespace {

constexpr std::size_t kMinBuckets = 4;
// Redis's LISTPACK_MAX_SAFETY_SIZE: a listpack that would grow past it converts (whatever the
// configured limits), which also keeps its length within HashValue's 32-bit lp_len_.
constexpr std::size_t kMaxListpackBytes = std::size_t{1} << 30;

void* checked_malloc(std::size_t n) {
  void* p = std::malloc(n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

std::size_t usable(const void* p) {
  return p == nullptr ? 0 : ::malloc_usable_size(const_cast<void*>(p));
}

}  // namespace

HashValue::HashValue(const HashValue& other) : Container() {
  count_ = other.count_;
  if (other.table_ == nullptr) {
    if (other.lp_len_ != 0) {
      lp_ = static_cast<char*>(checked_malloc(other.lp_len_));
      std::memcpy(lp_, other.lp_, other.lp_len_);
      lp_len_ = other.lp_len_;
      heap_bytes_ = usable(lp_);
    }
    return;
  }
  const std::size_t buckets = other.table_->mask + 1;
  table_ = static_cast<Table*>(checked_malloc(sizeof(Table)));
  table_->buckets = static_cast<Node**>(std::calloc(buckets, sizeof(Node*)));
  if (table_->buckets == nullptr) throw std::bad_alloc();
  table_->mask = other.table_->mask;
  heap_bytes_ = usable(table_) + usable(table_->buckets);
  for (std::size_t b = 0; b < buckets; ++b) {
    for (const Node* n = other.table_->buckets[b]; n != nullptr; n = n->next) {
      const Pair pair = node_pair(n);
      Node* copy = make_node(pair.first, pair.second);
      copy->next = table_->buckets[b];
      table_->buckets[b] = copy;
      heap_bytes_ += usable(copy);
    }
  }
}

HashValue::~HashValue() {
  std::free(lp_);
  ht_free();
}

std::unique_ptr<Container> HashValue::clone() const { return std::make_unique<HashValue>(*this); }

std::size_t HashValue::recount_bytes() const {
  std::size_t total = sizeof(HashValue) + usable(lp_);
  if (table_ != nullptr) {
    total += usable(table_) + usable(table_->buckets);
    for (std::size_t b = 0; b <= table_->mask; ++b) {
      for (const Node* n = table_->buckets[b]; n != nullptr; n = n->next) total += usable(n);
    }
  }
  return total;
}

std::optional<std::string_view> HashValue::get(std::string_view field) const {
  if (table_ != nullptr) {
    const Node* node = *ht_link(field);
    if (node == nullptr) return std::nullopt;
    return node_pair(node).second;
  }
  const std::size_t at = lp_find(field);
  if (at == std::string_view::npos) return std::nullopt;
  Pair pair;
  read_pair(lp_ + at, pair);
  return pair.second;
}

bool HashValue::set(std::string_view field, std::string_view value,
                    const EncodingLimits& limits) {
  if (table_ == nullptr && (field.size() > limits.hash_max_listpack_value ||
                            value.size() > limits.hash_max_listpack_value ||
                            lp_len_ + field.size() + value.size() + 20 > kMaxListpackBytes)) {
    convert_to_hashtable();
  }
  if (table_ != nullptr) return ht_set(field, value);
  const bool added = lp_set(field, value);
  if (count_ > limits.hash_max_listpack_entries) convert_to_hashtable();
  return added;
}

bool HashValue::remove(std::string_view field) {
  if (table_ == nullptr) {
    const std::size_t at = lp_find(field);
    if (at == std::string_view::npos) return false;
    Pair pair;
    const char* end = read_pair(lp_ + at, pair);
    lp_splice(at, static_cast<std::size_t>(end - (lp_ + at)), 0);
    --count_;
    return true;
  }
  Node** link = ht_link(field);
  Node* node = *link;
  if (node == nullptr) return false;
  *link = node->next;
  account(usable(node), 0);
  std::free(node);
  --count_;
  const std::size_t buckets = table_->mask + 1;
  if (buckets > kMinBuckets && count_ < buckets / 8) ht_resize(count_);
  return true;
}

void HashValue::convert_for(std::span<const std::string_view> strings,
                            const EncodingLimits& limits) {
  if (table_ != nullptr) return;
  for (std::string_view s : strings) {
    if (s.size() > limits.hash_max_listpack_value) {
      convert_to_hashtable();
      return;
    }
  }
}

void HashValue::convert_to_hashtable() {
  if (table_ != nullptr) return;
  table_ = static_cast<Table*>(checked_malloc(sizeof(Table)));
  table_->buckets = nullptr;
  table_->mask = 0;
  account(0, usable(table_));
  char* old = lp_;
  const std::size_t old_len = lp_len_;
  const std::uint32_t count = count_;
  lp_ = nullptr;
  lp_len_ = 0;
  ht_resize(count);
  const char* p = old;
  Pair pair;
  while (p < old + old_len) {
    p = read_pair(p, pair);
    Node* node = make_node(pair.first, pair.second);
    Node*& head = table_->buckets[hash_key(pair.first) & table_->mask];
    node->next = head;
    head = node;
    account(0, usable(node));
  }
  account(usable(old), 0);
  std::free(old);
}

HashValue::Pair HashValue::listpack_pair_at(std::size_t index) const {
  const char* p = lp_;
  Pair pair;
  for (std::size_t i = 0; i <= index; ++i) p = read_pair(p, pair);
  return pair;
}

HashValue::Pair HashValue::random_pair(std::mt19937_64& rng) const {
  if (table_ == nullptr) return listpack_pair_at(rng() % count_);
  // A random non-empty bucket, then a random node of its chain (chains are short: the table
  // keeps at least one field per eight buckets).
  for (;;) {
    const Node* head = table_->buckets[rng() & table_->mask];
    if (head == nullptr) continue;
    std::size_t length = 0;
    for (const Node* n = head; n != nullptr; n = n->next) ++length;
    std::size_t pick = rng() % length;
    while (pick-- > 0) head = head->next;
    return node_pair(head);
  }
}

std::size_t HashValue::lp_find(std::string_view field) const {
  const char* p = lp_;
  const char* end = lp_ + lp_len_;
  while (p < end) {
    std::size_t len;
    const char* f = get_varint(p, len);
    if (len == field.size() && std::memcmp(f, field.data(), len) == 0) {
      return static_cast<std::size_t>(p - lp_);
    }
    std::size_t value_len;
    const char* v = get_varint(f + len, value_len);
    p = v + value_len;
  }
  return std::string_view::npos;
}

char* HashValue::lp_splice(std::size_t at, std::size_t old_len, std::size_t len) {
  const std::size_t total = lp_len_ - old_len + len;
  const std::size_t tail = lp_len_ - at - old_len;
  const std::size_t before = usable(lp_);
  if (total == 0) {
    std::free(lp_);
    lp_ = nullptr;
  } else if (len > old_len) {
    char* grown = static_cast<char*>(std::realloc(lp_, total));
    if (grown == nullptr) throw std::bad_alloc();
    lp_ = grown;
    std::memmove(lp_ + at + len, lp_ + at + old_len, tail);
  } else if (len < old_len) {
    std::memmove(lp_ + at + len, lp_ + at + old_len, tail);
    // Shrinking in place never fails; keep the old block if realloc says otherwise.
    if (char* shrunk = static_cast<char*>(std::realloc(lp_, total))) lp_ = shrunk;
  }
  lp_len_ = total;
  account(before, usable(lp_));
  return lp_ + at;
}

bool HashValue::lp_set(std::string_view field, std::string_view value) {
  const std::size_t at = lp_find(field);
  const std::size_t value_size = varint_size(value.size()) + value.size();
  if (at != std::string_view::npos) {
    Pair old;
    const char* end = read_pair(lp_ + at, old);
    const auto value_at = static_cast<std::size_t>(old.second.data() - lp_) -
                          varint_size(old.second.size());
    const auto old_size = static_cast<std::size_t>(end - lp_) - value_at;
    char* out = lp_splice(value_at, old_size, value_size);
    std::memcpy(put_varint(out, value.size()), value.data(), value.size());
    return false;
  }
  const std::size_t field_size = varint_size(field.size()) + field.size();
  char* out = lp_splice(lp_len_, 0, field_size + value_size);
  out = put_varint(out, field.size());
  std::memcpy(out, field.data(), field.size());
  out = put_varint(out + field.size(), value.size());
  std::memcpy(out, value.data(), value.size());
  ++count_;
  return true;
}

HashValue::Node* HashValue::make_node(std::string_view field, std::string_view value) {
  const std::size_t size = sizeof(Node) + varint_size(field.size()) +
                           varint_size(value.size()) + field.size() + value.size();
  auto* node = static_cast<Node*>(checked_malloc(size));
  node->next = nullptr;
  char* p = put_varint(reinterpret_cast<char*>(node + 1), field.size());
  p = put_varint(p, value.size());
  std::memcpy(p, field.data(), field.size());
  std::memcpy(p + field.size(), value.data(), value.size());
  return node;
}

HashValue::Node** HashValue::ht_link(std::string_view field) const {
  Node** link = &table_->buckets[hash_key(field) & table_->mask];
  while (*link != nullptr && node_pair(*link).first != field) link = &(*link)->next;
  return link;
}

bool HashValue::ht_set(std::string_view field, std::string_view value) {
  Node** link = ht_link(field);
  Node* old = *link;
  if (old != nullptr) {
    const Pair pair = node_pair(old);
    if (pair.second.size() == value.size()) {
      std::memcpy(const_cast<char*>(pair.second.data()), value.data(), value.size());
      return false;
    }
    Node* node = make_node(field, value);
    node->next = old->next;
    *link = node;
    account(usable(old), usable(node));
    std::free(old);
    return false;
  }
  Node* node = make_node(field, value);
  *link = node;  // the end of the chain
  account(0, usable(node));
  ++count_;
  if (count_ > table_->mask + 1) ht_resize(count_);
  return true;
}

void HashValue::ht_resize(std::size_t fields) {
  const std::size_t buckets = std::bit_ceil(std::max(fields, kMinBuckets));
  auto* slots = static_cast<Node**>(std::calloc(buckets, sizeof(Node*)));
  if (slots == nullptr) throw std::bad_alloc();
  Node** old = table_->buckets;
  const std::size_t old_buckets = old == nullptr ? 0 : table_->mask + 1;
  for (std::size_t b = 0; b < old_buckets; ++b) {
    for (Node* n = old[b]; n != nullptr;) {
      Node* next = n->next;
      Node*& head = slots[hash_key(node_pair(n).first) & (buckets - 1)];
      n->next = head;
      head = n;
      n = next;
    }
  }
  account(usable(old), usable(slots));
  std::free(old);
  table_->buckets = slots;
  table_->mask = buckets - 1;
}

void HashValue::ht_free() {
  if (table_ == nullptr) return;
  for (std::size_t b = 0; b <= table_->mask && table_->buckets != nullptr; ++b) {
    for (Node* n = table_->buckets[b]; n != nullptr;) {
      Node* next = n->next;
      std::free(n);
      n = next;
    }
  }
  std::free(table_->buckets);
  std::free(table_);
  table_ = nullptr;
}

}  // namespace shardcache::storage
