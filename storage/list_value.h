// ListValue: a list key's value, a quicklist as Redis 7.0 keeps it — a doubly linked chain of
// nodes, each one malloc'd block holding a header and a run of packed entries.
//
// Entry layout (as a listpack's, minus the integer encodings):
//   [LEB128 length][bytes][backlen]
// backlen is the size of length+bytes written so that it reads from its last byte backwards
// (7 bits a byte, the high bit set while more bytes follow to the left): an entry can be
// stepped over in both directions. A 16-byte item takes 18 bytes, as in a Redis listpack.
//
// A node holds at most list-max-listpack-size entries (> 0) or bytes (-1..-5: 4..64 KiB); a
// node grows in size classes, so a short list wastes little. Push and pop at both ends touch
// one end node only; indexed access walks whole nodes by their counts, then entries.
//
// OBJECT ENCODING reports "quicklist" always, as Redis 7.0 does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "storage/container.h"

namespace shardcache::storage {

class ListValue final : public Container {
 public:
  static constexpr ValueType kType = ValueType::kList;
  static constexpr int kDefaultFill = -2;

  explicit ListValue(int fill = kDefaultFill);
  ~ListValue() override;
  ListValue(const ListValue&) = delete;
  ListValue& operator=(const ListValue&) = delete;

  ValueType type() const override { return kType; }
  Encoding encoding() const override { return Encoding::kQuicklist; }
  std::size_t size() const override { return size_; }
  std::size_t bytes() const override { return bytes_; }
  std::unique_ptr<Container> clone() const override;

  // list-max-listpack-size for nodes filled from now on (CONFIG SET applies to new pushes).
  void set_fill(int fill) { fill_ = fill; }
  int fill() const { return fill_; }

  void push_front(std::string_view value);
  void push_back(std::string_view value);
  // Remove and return an end element; the list must not be empty.
  std::string pop_front();
  std::string pop_back();
  // Drop `n` (<= size) elements from an end.
  void drop_front(std::size_t n);
  void drop_back(std::size_t n);

  // The element at `index` (< size); valid until the list changes.
  std::string_view at(std::size_t index) const;
  // Replaces the element at `index` (< size).
  void set(std::size_t index, std::string_view value);
  // Inserts `value` before (or after) the first element equal to `pivot`; false if none is.
  bool insert(std::string_view pivot, std::string_view value, bool after);
  // Removes up to `count` elements equal to `value` (0: all) from the head (or the tail when
  // from_tail). Returns how many were removed.
  std::size_t remove(std::string_view value, std::size_t count, bool from_tail);

  // Calls fn(element) for the elements from `index` towards the tail (or, when reverse, from the
  // element `index` places from the tail towards the head) while fn returns true.
  template <class Fn>
  void visit(std::size_t index, bool reverse, Fn fn) const;

  // Recomputes bytes() from the nodes (tests check the incremental figure against it).
  std::size_t recount_bytes() const;

 private:
  struct Node {
    Node* prev;
    Node* next;
    std::uint32_t used;      // bytes of entries
    std::uint32_t capacity;  // bytes available for entries
    std::uint32_t count;     // entries
    char* data() { return reinterpret_cast<char*>(this + 1); }
    const char* data() const { return reinterpret_cast<const char*>(this + 1); }
  };

  // Entry coding.
  static std::size_t encoded_size(std::size_t length);
  static void encode(char* out, std::string_view value);
  // The entry starting at `p`, and its encoded size.
  static std::string_view decode(const char* p, std::size_t* size);
  // The start of the entry ending at `end`.
  static const char* entry_before(const char* end);

  bool node_accepts(const Node* node, std::size_t entry_size) const;
  Node* new_node(std::size_t entry_bytes);
  // Makes room for `extra` more bytes of entries; returns the (possibly moved) node.
  Node* reserve(Node* node, std::size_t extra);
  // Gives back a node's spare capacity when it is mostly empty.
  Node* shrink(Node* node);
  void unlink_and_free(Node* node);
  void link_front(Node* node);
  void link_back(Node* node);
  void relink(Node* old_node, Node* moved);
  // The node holding element `index` and the offset of the element in it.
  const Node* locate(std::size_t index, std::size_t* offset) const;
  void free_all();
  void take(ListValue& other);  // moves other's nodes here (this is empty)

  Node* head_ = nullptr;
  Node* tail_ = nullptr;
  std::size_t size_ = 0;
  std::size_t bytes_;
  int fill_;
};

template <class Fn>
void ListValue::visit(std::size_t index, bool reverse, Fn fn) const {
  if (index >= size_) return;
  if (!reverse) {
    std::size_t offset = 0;
    const Node* node = locate(index, &offset);
    for (; node != nullptr; node = node->next, offset = 0) {
      while (offset < node->used) {
        std::size_t entry_size = 0;
        const std::string_view value = decode(node->data() + offset, &entry_size);
        if (!fn(value)) return;
        offset += entry_size;
      }
    }
    return;
  }
  // From the tail: locate gives the entry's start; step back from its end.
  std::size_t offset = 0;
  const Node* node = locate(size_ - 1 - index, &offset);
  std::size_t entry_size = 0;
  decode(node->data() + offset, &entry_size);
  const char* end = node->data() + offset + entry_size;
  while (node != nullptr) {
    const char* begin = node->data();
    while (end > begin) {
      const char* start = entry_before(end);
      std::size_t unused = 0;
      if (!fn(decode(start, &unused))) return;
      end = start;
    }
    node = node->prev;
    if (node != nullptr) end = node->data() + node->used;
  }
}

}  // namespace shardcache::storage
