#include "storage/list_value.h"
#include "storage/varint.h"

#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace shardcache::storage {
namespace {

// Redis's SIZE_SAFETY_LIMIT: a count-limited node still stops growing at 8 KiB.
constexpr std::size_t kSafetyLimit = 8192;
constexpr std::size_t kMinAllocation = 64;

std::size_t node_byte_limit(int fill) {
  if (fill >= 0) return kSafetyLimit;
  const int level = std::min(-fill, 5);
  return std::size_t{4096} << (level - 1);
}

// Allocation sizes grow in steps of 1x and 1.5x powers of two, as an allocator's size classes.
std::size_t size_class(std::size_t need) {
  if (need <= kMinAllocation) return kMinAllocation;
  std::size_t p = kMinAllocation;
  while (p < need) p <<= 1;
  const std::size_t three_quarters = p / 4 * 3;
  return need <= three_quarters ? three_quarters : p;
}

std::size_t usable(void* block) { return ::malloc_usable_size(block); }

}  // namespace

ListValue::ListValue(int fill) : bytes_(sizeof(ListValue)), fill_(fill) {}

ListValue::~ListValue() { free_all(); }

void ListValue::free_all() {
  for (Node* node = head_; node != nullptr;) {
    Node* next = node->next;
    std::free(node);
    node = next;
  }
  head_ = tail_ = nullptr;
  size_ = 0;
  bytes_ = sizeof(ListValue);
}

void ListValue::take(ListValue& other) {
  free_all();
  head_ = std::exchange(other.head_, nullptr);
  tail_ = std::exchange(other.tail_, nullptr);
  size_ = std::exchange(other.size_, 0);
  bytes_ = std::exchange(other.bytes_, sizeof(ListValue));
}

std::unique_ptr<Container> ListValue::clone() const {
  auto copy = std::make_unique<ListValue>(fill_);
  for (const Node* node = head_; node != nullptr; node = node->next) {
    const std::size_t total = sizeof(Node) + node->used;
    auto* dup = static_cast<Node*>(std::malloc(total));
    if (dup == nullptr) throw std::bad_alloc();
    std::memcpy(static_cast<void*>(dup), node, total);
    dup->capacity = static_cast<std::uint32_t>(node->used);
    copy->bytes_ += usable(dup);
    copy->link_back(dup);
  }
  copy->size_ = size_;
  return copy;
}

// --- entry coding ---

std::size_t ListValue::encoded_size(std::size_t length) {
  const std::size_t front = varint_size(length) + length;
  return front + varint_size(front);
}

void ListValue::encode(char* out, std::string_view value) {
  std::size_t length = value.size();
  char* p = out;
  while (length >= 0x80) {
    *p++ = static_cast<char>((length & 0x7f) | 0x80);
    length >>= 7;
  }
  *p++ = static_cast<char>(length);
  std::memcpy(p, value.data(), value.size());
  p += value.size();
  const std::size_t front = static_cast<std::size_t>(p - out);
  const std::size_t k = varint_size(front);
  for (std::size_t i = 0; i < k; ++i) {
    p[k - 1 - i] = static_cast<char>(((front >> (7 * i)) & 0x7f) | (i + 1 < k ? 0x80 : 0));
  }
}

std::string_view ListValue::decode(const char* p, std::size_t* size) {
  std::size_t length = 0;
  int shift = 0;
  const char* q = p;
  for (;;) {
    const auto byte = static_cast<unsigned char>(*q++);
    length |= static_cast<std::size_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
    shift += 7;
  }
  const std::size_t front = static_cast<std::size_t>(q - p) + length;
  *size = front + varint_size(front);
  return {q, length};
}

const char* ListValue::entry_before(const char* end) {
  std::size_t front = 0;
  std::size_t k = 0;
  for (;;) {
    const auto byte = static_cast<unsigned char>(*(end - 1 - k));
    front |= static_cast<std::size_t>(byte & 0x7f) << (7 * k);
    ++k;
    if ((byte & 0x80) == 0) break;
  }
  return end - k - front;
}

// --- nodes ---

bool ListValue::node_accepts(const Node* node, std::size_t entry_size) const {
  if (node == nullptr) return false;
  if (node->count == 0) return true;
  if (node->used + entry_size > node_byte_limit(fill_)) return false;
  return fill_ < 0 || node->count < static_cast<std::uint32_t>(std::max(fill_, 1));
}

