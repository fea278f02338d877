#include "storage/entry.h"

#include "storage/container.h"
#include "storage/varint.h"

#include <malloc.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>

namespace shardcache::storage {
namespace {

constexpr std::size_t kExpiryBytes = sizeof(std::int64_t) + sizeof(std::uint32_t);

// Where the parts of an entry's payload are.
struct Layout {
  const char* expiry;  // nullptr without TTL
  const char* key;
  std::size_t key_len;
  const char* value;
  std::size_t value_len;
};

Layout layout_of(const char* payload, bool has_expiry) {
  std::uint64_t key_len = 0, value_len = 0;
  const char* p = get_varint(payload, key_len);
  p = get_varint(p, value_len);
  Layout layout{};
  if (has_expiry) {
    layout.expiry = p;
    p += kExpiryBytes;
  }
  layout.key = p;
  layout.key_len = key_len;
  layout.value = p + key_len;
  layout.value_len = value_len;
  return layout;
}

// The bytes of a pointer, as an entry stores a Container* or ValueBuffer* in its value.
template <typename T>
std::string_view pointer_bytes(T* const& pointer) {
  return {reinterpret_cast<const char*>(&pointer), sizeof(pointer)};
}

template <typename T>
T* pointer_in(const char* bytes) {
  T* pointer = nullptr;
  std::memcpy(&pointer, bytes, sizeof(pointer));
  return pointer;
}

}  // namespace

const char* encoding_name(Encoding encoding) {
  static const char* kNames[] = {"raw",       "int",       "embstr",    "listpack",
                                 "quicklist", "intset",    "hashtable", "skiplist"};
  return kNames[static_cast<int>(encoding)];
}

const char* type_name(ValueType type) {
  static const char* kNames[] = {"string", "list", "set", "zset", "hash"};
  return kNames[static_cast<int>(type)];
}

// Inlined: create() of a small value, the hot path, pays no call for the split.
[[gnu::always_inline]] inline Entry* Entry::allocate(std::string_view key, std::string_view stored, ValueType type,
                       Encoding encoding, std::int64_t expire_at_ms, std::uint8_t flags) {
  const bool expiring = expire_at_ms >= 0;
  static_assert(offsetof(Entry, flags_) + 1 == kHeaderSize);
  const std::size_t size = kHeaderSize + varint_size(key.size()) + varint_size(stored.size()) +
                           (expiring ? kExpiryBytes : 0) + key.size() + stored.size();
  void* memory = std::malloc(std::max(size, sizeof(Entry)));
  if (memory == nullptr) throw std::bad_alloc();
  Entry* entry = new (memory) Entry;  // default-init: writes nothing past kHeaderSize
  entry->next_ = nullptr;
  entry->meta_ = (static_cast<std::uint32_t>(type) << 28) |
                 (static_cast<std::uint32_t>(encoding) << 24);
  entry->flags_ = static_cast<std::uint8_t>(flags | (expiring ? kHasExpiry : 0));
  char* p = put_varint(entry->payload(), key.size());
  p = put_varint(p, stored.size());
  if (expiring) {
    std::memcpy(p, &expire_at_ms, sizeof(expire_at_ms));
    std::memset(p + sizeof(expire_at_ms), 0, sizeof(std::uint32_t));
    p += kExpiryBytes;
  }
  std::memcpy(p, key.data(), key.size());
  std::memcpy(p + key.size(), stored.data(), stored.size());
  return entry;
}

Entry* Entry::create(std::string_view key, std::string_view value, ValueType type,
                     Encoding encoding, std::int64_t expire_at_ms) {
  if (value.size() >= kOutOfLineValueSize && type == ValueType::kString) [[unlikely]] {
    return create(key, ValueRef(ValueBuffer::copy_of(value)), encoding, expire_at_ms);
  }
  return allocate(key, value, type, encoding, expire_at_ms, 0);
}

Entry* Entry::create(std::string_view key, ValueRef buffer, Encoding encoding,
                     std::int64_t expire_at_ms) {
  ValueBuffer* held = buffer.get();
  Entry* entry = allocate(key, pointer_bytes(held), ValueType::kString, encoding, expire_at_ms,
                          kOutOfLine);
  (void)buffer.take();  // the entry holds the reference now
  return entry;
}

Entry* Entry::create(std::string_view key, Container* container, std::int64_t expire_at_ms) {
  return allocate(key, pointer_bytes(container), container->type(), container->encoding(),
                  expire_at_ms, 0);
}

void Entry::destroy(Entry* entry) {
  if (entry->out_of_line()) [[unlikely]] entry->value_buffer()->release();
  delete entry->container();
  std::free(entry);
}

void Entry::destroy_keeping_container(Entry* entry) { std::free(entry); }

Entry* Entry::rebuilt(Entry* old, std::string_view stored, std::uint8_t flags,
                      Encoding encoding, std::int64_t expire_at_ms) {
  Entry* entry = allocate(old->key(), stored, old->type(), encoding, expire_at_ms, flags);
  entry->next_ = old->next_;
  entry->set_eviction_bits(old->eviction_bits());
  if (old->has_expiry() && entry->has_expiry()) entry->set_expiry_slot(old->expiry_slot());
  std::free(old);
  return entry;
}

Entry* Entry::with_value(Entry* old, std::string_view value, Encoding encoding) {
  // The old buffer is let go only once the new entry holds its own copy: `value` may be a view
  // of it.
  ValueRef old_buffer(old->value_buffer());
  if (old->type() == ValueType::kString && value.size() >= kOutOfLineValueSize) {
    ValueBuffer* buffer = ValueBuffer::copy_of(value);
    return rebuilt(old, pointer_bytes(buffer), kOutOfLine, encoding, old->expire_at_ms());
  }
  return rebuilt(old, value, 0, encoding, old->expire_at_ms());
}

Entry* Entry::with_expiry(Entry* old, std::int64_t expire_at_ms) {
  // The container or ValueBuffer pointer moves over with its ownership.
  return rebuilt(old, old->stored_value(), old->flags_ & kOutOfLine, old->encoding(),
                 expire_at_ms);
}

std::string_view Entry::key() const {
  const Layout l = layout_of(payload(), has_expiry());
  return {l.key, l.key_len};
}

std::string_view Entry::value() const {
  const Layout l = layout_of(payload(), has_expiry());
  if ((flags_ & kOutOfLine) != 0) [[unlikely]] return pointer_in<ValueBuffer>(l.value)->view();
  return {l.value, l.value_len};
}

std::string_view Entry::stored_value() const {
  const Layout l = layout_of(payload(), has_expiry());
  return {l.value, l.value_len};
}

ValueBuffer* Entry::value_buffer() const {
  if ((flags_ & kOutOfLine) == 0) return nullptr;
  return pointer_in<ValueBuffer>(layout_of(payload(), has_expiry()).value);
}

Container* Entry::container() const {
  if (type() == ValueType::kString) return nullptr;
  return pointer_in<Container>(layout_of(payload(), has_expiry()).value);
}

std::int64_t Entry::expire_at_ms() const {
  if (!has_expiry()) return -1;
  std::int64_t at = 0;
  std::memcpy(&at, layout_of(payload(), true).expiry, sizeof(at));
  return at;
}

std::uint32_t Entry::expiry_slot() const {
  std::uint32_t slot = 0;
  std::memcpy(&slot, layout_of(payload(), true).expiry + sizeof(std::int64_t), sizeof(slot));
  return slot;
}

void Entry::set_expiry_slot(std::uint32_t slot) {
  char* at = const_cast<char*>(layout_of(payload(), true).expiry) + sizeof(std::int64_t);
  std::memcpy(at, &slot, sizeof(slot));
}

std::size_t Entry::allocated_bytes() const {
  // A small string, the common case, costs one test and a tail call.
  if (type() == ValueType::kString && !out_of_line()) [[likely]] {
    return ::malloc_usable_size(const_cast<Entry*>(this));
  }
  const std::size_t own = ::malloc_usable_size(const_cast<Entry*>(this));
  if (const Container* held = container()) return own + held->accounted_bytes();
  return own + value_buffer()->allocated_bytes();
}

}  // namespace shardcache::storage
