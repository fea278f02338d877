#include "storage/zset_listpack.h"
#include "storage/varint.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace shardcache::storage {
namespace {

// (score, member) order, members compared as unsigned bytes as Redis's memcmp.
bool before(double score_a, std::string_view member_a, double score_b, std::string_view member_b) {
  return score_a < score_b || (score_a == score_b && member_a < member_b);
}

}  // namespace

ZSetListpack::~ZSetListpack() { std::free(data_); }

ZSetListpack::ZSetListpack(const ZSetListpack& other) : used_(other.used_), count_(other.count_) {
  if (used_ == 0) return;
  data_ = static_cast<char*>(std::malloc(used_));
  if (data_ == nullptr) throw std::bad_alloc();
  std::memcpy(data_, other.data_, used_);
}

std::size_t ZSetListpack::heap_bytes() const {
  return data_ == nullptr ? 0 : ::malloc_usable_size(data_);
}

std::size_t ZSetListpack::entry_size(std::size_t member_len) {
  return sizeof(double) + varint_size(member_len) + member_len;
}

void ZSetListpack::resize(std::size_t used) {
  if (used == 0) {
    std::free(data_);
    data_ = nullptr;
  } else {
    char* grown = static_cast<char*>(std::realloc(data_, used));
    if (grown == nullptr) throw std::bad_alloc();
    data_ = grown;
  }
  used_ = static_cast<std::uint32_t>(used);
}

ZSetListpack::Item ZSetListpack::at(std::size_t offset) const {
  double score;
  std::memcpy(&score, data_ + offset, sizeof(score));
  std::size_t len;
  const char* member = get_varint(data_ + offset + sizeof(double), len);
  return Item{std::string_view(member, len), score,
              static_cast<std::size_t>(member + len - data_)};
}

std::size_t ZSetListpack::find(std::string_view member) const {
  for (std::size_t offset = 0; offset < used_;) {
    const Item item = at(offset);
    if (item.member == member) return offset;
    offset = item.next;
  }
  return npos;
}

void ZSetListpack::insert(std::string_view member, double score) {
  // Redis keeps a listpack's scores as text printed like an integer when integral, so -0 is
  // stored (and later read back) as 0; a skiplist keeps -0.
  if (score == 0) score = 0.0;
  std::size_t offset = 0;
  while (offset < used_) {
    const Item item = at(offset);
    if (before(score, member, item.score, item.member)) break;
    offset = item.next;
  }
  const std::size_t size = entry_size(member.size());
  const std::size_t old_used = used_;
  resize(old_used + size);
  std::memmove(data_ + offset + size, data_ + offset, old_used - offset);
  std::memcpy(data_ + offset, &score, sizeof(score));
  char* at = put_varint(data_ + offset + sizeof(double), member.size());
  if (!member.empty()) std::memcpy(at, member.data(), member.size());
  ++count_;
}

void ZSetListpack::erase_at(std::size_t offset) {
  const std::size_t next = at(offset).next;
  std::memmove(data_ + offset, data_ + next, used_ - next);
  resize(used_ - (next - offset));
  --count_;
}

void ZSetListpack::erase_ranks(std::size_t start, std::size_t end) {
  if (start >= end) return;
  const std::size_t from = offset_of_rank(start);
  std::size_t to = from;
  for (std::size_t r = start; r < end; ++r) to = at(to).next;
  std::memmove(data_ + from, data_ + to, used_ - to);
  resize(used_ - (to - from));
  count_ -= static_cast<std::uint32_t>(end - start);
}

std::vector<std::uint32_t> ZSetListpack::offsets() const {
  std::vector<std::uint32_t> all;
  all.reserve(count_);
  for (std::size_t offset = 0; offset < used_; offset = at(offset).next) {
    all.push_back(static_cast<std::uint32_t>(offset));
  }
  return all;
}

std::size_t ZSetListpack::offset_of_rank(std::size_t rank) const {
  std::size_t offset = 0;
  while (rank-- > 0) offset = at(offset).next;
  return offset;
}

}  // namespace shardcache::storage