ListValue::Node* ListValue::new_node(std::size_t entry_bytes) {
  const std::size_t total = size_class(sizeof(Node) + entry_bytes);
  auto* node = static_cast<Node*>(std::malloc(total));
  if (node == nullptr) throw std::bad_alloc();
  node->prev = node->next = nullptr;
  node->used = 0;
  node->capacity = static_cast<std::uint32_t>(total - sizeof(Node));
  node->count = 0;
  bytes_ += usable(node);
  return node;
}

ListValue::Node* ListValue::reserve(Node* node, std::size_t extra) {
  const std::size_t need = node->used + extra;
  if (need <= node->capacity) return node;
  // Grow by size class, but never past the node's limit when the entries fit within it: a full
  // node is then exactly its limit.
  std::size_t total = size_class(sizeof(Node) + need);
  const std::size_t limit = sizeof(Node) + std::max(node_byte_limit(fill_), need);
  total = std::min(total, limit);
  const std::size_t before = usable(node);
  auto* moved = static_cast<Node*>(std::realloc(node, total));
  if (moved == nullptr) throw std::bad_alloc();
  moved->capacity = static_cast<std::uint32_t>(total - sizeof(Node));
  bytes_ = bytes_ - before + usable(moved);
  relink(node, moved);
  return moved;
}

ListValue::Node* ListValue::shrink(Node* node) {
  if (node->capacity <= 4 * node->used || node->capacity + sizeof(Node) <= kMinAllocation) {
    return node;
  }
  const std::size_t total = size_class(sizeof(Node) + node->used * 2);
  if (total - sizeof(Node) >= node->capacity) return node;
  const std::size_t before = usable(node);
  auto* moved = static_cast<Node*>(std::realloc(node, total));
  if (moved == nullptr) return node;  // keeping the larger block is harmless
  moved->capacity = static_cast<std::uint32_t>(total - sizeof(Node));
  bytes_ = bytes_ - before + usable(moved);
  relink(node, moved);
  return moved;
}

void ListValue::relink(Node* old_node, Node* moved) {
  if (old_node == moved) return;
  if (moved->prev != nullptr) moved->prev->next = moved; else head_ = moved;
  if (moved->next != nullptr) moved->next->prev = moved; else tail_ = moved;
}

void ListValue::link_front(Node* node) {
  node->prev = nullptr;
  node->next = head_;
  if (head_ != nullptr) head_->prev = node; else tail_ = node;
  head_ = node;
}

void ListValue::link_back(Node* node) {
  node->next = nullptr;
  node->prev = tail_;
  if (tail_ != nullptr) tail_->next = node; else head_ = node;
  tail_ = node;
}

void ListValue::unlink_and_free(Node* node) {
  if (node->prev != nullptr) node->prev->next = node->next; else head_ = node->next;
  if (node->next != nullptr) node->next->prev = node->prev; else tail_ = node->prev;
  bytes_ -= usable(node);
  std::free(node);
}

const ListValue::Node* ListValue::locate(std::size_t index, std::size_t* offset) const {
  const Node* node = nullptr;
  std::size_t within = 0;
  if (index < size_ / 2) {
    node = head_;
    while (index >= node->count) {
      index -= node->count;
      node = node->next;
    }
    within = index;
  } else {
    std::size_t from_tail = size_ - 1 - index;
    node = tail_;
    while (from_tail >= node->count) {
      from_tail -= node->count;
      node = node->prev;
    }
    within = node->count - 1 - from_tail;
  }
  // Walk entries from the nearer end of the node.
  if (within <= node->count / 2) {
    std::size_t pos = 0;
    for (std::size_t i = 0; i < within; ++i) {
      std::size_t entry_size = 0;
      decode(node->data() + pos, &entry_size);
      pos += entry_size;
    }
    *offset = pos;
  } else {
    const char* end = node->data() + node->used;
    for (std::size_t i = node->count; i > within; --i) end = entry_before(end);
    *offset = static_cast<std::size_t>(end - node->data());
  }
  return node;
}

// --- ends ---

void ListValue::push_front(std::string_view value) {
  const std::size_t entry_size = encoded_size(value.size());
  Node* node = head_;
  if (!node_accepts(node, entry_size)) {
    node = new_node(entry_size);
    link_front(node);
  }
  node = reserve(node, entry_size);
  std::memmove(node->data() + entry_size, node->data(), node->used);
  encode(node->data(), value);
  node->used += static_cast<std::uint32_t>(entry_size);
  ++node->count;
  ++size_;
}

