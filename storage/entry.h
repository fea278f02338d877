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
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

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
  static Entry* create(std::string_view key, std::string_view value, ValueType type,
                       Encoding encoding, std::int64_t expire_at_ms);
  // Allocates an entry owning `container` (type and encoding taken from it).
  static Entry* create(std::string_view key, Container* container, std::int64_t expire_at_ms);
  // Frees an entry made by create(), and the container it owns.
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
  // Writable value bytes (SETRANGE in place when the size does not change).
  char* mutable_value();
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
  // was last charged for (Container::accounted_bytes).
  std::size_t allocated_bytes() const;

 private:
  static constexpr std::uint8_t kHasExpiry = 1;
  Entry() = default;
  // An entry that keeps this one's key, TTL slot and eviction state with another value/TTL;
  // frees `old` but not its container.
  static Entry* rebuilt(Entry* old, std::string_view value, Encoding encoding,
                        std::int64_t expire_at_ms);
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
