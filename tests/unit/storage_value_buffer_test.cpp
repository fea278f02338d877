// Large string values held out of line (ValueBuffer): entries and keyspaces hide the difference
// from readers, account the buffer, share it instead of copying, and never change bytes that
// another reference (a reply being sent) still reads.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "storage/entry.h"
#include "storage/eviction_clock.h"
#include "storage/keyspace.h"
#include "storage/mapping_cache.h"
#include "storage/value_buffer.h"

using namespace shardcache::storage;

namespace {

std::string patterned(std::size_t n, char seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + i * 7);
  return s;
}

struct EntryGuard {
  Entry* e;
  ~EntryGuard() { Entry::destroy(e); }
};

// Collects the buffers handed to the deferred-free hook while it lives.
struct DeferredFrees {
  static inline std::vector<ValueBuffer*> taken;
  explicit DeferredFrees(std::size_t min_size) {
    ValueBuffer::set_deferred_free([](ValueBuffer* b) { taken.push_back(b); }, min_size);
  }
  ~DeferredFrees() {
    ValueBuffer::set_deferred_free(nullptr, 0);
    for (ValueBuffer* b : taken) ValueBuffer::free_now(b);
    taken.clear();
  }
};

}  // namespace

TEST_CASE("A string value is held out of line from kOutOfLineValueSize bytes on",
          "[storage][entry][value_buffer]") {
  for (std::size_t size : {kOutOfLineValueSize - 1, kOutOfLineValueSize,
                           kOutOfLineValueSize + 1, std::size_t{1} << 20}) {
    for (std::int64_t at : {std::int64_t{-1}, std::int64_t{1234}}) {
      INFO("size=" << size << " at=" << at);
      const std::string value = patterned(size, 'a');
      Entry* e = Entry::create("key", value, ValueType::kString, Encoding::kRaw, at);
      EntryGuard guard{e};
      CHECK(e->value() == value);
      CHECK(e->key() == "key");
      CHECK(e->expire_at_ms() == at);
      const bool out_of_line = size >= kOutOfLineValueSize;
      REQUIRE((e->value_buffer() != nullptr) == out_of_line);
      if (out_of_line) {
        CHECK(e->value().data() == e->value_buffer()->data());
        CHECK_FALSE(e->value_buffer()->shared());
        // The entry itself stays small; the buffer is charged on top of it.
        CHECK(e->allocated_bytes() >= e->value_buffer()->allocated_bytes() + 13 + 2 + 3 + 8);
        CHECK(e->value_buffer()->allocated_bytes() >= size + sizeof(ValueBuffer));
      }
      CHECK(e->allocated_bytes() >= size);
    }
  }
}

TEST_CASE("Container entries never go out of line", "[storage][entry][value_buffer]") {
  // Entries of other types store raw bytes here (a test stand-in for a container pointer).
  const std::string bytes = patterned(kOutOfLineValueSize, 'c');
  Entry* e = Entry::create("k", bytes, ValueType::kHash, Encoding::kListpack, -1);
  CHECK(e->value_buffer() == nullptr);
  CHECK(e->value() == bytes);
  Entry::destroy_keeping_container(e);
}

TEST_CASE("An entry adopts a buffer instead of copying it", "[storage][entry][value_buffer]") {
  const std::string value = patterned(kOutOfLineValueSize + 5, 'x');
  ValueRef held(ValueBuffer::copy_of(value));
  ValueBuffer* buffer = held.get();
  Entry* e = Entry::create("k", held, Encoding::kRaw, -1);  // a second reference
  CHECK(e->value_buffer() == buffer);
  CHECK(e->value().data() == buffer->data());
  CHECK(buffer->shared());
  Entry::destroy(e);
  CHECK_FALSE(buffer->shared());
  CHECK(held->view() == value);
}

TEST_CASE("with_expiry moves the buffer over; with_value lets it go",
          "[storage][entry][value_buffer]") {
  const std::string value = patterned(kOutOfLineValueSize * 2, 'e');
  Entry* e = Entry::create("k", value, ValueType::kString, Encoding::kRaw, -1);
  ValueRef observer = ValueRef::retained(e->value_buffer());
  e = Entry::with_expiry(e, 5000);
  CHECK(e->value_buffer() == observer.get());  // not copied
  CHECK(e->expire_at_ms() == 5000);
  e = Entry::with_expiry(e, -1);
  CHECK(e->value_buffer() == observer.get());
  CHECK(observer->shared());

  // Replaced by a small value: the old buffer loses the entry's reference.
  e = Entry::with_value(e, "small", Encoding::kEmbstr);
  CHECK(e->value_buffer() == nullptr);
  CHECK(e->value() == "small");
  CHECK_FALSE(observer->shared());
  // Replaced by a large value that is a view of the old one: copied before it goes.
  e = Entry::with_value(e, value, Encoding::kRaw);
  ValueBuffer* second = e->value_buffer();
  REQUIRE(second != nullptr);
  e = Entry::with_value(e, second->view(), Encoding::kRaw);
  CHECK(e->value() == value);
  CHECK(e->value_buffer() != nullptr);
  Entry::destroy(e);
}

