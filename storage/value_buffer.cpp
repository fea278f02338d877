#include "storage/value_buffer.h"

#include "storage/mapping_cache.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace shardcache::storage {
namespace {

// Written once before other threads start (set_deferred_free's contract), read by all.
void (*g_defer)(ValueBuffer*) = nullptr;
std::size_t g_defer_min_size = 0;

std::size_t page_rounded(std::size_t bytes) {
  static const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return (bytes + page - 1) / page * page;
}

}  // namespace

ValueBuffer* ValueBuffer::allocate(std::size_t size) {
  // Never zero-filled (no calloc, no new char[]{}): a 32 MiB value would be written twice.
  if (size >= kMappedSize) {
    const std::size_t length = page_rounded(sizeof(ValueBuffer) + size);
    std::size_t taken = 0;
    if (void* reused = MappingCache::process().take(length, &taken)) {
      return new (reused) ValueBuffer(size, taken);
    }
    void* memory =
        ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) throw std::bad_alloc();
    return new (memory) ValueBuffer(size, length);
  }
  void* memory = std::malloc(sizeof(ValueBuffer) + size);
  if (memory == nullptr) throw std::bad_alloc();
  return new (memory) ValueBuffer(size, 0);
}

ValueBuffer* ValueBuffer::copy_of(std::string_view bytes) {
  ValueBuffer* buffer = allocate(bytes.size());
  std::memcpy(buffer->data(), bytes.data(), bytes.size());
  return buffer;
}

void ValueBuffer::release() {
  // acq_rel: the thread that frees must see every write made under the other references.
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  if (mapped_bytes_ != 0 && MappingCache::process().keep(this, mapped_bytes_)) return;
  if (g_defer != nullptr && size_ >= g_defer_min_size) {
    g_defer(this);
  } else {
    free_now(this);
  }
}

std::size_t ValueBuffer::allocated_bytes() const {
  return mapped_bytes_ != 0 ? mapped_bytes_
                            : ::malloc_usable_size(const_cast<ValueBuffer*>(this));
}

void ValueBuffer::set_deferred_free(void (*defer)(ValueBuffer*), std::size_t min_size) {
  g_defer = defer;
  g_defer_min_size = min_size;
}

void ValueBuffer::free_now(ValueBuffer* buffer) {
  const std::size_t mapped_bytes = buffer->mapped_bytes_;
  buffer->~ValueBuffer();
  if (mapped_bytes != 0) {
    unmap_in_slices(buffer, mapped_bytes);
  } else {
    std::free(buffer);
  }
}

}  // namespace shardcache::storage
