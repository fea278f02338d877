#include "storage/value_buffer.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace shardcache::storage {
namespace {

// Written once before other threads start (set_deferred_free's contract), read by all.
void (*g_defer)(ValueBuffer*) = nullptr;
std::size_t g_defer_min_size = 0;

// How much of a mapped buffer one munmap call gives back: ~0.1 ms of holding the mmap lock.
constexpr std::size_t kUnmapSlice = 2 * 1024 * 1024;

std::size_t page_rounded(std::size_t bytes) {
  static const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return (bytes + page - 1) / page * page;
}

}  // namespace

ValueBuffer* ValueBuffer::allocate(std::size_t size) {
  // Never zero-filled (no calloc, no new char[]{}): a 32 MiB value would be written twice.
  if (size >= kMappedSize) {
    void* memory = ::mmap(nullptr, page_rounded(sizeof(ValueBuffer) + size),
                          PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) throw std::bad_alloc();
    return new (memory) ValueBuffer(size, true);
  }
  void* memory = std::malloc(sizeof(ValueBuffer) + size);
  if (memory == nullptr) throw std::bad_alloc();
  return new (memory) ValueBuffer(size, false);
}

ValueBuffer* ValueBuffer::copy_of(std::string_view bytes) {
  ValueBuffer* buffer = allocate(bytes.size());
  std::memcpy(buffer->data(), bytes.data(), bytes.size());
  return buffer;
}

void ValueBuffer::release() {
  // acq_rel: the thread that frees must see every write made under the other references.
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  if (g_defer != nullptr && size_ >= g_defer_min_size) {
    g_defer(this);
  } else {
    free_now(this);
  }
}

std::size_t ValueBuffer::allocated_bytes() const {
  return mapped_ ? mapped_bytes() : ::malloc_usable_size(const_cast<ValueBuffer*>(this));
}

std::size_t ValueBuffer::mapped_bytes() const { return page_rounded(sizeof(ValueBuffer) + size_); }

void ValueBuffer::set_deferred_free(void (*defer)(ValueBuffer*), std::size_t min_size) {
  g_defer = defer;
  g_defer_min_size = min_size;
}

void ValueBuffer::free_now(ValueBuffer* buffer) {
  if (!buffer->mapped_) {
    buffer->~ValueBuffer();
    std::free(buffer);
    return;
  }
  // From the end, so that the header goes last; each slice takes the mmap lock on its own.
  char* const base = reinterpret_cast<char*>(buffer);
  std::size_t left = buffer->mapped_bytes();
  buffer->~ValueBuffer();
  while (left > 0) {
    const std::size_t slice = std::min(left, kUnmapSlice);
    left -= slice;
    ::munmap(base + left, slice);
  }
}

}  // namespace shardcache::storage