TEST_CASE("A reference held elsewhere keeps the old bytes when the key is rewritten",
          "[storage][keyspace][value_buffer]") {
  EvictionClock clock;
  clock.set_now(1000);
  Keyspace ks(0, clock);
  const std::string old_value = patterned(kOutOfLineValueSize + 100, 'o');
  ks.set_string("k", old_value, Encoding::kRaw, -1);
  // A reply being sent holds the value, as a connection does.
  ValueRef in_flight = ValueRef::retained(ks.find("k")->value_buffer());

  // SETRANGE / APPEND / INCR build a new value from the old one.
  std::string patched(ks.find("k")->value());
  patched[10] = '!';
  ks.set_string("k", patched, Encoding::kRaw, -1, /*keep_ttl=*/true);
  CHECK(ks.find("k")->value() == patched);
  CHECK(ks.find("k")->value_buffer() != in_flight.get());
  CHECK(in_flight->view() == old_value);
  CHECK_FALSE(in_flight->shared());  // the keyspace let go of it

  ks.remove("k");
  CHECK(in_flight->view() == old_value);
}

// What a keyspace charges for its entries, without its table and expiry heap.
std::size_t entry_bytes(const Keyspace& ks) {
  return ks.used_bytes() - ks.table().bucket_bytes() - ks.expiry().bytes();
}

TEST_CASE("Keyspace accounts an out-of-line buffer and adopts a shared one",
          "[storage][keyspace][value_buffer]") {
  EvictionClock clock;
  clock.set_now(1000);
  Keyspace ks(0, clock);
  const std::string value = patterned(1 << 20, 'm');
  ks.set_string("a", value, Encoding::kRaw, -1);
  const std::size_t one = entry_bytes(ks);
  CHECK(one >= value.size());
  CHECK(one == ks.find("a")->allocated_bytes());

  // A second key sharing the buffer (as RENAME hands it over): both read it, neither copies.
  ks.set_string("b", ValueRef::retained(ks.find("a")->value_buffer()), Encoding::kRaw, 2000);
  CHECK(ks.find("b")->value_buffer() == ks.find("a")->value_buffer());
  CHECK(ks.find("b")->value() == value);
  CHECK(ks.find("b")->expire_at_ms() == 2000);
  ks.remove("a");
  CHECK(ks.find("b")->value() == value);
  CHECK_FALSE(ks.find("b")->value_buffer()->shared());

  // TTL changes keep the buffer and the charge (but for the entry's TTL bytes).
  ValueBuffer* buffer = ks.find("b")->value_buffer();
  REQUIRE(ks.set_expiry("b", -1));
  CHECK(ks.find("b")->value_buffer() == buffer);
  CHECK(entry_bytes(ks) == ks.find("b")->allocated_bytes());
  REQUIRE(ks.set_expiry("b", 9000));
  CHECK(ks.find("b")->value_buffer() == buffer);
  CHECK(entry_bytes(ks) == ks.find("b")->allocated_bytes());
  CHECK(entry_bytes(ks) >= buffer->allocated_bytes());

  ks.remove("b");
  CHECK(entry_bytes(ks) == 0);
}

TEST_CASE("Small values stay inline and the same size", "[storage][keyspace][value_buffer]") {
  Entry* e = Entry::create(std::string(16, 'k'), std::string(64, 'v'), ValueType::kString,
                           Encoding::kRaw, -1);
  EntryGuard guard{e};
  CHECK(e->value_buffer() == nullptr);
  CHECK(e->allocated_bytes() <= 112);  // 13 + 2 + 16 + 64 = 95 bytes, malloc rounding only
}

TEST_CASE("The last release of a large buffer goes to the deferred-free hook",
          "[storage][value_buffer]") {
  DeferredFrees hook(1 << 20);
  ValueBuffer* big = ValueBuffer::allocate(1 << 20);
  ValueBuffer* small = ValueBuffer::allocate((1 << 20) - 1);
  big->retain();
  big->release();  // not the last
  CHECK(DeferredFrees::taken.empty());
  big->release();
  small->release();  // freed at once
  REQUIRE(DeferredFrees::taken.size() == 1);
  CHECK(DeferredFrees::taken[0] == big);
}

TEST_CASE("Buffers from kMappedSize on are mapped", "[storage][value_buffer]") {
  const std::size_t size = ValueBuffer::kMappedSize + 123;
  ValueBuffer* buffer = ValueBuffer::allocate(size);
  CHECK(buffer->size() == size);
  CHECK(buffer->allocated_bytes() >= size + sizeof(ValueBuffer));
  CHECK(buffer->allocated_bytes() % 4096 == 0);
  CHECK(buffer->allocated_bytes() < size + sizeof(ValueBuffer) + 65536);
  std::memset(buffer->data(), 'z', size);  // every byte is writable
  CHECK(buffer->view().back() == 'z');
  buffer->release();  // kept for reuse by the process's MappingCache, which gives it back
  CHECK(MappingCache::process().trim(std::chrono::seconds(0)) == 0);
  Entry* e = Entry::create("k", std::string(size, 'q'), ValueType::kString, Encoding::kRaw, -1);
  CHECK(e->value_buffer()->allocated_bytes() % 4096 == 0);
  CHECK(e->value().size() == size);
  Entry::destroy(e);
}
