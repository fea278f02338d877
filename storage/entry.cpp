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

Entry* Entry::create(std::string_view key, std::string_view value, ValueType type,
                     Encoding encoding, std::int64_t expire_at_ms) {
  const bool expiring = expire_at_ms >= 0;
  static_assert(offsetof(Entry, flags_) + 1 == kHeaderSize);
  const std::size_t size = kHeaderSize + varint_size(key.size()) + varint_size(value.size()) +
                           (expiring ? kExpiryBytes : 0) + key.size() + value.size();
  void* memory = std::malloc(std::max(size, sizeof(Entry)));
  if (memory == nullptr) throw std::bad_alloc();
  Entry* entry = new (memory) Entry;  // default-init: writes nothing past kHeaderSize
  entry->next_ = nullptr;
  entry->meta_ = (static_cast<std::uint32_t>(type) << 28) |
                 (static_cast<std::uint32_t>(encoding) << 24);
  entry->flags_ = expiring ? kHasExpiry : 0;
  char* p = put_varint(entry->payload(), key.size());
  p = put_varint(p, value.size());
  if (expiring) {
    std::memcpy(p, &expire_at_ms, sizeof(expire_at_ms));
    std::memset(p + sizeof(expire_at_ms), 0, sizeof(std::uint32_t));
    p += kExpiryBytes;
  }
  std::memcpy(p, key.data(), key.size());
  std::memcpy(p + key.size(), value.data(), value.size());
  return entry;
}

Entry* Entry::create(std::string_view key, Container* container, std::int64_t expire_at_ms) {
  const std::string_view pointer_bytes(reinterpret_cast<const char*>(&container),
                                       sizeof(container));
  return create(key, pointer_bytes, container->type(), container->encoding(), expire_at_ms);
}

void Entry::destroy(Entry* entry) {
  delete entry->container();
  std::free(entry);
}

void Entry::destroy_keeping_container(Entry* entry) { std::free(entry); }

Entry* Entry::rebuilt(Entry* old, std::string_view value, Encoding encoding,
                      std::int64_t expire_at_ms) {
  Entry* entry = create(old->key(), value, old->type(), encoding, expire_at_ms);
  entry->next_ = old->next_;
  entry->set_eviction_bits(old->eviction_bits());
  if (old->has_expiry() && entry->has_expiry()) entry->set_expiry_slot(old->expiry_slot());
  std::free(old);  // a container, if any, now belongs to the new entry
  return entry;
}

Entry* Entry::with_value(Entry* old, std::string_view value, Encoding encoding) {
  return rebuilt(old, value, encoding, old->expire_at_ms());
}

Entry* Entry::with_expiry(Entry* old, std::int64_t expire_at_ms) {
  return rebuilt(old, old->value(), old->encoding(), expire_at_ms);
}

std::string_view Entry::key() const {
  const Layout l = layout_of(payload(), has_expiry());
  return {l.key, l.key_len};
}

std::string_view Entry::value() const {
  const Layout l = layout_of(payload(), has_expiry());
  return {l.value, l.value_len};
}

char* Entry::mutable_value() {
  return const_cast<char*>(layout_of(payload(), has_expiry()).value);
}

Container* Entry::container() const {
  if (type() == ValueType::kString) return nullptr;
  Container* container = nullptr;
  std::memcpy(&container, layout_of(payload(), has_expiry()).value, sizeof(container));
  return container;
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
  const Container* held = container();
  return ::malloc_usable_size(const_cast<Entry*>(this)) +
         (held != nullptr ? held->accounted_bytes() : 0);
}

}  // namespace shardcache::storage
