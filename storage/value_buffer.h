// ValueBuffer: the bytes of a large string value, held out of line in one allocation (a
// reference count, the size, then the bytes) and shared, never copied, between the Entry that
// stores the value, the connection that received it and the replies still sending it.
//
// A buffer's bytes never change once it is shared: writers build a new value (SETRANGE, APPEND
// and INCR* always store a new one), so a reply in flight keeps sending the bytes it was given.
//
// The count is atomic because the last reference may be dropped on another thread than the one
// that allocated the buffer (the lazy-free thread, a shard that received it from another shard).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

namespace shardcache::storage {

// Values of at least this many bytes are held in a ValueBuffer: Redis's PROTO_MBULK_BIG_ARG, the
// size from which Redis too reads a bulk argument straight into the object that stores it.
// Below it a value lives inside its Entry (one allocation, no reference count).
inline constexpr std::size_t kOutOfLineValueSize = 32 * 1024;

class ValueBuffer {
 public:
  // A buffer of `size` bytes with one reference. The bytes are left uninitialised (no
  // zero-filling: the caller is about to write all of them).
  static ValueBuffer* allocate(std::size_t size);
  // A buffer holding a copy of `bytes`, with one reference.
  static ValueBuffer* copy_of(std::string_view bytes);

  void retain() { refs_.fetch_add(1, std::memory_order_relaxed); }
  // Drops one reference; the last one frees the buffer, or hands it to the deferred-free hook
  // when it is large (see set_deferred_free).
  void release();
  // Whether anyone but the caller holds a reference.
  bool shared() const { return refs_.load(std::memory_order_acquire) > 1; }

  char* data() { return reinterpret_cast<char*>(this + 1); }
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
  std::size_t size() const { return size_; }
  std::string_view view() const { return {data(), size_}; }
  // The allocation's usable size (what used_memory and MEMORY USAGE charge).
  std::size_t allocated_bytes() const;

  // Buffers of at least this size are mapped directly rather than malloc'ed (glibc would mmap
  // them anyway: 32 MiB is its cap on the mmap threshold), so that their mappings are reused
  // (MappingCache) and unmapped in slices (unmap_in_slices).
  static constexpr std::size_t kMappedSize = 32 * 1024 * 1024;

  // Freeing a large buffer is slow where the allocator gives its pages back (glibc munmaps
  // buffers above its mmap threshold: ~1 ms per 8 MiB): `defer` then receives the buffers of at
  // least `min_size` bytes whose last reference is released, and calls free_now() on another
  // thread. Set once before any other thread uses buffers; nullptr (the default) frees at once.
  static void set_deferred_free(void (*defer)(ValueBuffer*), std::size_t min_size);
  static void free_now(ValueBuffer* buffer);

  ValueBuffer(const ValueBuffer&) = delete;
  ValueBuffer& operator=(const ValueBuffer&) = delete;

 private:
  ValueBuffer(std::size_t size, std::size_t mapped_bytes)
      : size_(size), mapped_bytes_(mapped_bytes) {}
  ~ValueBuffer() = default;

  std::atomic<std::uint32_t> refs_{1};
  std::size_t size_;
  std::size_t mapped_bytes_;  // the length of its mapping; 0 when malloc'ed
};

// An owning reference to a ValueBuffer (one count), or none.
class ValueRef {
 public:
  ValueRef() = default;
  // Adopts the reference the caller holds on `buffer`.
  explicit ValueRef(ValueBuffer* buffer) : buffer_(buffer) {}
  // A new reference to `buffer`.
  static ValueRef retained(ValueBuffer* buffer) {
    buffer->retain();
    return ValueRef(buffer);
  }
  ValueRef(const ValueRef& other) : buffer_(other.buffer_) {
    if (buffer_ != nullptr) buffer_->retain();
  }
  ValueRef(ValueRef&& other) noexcept : buffer_(std::exchange(other.buffer_, nullptr)) {}
  ValueRef& operator=(ValueRef other) noexcept {
    std::swap(buffer_, other.buffer_);
    return *this;
  }
  ~ValueRef() {
    if (buffer_ != nullptr) buffer_->release();
  }

  ValueBuffer* get() const { return buffer_; }
  ValueBuffer* operator->() const { return buffer_; }
  ValueBuffer& operator*() const { return *buffer_; }
  explicit operator bool() const { return buffer_ != nullptr; }
  // Hands the reference over to the caller.
  ValueBuffer* take() { return std::exchange(buffer_, nullptr); }

 private:
  ValueBuffer* buffer_ = nullptr;
};

}  // namespace shardcache::storage
