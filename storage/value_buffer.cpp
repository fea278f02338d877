#include "storage/value_buffer.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace shardcache::storage {
namespace {

// Written once before other threads start (set_deferred_free's contract), read by all.
void (*g_defer)(ValueBuffer*) = nullptr;
std::size_t g_defer_min_size = 0;

}  // namespace

ValueBuffer* ValueBuffer::allocate(std::size_t size) {
  // malloc, not calloc or new char[]{}: a 32 MiB value would otherwise be written twice, and
  // the kernel's zero pages would be touched once more than needed.
  void* memory = std::malloc(sizeof(ValueBuffer) + size);
  if (memory == nullptr) throw std::bad_alloc();
  return new (memory) ValueBuffer(size);
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
  return ::malloc_usable_size(const_cast<ValueBuffer*>(this));
}

void ValueBuffer::set_deferred_free(void (*defer)(ValueBuffer*), std::size_t min_size) {
  g_defer = defer;
  g_defer_min_size = min_size;
}

void ValueBuffer::free_now(ValueBuffer* buffer) {
  buffer->~ValueBuffer();
  std::free(buffer);
}

}  // namespace shardcache::storage
