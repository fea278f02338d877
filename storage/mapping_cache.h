// MappingCache: anonymous memory mappings whose buffer was freed, kept a short while for the
// next large buffer. Overwriting a 32 MiB value then costs no new mapping, none of the 8192
// page faults that would zero its pages again (~5 ms of the shard thread's time, spread over
// the reads), and no munmap; an allocator such as jemalloc (Redis's) keeps freed extents the
// same way. What is kept for longer than the caller's idle time is unmapped by trim().
//
// Thread-safe (one mutex: it is used once per buffer of tens of MiB).
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <vector>

namespace shardcache::storage {

class MappingCache {
 public:
  using Clock = std::chrono::steady_clock;

  // Keeps at most `capacity` bytes of mappings.
  explicit MappingCache(std::size_t capacity) : capacity_(capacity) {}
  ~MappingCache();  // unmaps what it keeps
  MappingCache(const MappingCache&) = delete;
  MappingCache& operator=(const MappingCache&) = delete;

  // A kept mapping of `length` to `length + length / 8` bytes (its length in `*taken`), or
  // nullptr. The smallest fit is taken: a little slack is accepted so that values of about the
  // same size reuse each other's mappings.
  void* take(std::size_t length, std::size_t* taken);
  // Keeps a mapping that is no longer used; false, leaving it to the caller, when that would
  // pass the capacity.
  bool keep(void* base, std::size_t length);
  // Unmaps the mappings kept for longer than `idle`; returns the bytes still kept.
  std::size_t trim(Clock::duration idle);
  std::size_t bytes() const;

  // The cache ValueBuffer uses.
  static MappingCache& process();

 private:
  struct Kept {
    void* base;
    std::size_t length;
    Clock::time_point since;
  };

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::vector<Kept> kept_;
  std::size_t bytes_ = 0;
};

// munmap in 2 MiB slices, from the end: munmap holds the process's mmap lock for its whole
// length (~1.5 ms for 32 MiB on the 2-core VM), and a thread mapping memory meanwhile waits.
void unmap_in_slices(void* base, std::size_t length);

}  // namespace shardcache::storage
