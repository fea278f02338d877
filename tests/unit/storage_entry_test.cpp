// Entry: the compact key/value allocation (varint lengths, optional TTL block, packed metadata).
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "storage/entry.h"

using namespace shardcache::storage;

namespace {

// Lengths around the varint boundaries (1 byte up to 127, 2 bytes up to 16383) and a large one.
const std::vector<std::size_t> kLengths = {0, 1, 127, 128, 16383, 16384, 1 << 20};

// Deterministic bytes covering all 256 values, NUL and 0xff included.
std::string binary_bytes(std::size_t n, unsigned seed) {
  std::string s(n, '\0');
  std::uint32_t x = seed * 2654435761u + 1;
  for (std::size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    s[i] = static_cast<char>((x >> 16) & 0xff);
  }
  if (n > 0) s[0] = '\0';
  if (n > 1) s[n - 1] = static_cast<char>(0xff);
  return s;
}

std::size_t varint_size(std::size_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// The payload an entry must hold at least: header, two varints, the TTL block, the bytes.
std::size_t payload_bytes(std::size_t key_len, std::size_t value_len, bool expiry) {
  return 13 + varint_size(key_len) + varint_size(value_len) + (expiry ? 12 : 0) + key_len +
         value_len;
}

// Frees a test entry. Entries here are built from raw bytes whatever their type, so a hash or
// list entry holds no real Container and is freed without one.
void free_test_entry(Entry* e) {
  if (e->type() == ValueType::kString) {
    Entry::destroy(e);
  } else {
    Entry::destroy_keeping_container(e);
  }
}

struct EntryGuard {
  Entry* e;
  ~EntryGuard() { free_test_entry(e); }
};

}  // namespace

TEST_CASE("Entry stores keys and values of every varint-edge length", "[storage][entry]") {
  for (std::size_t key_len : kLengths) {
    const std::string key = binary_bytes(key_len, static_cast<unsigned>(key_len));
    for (std::size_t value_len : kLengths) {
      const std::string value = binary_bytes(value_len, static_cast<unsigned>(value_len) + 7);
      for (std::int64_t at : {std::int64_t{-1}, std::int64_t{0}, std::int64_t{1700000000123},
                              std::numeric_limits<std::int64_t>::max()}) {
        Entry* e = Entry::create(key, value, ValueType::kString, Encoding::kRaw, at);
        EntryGuard guard{e};
        INFO("key_len=" << key_len << " value_len=" << value_len << " at=" << at);
        REQUIRE(e->key().size() == key_len);
        REQUIRE(e->value().size() == value_len);
        CHECK(e->key() == key);
        CHECK(e->value() == value);
        CHECK(e->has_expiry() == (at >= 0));
        CHECK(e->expire_at_ms() == (at >= 0 ? at : -1));
        CHECK(e->next() == nullptr);
        CHECK(e->type() == ValueType::kString);
        CHECK(e->encoding() == Encoding::kRaw);
        CHECK(e->eviction_bits() == 0);
        if (e->has_expiry()) CHECK(e->expiry_slot() == 0);
        CHECK(e->allocated_bytes() >= payload_bytes(key_len, value_len, at >= 0));
      }
    }
  }
}

TEST_CASE("Entry keeps a TTL-less entry small", "[storage][entry]") {
  Entry* e = Entry::create(std::string(16, 'k'), std::string(32, 'v'), ValueType::kString,
                           Encoding::kEmbstr, -1);
  EntryGuard guard{e};
  CHECK(payload_bytes(16, 32, false) == 63);  // as entry.h documents
  CHECK(e->allocated_bytes() >= 63);
  CHECK(e->allocated_bytes() <= 80);  // malloc rounding only
}

TEST_CASE("Entry type, encoding and eviction bits are independent", "[storage][entry]") {
  const ValueType types[] = {ValueType::kString, ValueType::kList, ValueType::kSet,
                             ValueType::kZSet, ValueType::kHash};
  const Encoding encodings[] = {Encoding::kRaw,       Encoding::kInt,    Encoding::kEmbstr,
                                Encoding::kListpack,  Encoding::kQuicklist, Encoding::kIntset,
                                Encoding::kHashtable, Encoding::kSkiplist};
  for (ValueType type : types) {
    for (Encoding encoding : encodings) {
      Entry* e = Entry::create("k", "v", type, encoding, 5);
      EntryGuard guard{e};
      CHECK(e->type() == type);
      CHECK(e->encoding() == encoding);
      e->set_eviction_bits(0xffffffff);  // only 24 bits are kept
      CHECK(e->eviction_bits() == 0xffffffu);
      CHECK(e->type() == type);
      CHECK(e->encoding() == encoding);
      for (Encoding other : encodings) {
        e->set_encoding(other);
        CHECK(e->encoding() == other);
        CHECK(e->type() == type);
        CHECK(e->eviction_bits() == 0xffffffu);
      }
      e->set_eviction_bits(0x123456);
      CHECK(e->eviction_bits() == 0x123456u);
      CHECK(e->type() == type);
      CHECK(e->key() == "k");
      CHECK(e->value() == "v");
      CHECK(e->expire_at_ms() == 5);
    }
  }
  CHECK(std::string(encoding_name(Encoding::kEmbstr)) == "embstr");
  CHECK(std::string(encoding_name(Encoding::kSkiplist)) == "skiplist");
  CHECK(std::string(type_name(ValueType::kString)) == "string");
  CHECK(std::string(type_name(ValueType::kHash)) == "hash");
}

TEST_CASE("Entry expiry slot is writable in place", "[storage][entry]") {
  Entry* e = Entry::create("key", "value", ValueType::kString, Encoding::kRaw, 1234);
  EntryGuard guard{e};
  e->set_expiry_slot(0xdeadbeef);
  CHECK(e->expiry_slot() == 0xdeadbeefu);
  CHECK(e->expire_at_ms() == 1234);
  CHECK(e->key() == "key");
  CHECK(e->value() == "value");
}

TEST_CASE("Entry::with_value keeps key, metadata, next pointer and expiry slot",
          "[storage][entry]") {
  for (std::size_t key_len : kLengths) {
    for (bool expiring : {false, true}) {
      const std::string key = binary_bytes(key_len, 3);
      Entry* neighbour = Entry::create("n", "n", ValueType::kString, Encoding::kRaw, -1);
      EntryGuard neighbour_guard{neighbour};
      Entry* e = Entry::create(key, "old", ValueType::kString, Encoding::kInt,
                               expiring ? 777 : -1);
      e->set_next(neighbour);
      e->set_eviction_bits(0xabcdef);
      if (expiring) e->set_expiry_slot(42);
      for (std::size_t value_len : kLengths) {
        const std::string value = binary_bytes(value_len, 11);
        e = Entry::with_value(e, value, Encoding::kEmbstr);
        INFO("key_len=" << key_len << " value_len=" << value_len << " expiring=" << expiring);
        CHECK(e->key() == key);
        CHECK(e->value() == value);
        CHECK(e->type() == ValueType::kString);
        CHECK(e->encoding() == Encoding::kEmbstr);
        CHECK(e->eviction_bits() == 0xabcdefu);
        CHECK(e->next() == neighbour);
        CHECK(e->has_expiry() == expiring);
        CHECK(e->expire_at_ms() == (expiring ? 777 : -1));
        if (expiring) CHECK(e->expiry_slot() == 42u);
        CHECK(e->allocated_bytes() >= payload_bytes(key_len, value_len, expiring));
      }
      free_test_entry(e);
    }
  }
}

TEST_CASE("Entry::with_expiry keeps key, value, metadata, next pointer and expiry slot",
          "[storage][entry]") {
  for (std::size_t len : kLengths) {
    const std::string key = binary_bytes(len, 5);
    const std::string value = binary_bytes(len, 6);
    Entry* neighbour = Entry::create("n", "n", ValueType::kString, Encoding::kRaw, -1);
    EntryGuard neighbour_guard{neighbour};
    Entry* e = Entry::create(key, value, ValueType::kString, Encoding::kEmbstr, -1);
    e->set_next(neighbour);
    e->set_eviction_bits(0x00beef);
    INFO("len=" << len);

    // none -> TTL: the new slot is zeroed (the ExpiryIndex assigns it on add).
    e = Entry::with_expiry(e, 1000);
    CHECK(e->has_expiry());
    CHECK(e->expire_at_ms() == 1000);
    CHECK(e->expiry_slot() == 0u);
    e->set_expiry_slot(99);

    // TTL -> other TTL: the slot is kept.
    e = Entry::with_expiry(e, 2000);
    CHECK(e->expire_at_ms() == 2000);
    CHECK(e->expiry_slot() == 99u);
    CHECK(e->key() == key);
    CHECK(e->value() == value);

    // TTL at time 0 is still a TTL.
    e = Entry::with_expiry(e, 0);
    CHECK(e->has_expiry());
    CHECK(e->expire_at_ms() == 0);
    CHECK(e->expiry_slot() == 99u);

    // TTL -> none.
    e = Entry::with_expiry(e, -1);
    CHECK_FALSE(e->has_expiry());
    CHECK(e->expire_at_ms() == -1);

    CHECK(e->key() == key);
    CHECK(e->value() == value);
    CHECK(e->type() == ValueType::kString);
    CHECK(e->encoding() == Encoding::kEmbstr);
    CHECK(e->eviction_bits() == 0x00beefu);
    CHECK(e->next() == neighbour);
    CHECK(e->allocated_bytes() >= payload_bytes(len, len, false));
    free_test_entry(e);
  }
}
