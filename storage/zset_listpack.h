// ZSetListpack: a small sorted set as one malloc'd byte buffer of entries kept in (score, member)
// order, Redis's listpack encoding for sorted sets. Each entry is
//   [double score, 8 bytes][LEB128 member length][member bytes]
// so "member:123" with any score takes 19 bytes (Redis: ~14 for the member plus up to 24 for the
// score printed as text). Every operation is a linear walk, which is what small sets want.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace shardcache::storage {

class ZSetListpack {
 public:
  ZSetListpack() = default;
  ~ZSetListpack();
  ZSetListpack(const ZSetListpack& other);
  ZSetListpack& operator=(const ZSetListpack&) = delete;

  // One decoded entry, pointing into the buffer (valid until the next change).
  struct Item {
    std::string_view member;
    double score;
    std::size_t next;  // offset of the following entry
  };

  std::size_t size() const { return count_; }
  std::size_t heap_bytes() const;  // the buffer's allocation

  Item at(std::size_t offset) const;
  std::size_t end_offset() const { return used_; }
  // The offset of `member`'s entry, or npos.
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  std::size_t find(std::string_view member) const;
  // Inserts a member known to be absent, at its sorted place.
  void insert(std::string_view member, double score);
  // Removes the entry at `offset`.
  void erase_at(std::size_t offset);
  // Removes the entries of ranks [start, end).
  void erase_ranks(std::size_t start, std::size_t end);
  // The offsets of every entry, in order (reverse walks and rank jumps on a small set).
  std::vector<std::uint32_t> offsets() const;
  // The offset of the entry of rank `rank` (< size()).
  std::size_t offset_of_rank(std::size_t rank) const;

 private:
  static std::size_t entry_size(std::size_t member_len);
  void resize(std::size_t used);

  char* data_ = nullptr;
  std::uint32_t used_ = 0;
  std::uint32_t count_ = 0;
};

}  // namespace shardcache::storage
