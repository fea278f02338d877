// SetValue: the container of a set key, in one of three encodings as Redis 7.2 keeps them:
//
//   intset    while every member is a canonical integer (Redis's string2ll) and there are at most
//             set-max-intset-entries of them: one malloc'd array of int16/int32/int64 values,
//             sorted ascending, widened as a larger value arrives.
//   listpack  while there are at most set-max-listpack-entries members of at most
//             set-max-listpack-value bytes: one malloc'd buffer of [varint length][bytes]
//             entries in insertion order.
//   hashtable otherwise: a power-of-two array of bucket chains whose nodes are single
//             allocations [next][varint length][bytes].
//
// Conversions are one-way, as in Redis 7.2: intset → listpack when a non-integer member arrives
// and the result still fits a listpack, else → hashtable; listpack → hashtable. Removing never
// converts back. Iteration order: intset ascending, listpack insertion order, hashtable bucket
// order (unspecified).
//
// bytes() is kept exact (malloc_usable_size of every block) and O(1): the compact encodings read
// their one buffer's size; the hashtable tracks its nodes' bytes as they come and go.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "storage/container.h"

namespace shardcache::storage {

class SetValue final : public Container {
 public:
  static constexpr ValueType kType = ValueType::kSet;
  using Visit = std::function<void(std::string_view member)>;

  SetValue() = default;  // an empty intset
  ~SetValue() override;
  SetValue(const SetValue&) = delete;
  SetValue& operator=(const SetValue&) = delete;

  ValueType type() const override { return kType; }
  Encoding encoding() const override;
  std::size_t size() const override { return count_; }
  std::size_t bytes() const override;
  std::unique_ptr<Container> clone() const override;
  std::unique_ptr<SetValue> clone_set() const;
  // bytes() recomputed by walking every block (O(n)): the tests hold the tracking against it.
  std::size_t recount_bytes() const;

  // Adds `member`; false if it was already there. Converts the encoding first when `member`
  // does not fit the current one under `limits`.
  bool add(std::string_view member, const EncodingLimits& limits);
  // Removes `member`; false if it was not there.
  bool remove(std::string_view member);
  bool contains(std::string_view member) const;

  // Calls `visit` for every member in the encoding's order. The set must not change meanwhile.
  void for_each(const Visit& visit) const;
  // A uniformly chosen member; the set must not be empty.
  std::string random_member(std::mt19937_64& rng) const;
  // Removes and returns a random member; the set must not be empty.
  std::string pop_random(std::mt19937_64& rng);

  // SSCAN: visits members from `cursor` on and returns the cursor to continue from (0: done).
  // The compact encodings visit everything at once; the hashtable walks buckets with Redis's
  // reverse-binary cursor (every member present for the whole scan is returned across
  // resizes), at least `count` members unless it runs out, over at most count * 10 buckets.
  std::uint64_t scan(std::uint64_t cursor, std::size_t count, const Visit& visit) const;

 private:
  struct Table;  // the hashtable's bucket array and bookkeeping

  enum class Kind : std::uint8_t { kIntset, kListpack, kHashtable };

  // intset
  std::int64_t int_at(std::size_t index) const;
  // The index of `value`, or where it would be inserted (found tells which).
  std::size_t int_search(std::int64_t value, bool& found) const;
  bool intset_add(std::int64_t value);
  bool intset_remove(std::int64_t value);
  void intset_remove_at(std::size_t index);
  // listpack
  const char* listpack_find(std::string_view member) const;
  std::size_t listpack_used() const;
  void listpack_append(std::string_view member);
  void listpack_erase(const char* entry);
  std::string_view listpack_at(std::size_t index) const;
  // hashtable
  bool table_add(std::string_view member);
  bool table_remove(std::string_view member);
  void table_resize(std::size_t buckets);
  // conversions
  void to_listpack();
  void to_hashtable();
  void free_storage();

  // The intset's or listpack's buffer, or the Table.
  void* data_ = nullptr;
  std::uint32_t count_ = 0;
  Kind kind_ = Kind::kIntset;
  std::uint8_t int_width_ = 2;  // intset: bytes per value (2, 4 or 8)
};

}  // namespace shardcache::storage
