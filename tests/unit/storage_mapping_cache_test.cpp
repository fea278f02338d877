// MappingCache: freed mappings kept for the next large buffer, within a capacity, and given back
// once idle; ValueBuffer's large buffers go through the process's cache.
#include <catch2/catch.hpp>

#include <sys/mman.h>

#include <chrono>
#include <cstring>

#include "storage/mapping_cache.h"
#include "storage/value_buffer.h"

using namespace shardcache::storage;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kMiB = 1024 * 1024;

void* map(std::size_t length) {
  void* p = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(p != MAP_FAILED);
  return p;
}

}  // namespace

TEST_CASE("MappingCache hands a kept mapping to a request of about its size",
          "[storage][mapping_cache]") {
  MappingCache cache(64 * kMiB);
  void* a = map(32 * kMiB);
  std::memset(a, 'a', 32 * kMiB);
  REQUIRE(cache.keep(a, 32 * kMiB));
  CHECK(cache.bytes() == 32 * kMiB);

  std::size_t taken = 0;
  CHECK(cache.take(33 * kMiB, &taken) == nullptr);          // too small
  CHECK(cache.take(28 * kMiB - 4096, &taken) == nullptr);  // more than 1/8 too large
  CHECK(cache.take(29 * kMiB, &taken) == a);               // within 1/8
  CHECK(taken == 32 * kMiB);
  CHECK(cache.bytes() == 0);
  CHECK(static_cast<char*>(a)[32 * kMiB - 1] == 'a');  // the pages stay (no zeroing again)
  unmap_in_slices(a, 32 * kMiB);
}

TEST_CASE("MappingCache takes the smallest fit and respects its capacity",
          "[storage][mapping_cache]") {
  MappingCache cache(80 * kMiB);
  void* big = map(36 * kMiB);
  void* small = map(32 * kMiB);
  void* extra = map(16 * kMiB);
  REQUIRE(cache.keep(big, 36 * kMiB));
  REQUIRE(cache.keep(small, 32 * kMiB));
  CHECK_FALSE(cache.keep(extra, 16 * kMiB));  // 84 MiB > 80 MiB: the caller unmaps it
  unmap_in_slices(extra, 16 * kMiB);
  std::size_t taken = 0;
  CHECK(cache.take(32 * kMiB, &taken) == small);
  CHECK(cache.take(32 * kMiB, &taken) == big);
  CHECK(taken == 36 * kMiB);
  unmap_in_slices(small, 32 * kMiB);
  unmap_in_slices(big, 36 * kMiB);
}

TEST_CASE("MappingCache::trim unmaps what sat idle", "[storage][mapping_cache]") {
  MappingCache cache(64 * kMiB);
  REQUIRE(cache.keep(map(8 * kMiB), 8 * kMiB));
  CHECK(cache.trim(1h) == 8 * kMiB);  // not idle for that long
  CHECK(cache.trim(0s) == 0);
  std::size_t taken = 0;
  CHECK(cache.take(8 * kMiB, &taken) == nullptr);
}

TEST_CASE("A large ValueBuffer reuses the mapping of the last one freed",
          "[storage][mapping_cache][value_buffer]") {
  MappingCache::process().trim(0s);
  ValueBuffer* first = ValueBuffer::allocate(ValueBuffer::kMappedSize);
  std::memset(first->data(), 'f', first->size());
  const std::size_t length = first->allocated_bytes();
  first->release();  // kept: no deferred-free hook is involved
  CHECK(MappingCache::process().bytes() == length);
  ValueBuffer* second = ValueBuffer::allocate(ValueBuffer::kMappedSize + 1000);
  CHECK(second == first);
  CHECK(second->size() == ValueBuffer::kMappedSize + 1000);
  CHECK(second->allocated_bytes() == length);  // charged for the whole mapping it sits in
  CHECK_FALSE(second->shared());
  CHECK(MappingCache::process().bytes() == 0);
  second->release();
  CHECK(MappingCache::process().trim(0s) == 0);
}