void ListValue::push_back(std::string_view value) {
  const std::size_t entry_size = encoded_size(value.size());
  Node* node = tail_;
  if (!node_accepts(node, entry_size)) {
    node = new_node(entry_size);
    link_back(node);
  }
  node = reserve(node, entry_size);
  encode(node->data() + node->used, value);
  node->used += static_cast<std::uint32_t>(entry_size);
  ++node->count;
  ++size_;
}

std::string ListValue::pop_front() {
  std::size_t entry_size = 0;
  std::string value(decode(head_->data(), &entry_size));
  drop_front(1);
  return value;
}

std::string ListValue::pop_back() {
  const char* end = tail_->data() + tail_->used;
  std::size_t entry_size = 0;
  std::string value(decode(entry_before(end), &entry_size));
  drop_back(1);
  return value;
}

void ListValue::drop_front(std::size_t n) {
  size_ -= n;
  while (n > 0 && n >= head_->count) {
    n -= head_->count;
    unlink_and_free(head_);
  }
  if (n == 0) return;
  Node* node = head_;
  std::size_t cut = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t entry_size = 0;
    decode(node->data() + cut, &entry_size);
    cut += entry_size;
  }
  std::memmove(node->data(), node->data() + cut, node->used - cut);
  node->used -= static_cast<std::uint32_t>(cut);
  node->count -= static_cast<std::uint32_t>(n);
  shrink(node);
}

void ListValue::drop_back(std::size_t n) {
  size_ -= n;
  while (n > 0 && n >= tail_->count) {
    n -= tail_->count;
    unlink_and_free(tail_);
  }
  if (n == 0) return;
  Node* node = tail_;
  const char* end = node->data() + node->used;
  for (std::size_t i = 0; i < n; ++i) end = entry_before(end);
  node->used = static_cast<std::uint32_t>(end - node->data());
  node->count -= static_cast<std::uint32_t>(n);
  shrink(node);
}

// --- by position or value ---

std::string_view ListValue::at(std::size_t index) const {
  std::size_t offset = 0;
  const Node* node = locate(index, &offset);
  std::size_t entry_size = 0;
  return decode(node->data() + offset, &entry_size);
}

void ListValue::set(std::size_t index, std::string_view value) {
  std::size_t offset = 0;
  Node* node = const_cast<Node*>(locate(index, &offset));
  std::size_t old_size = 0;
  decode(node->data() + offset, &old_size);
  const std::size_t new_size = encoded_size(value.size());
  if (new_size > old_size) node = reserve(node, new_size - old_size);
  char* at = node->data() + offset;
  std::memmove(at + new_size, at + old_size, node->used - offset - old_size);
  encode(at, value);
  node->used = static_cast<std::uint32_t>(node->used - old_size + new_size);
  if (new_size < old_size) shrink(node);
}

bool ListValue::insert(std::string_view pivot, std::string_view value, bool after) {
  // O(n) as in Redis (the pivot is searched); the list is rebuilt around the insertion point.
  ListValue rebuilt(fill_);
  bool inserted = false;
  visit(0, false, [&](std::string_view element) {
    if (!inserted && element == pivot) {
      if (after) {
        rebuilt.push_back(element);
        rebuilt.push_back(value);
      } else {
        rebuilt.push_back(value);
        rebuilt.push_back(element);
      }
      inserted = true;
    } else {
      rebuilt.push_back(element);
    }
    return true;
  });
  if (inserted) take(rebuilt);
  return inserted;
}

std::size_t ListValue::remove(std::string_view value, std::size_t count, bool from_tail) {
  ListValue rebuilt(fill_);
  std::size_t removed = 0;
  visit(0, from_tail, [&](std::string_view element) {
    if (element == value && (count == 0 || removed < count)) {
      ++removed;
    } else if (from_tail) {
      rebuilt.push_front(element);
    } else {
      rebuilt.push_back(element);
    }
    return true;
  });
  if (removed > 0) take(rebuilt);
  return removed;
}

std::size_t ListValue::recount_bytes() const {
  std::size_t total = sizeof(ListValue);
  for (Node* node = head_; node != nullptr; node = node->next) total += usable(node);
  return total;
}

}  // namespace shardcache::storage
