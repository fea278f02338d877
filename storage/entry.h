// Entry: one key and its value in a single allocation, linked into a KeyTable bucket chain.
//
// Layout (bytes):
//   [Entry* next][u32 meta][u8 flags][varint key_len][varint value_len]
//   [i64 expire_at_ms, u32 expiry_slot — only when kHasExpiry][key bytes][value bytes]
// meta packs the type (4 bits), the encoding (4 bits) and 24 bits of eviction state: the LRU
// clock in seconds, or an 8-bit LFU log counter and 16-bit decay time in minutes, as Redis.
// Keys without a TTL pay nothing for it; a 16-byte key with a 32-byte value takes 63 bytes.
// A hash, list, set or sorted set stores a pointer to its Container as the value bytes; the
// entry owns it.
// A string of at least kOutOfLineValueSize bytes is held out of line: the value bytes are a
// pointer to a ValueBuffer (flag kOutOfLine) of which the entry holds one reference, so that the
// connection that received it and the replies sending it share the bytes instead of copying
// them. value() hides the difference from readers; smaller values pay one flag test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "storage/value_buffer.h"

namespace shardcache::storage {

class Container;

enum class ValueType : std::uint8_t { kString = 0, kList = 1, kSet = 2, kZSet = 3, kHash = 4 };

// OBJECT ENCODING names, as Redis reports them.
enum class Encoding : std::uint8_t {
  kRaw = 0, kInt = 1, kEmbstr = 2, kListpack = 3, kQuicklist = 4, kIntset = 5, kHashtable = 6,
  kSkiplist = 7,
};

const char* encoding_name(Encoding encoding);
const char* type_name(ValueType type);

class Entry {
 public:
  // Allocates an entry holding copies of `key` and `value`. `expire_at_ms` < 0: no TTL.
  // A string value of at least kOutOfLineValueSize bytes is copied into a new ValueBuffer.
  static Entry* create(std::string_view key, std::string_view value, ValueType type,
                       Encoding encoding, std::int64_t expire_at_ms);
  // Allocates a string entry whose value is `buffer`'s bytes, adopting the reference.
  static Entry* create(std::string_view key, ValueRef buffer, Encoding encoding,
                       std::int64_t expire_at_ms);
  // Allocates an entry owning `container` (type and encoding taken from it).
  static Entry* create(std::string_view key, Container* container, std::int64_t expire_at_ms);
  // Frees an entry made by create(), and the container it owns (or releases its ValueBuffer).
  static void destroy(Entry* entry);
  // Frees the entry but not its container, whose ownership the caller has taken (RENAME/MOVE
  // hand the container over to a new entry).
  static void destroy_keeping_container(Entry* entry);
  // A new entry with the same key, metadata and TTL and another value; `old` is freed.
  static Entry* with_value(Entry* old, std::string_view value, Encoding encoding);
  // A new entry with the same key, value and metadata and another TTL (< 0: none); `old` is freed.
  static Entry* with_expiry(Entry* old, std::int64_t expire_at_ms);

  Entry* next() const { return next_; }
  void set_next(Entry* next) { next_ = next; }
  Entry*& next_ref() { return next_; }

  std::string_view key() const;
  std::string_view value() const;
  // The buffer holding an out-of-line string value; nullptr when the value is inline (or the
  // entry holds a container). There is deliberately no writable access to value bytes: a
  // buffer may be referenced by replies still being sent.
  ValueBuffer* value_buffer() const;
  bool out_of_line() const { return (flags_ & kOutOfLine) != 0; }
  // The container of a hash, list, set or sorted set; nullptr for a string.
  Container* container() const;

  ValueType type() const { return static_cast<ValueType>(meta_ >> 28); }
  Encoding encoding() const { return static_cast<Encoding>((meta_ >> 24) & 0xf); }
  void set_encoding(Encoding encoding) {
    meta_ = (meta_ & ~(0xfu << 24)) | (static_cast<std::uint32_t>(encoding) << 24);
  }
  std::uint32_t eviction_bits() const { return meta_ & 0xffffff; }
  void set_eviction_bits(std::uint32_t bits) { meta_ = (meta_ & ~0xffffffu) | (bits & 0xffffff); }

  bool has_expiry() const { return (flags_ & kHasExpiry) != 0; }
  std::int64_t expire_at_ms() const;  // -1 without TTL
  // The entry's position in its shard's ExpiryIndex (only with a TTL).
  std::uint32_t expiry_slot() const;
  void set_expiry_slot(std::uint32_t slot);

  // Bytes this entry holds on the heap: its allocation's usable size, plus what its container
  // was last charged for (Container::accounted_bytes) or its ValueBuffer's allocation.
  std::size_t allocated_bytes() const;

 private:
  static constexpr std::uint8_t kHasExpiry = 1;
  static constexpr std::uint8_t kOutOfLine = 2;
  Entry() = default;
  // Allocates an entry whose value bytes are `stored` as they are (a value, or the pointer to a
  // Container or ValueBuffer); `flags` besides kHasExpiry: kOutOfLine or 0.
  static Entry* allocate(std::string_view key, std::string_view stored, ValueType type,
                         Encoding encoding, std::int64_t expire_at_ms, std::uint8_t flags);
  // An entry that keeps old's key, TTL slot and eviction state with other stored bytes and TTL;
  // frees `old` without its container or ValueBuffer (the caller decides who owns those).
  static Entry* rebuilt(Entry* old, std::string_view stored, std::uint8_t flags,
                        Encoding encoding, std::int64_t expire_at_ms);
  // The value bytes as stored: inline bytes, or the pointer to a Container or ValueBuffer.
  std::string_view stored_value() const;
  // The payload starts right after flags_, in what would be the struct's tail padding: the
  // allocation is sized by hand and the struct is never copied.
  static constexpr std::size_t kHeaderSize = 13;
  const char* payload() const { return reinterpret_cast<const char*>(this) + kHeaderSize; }
  char* payload() { return reinterpret_cast<char*>(this) + kHeaderSize; }

  Entry* next_;
  std::uint32_t meta_;
  std::uint8_t flags_;
};

}  // namespace shardcache::storage
