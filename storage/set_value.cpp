#include "storage/set_value.h"
#include "storage/varint.h"

#include <malloc.h>
#include <xxhash.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <optional>
#include <utility>
#include <vector>

namespace shardcache::storage {
namespace {

// Redis's string2ll: optional '-', no '+', no leading zeros, no spaces, fits in 64 bits.
std::optional<std::int64_t> canonical_integer(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  if (s[0] == '+' || (s.size() > 1 && (s[0] == '0' || (s[0] == '-' && s[1] == '0')))) {
    return std::nullopt;
  }
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// Text of an integer member; `buf` holds at least 20 bytes.
std::string_view integer_text(std::int64_t value, char* buf) {
  const auto [end, ec] = std::to_chars(buf, buf + 20, value);
  return {buf, static_cast<std::size_t>(end - buf)};
}

std::size_t digits_of(std::int64_t value) {
  char buf[20];
  return integer_text(value, buf).size();
}

std::size_t usable(const void* block) {
  return block == nullptr ? 0 : ::malloc_usable_size(const_cast<void*>(block));
}

void* checked_realloc(void* block, std::size_t size) {
  void* grown = std::realloc(block, size);
  if (grown == nullptr) throw std::bad_alloc();
  return grown;
}

// A length-prefixed entry at `at`: its text and the address after it.
std::string_view read_entry(const char* at, const char** next) {
  std::size_t len = 0;
  const char* text = get_varint(at, len);
  *next = text + len;
  return {text, len};
}

std::uint64_t hash_member(std::string_view member) {
  return XXH3_64bits(member.data(), member.size());
}

std::uint64_t reverse_bits(std::uint64_t v) {
  std::uint64_t r = 0;
  for (int i = 0; i < 64; ++i) {
    r = (r << 1) | (v & 1);
    v >>= 1;
  }
  return r;
}

// Redis's reverse-binary cursor increment over a table of mask + 1 buckets.
std::uint64_t next_cursor(std::uint64_t cursor, std::uint64_t mask) {
  cursor |= ~mask;
  cursor = reverse_bits(cursor);
  ++cursor;
  return reverse_bits(cursor);
}

constexpr std::size_t kListpackHeader = sizeof(std::uint32_t);  // bytes used, header included
// Redis's LISTPACK_MAX_SAFETY_SIZE: a listpack that would grow past it converts instead (and
// its 32-bit header never overflows, whatever set-max-listpack-value says).
constexpr std::size_t kListpackSafeSize = std::size_t{1} << 30;
constexpr std::size_t kMinBuckets = 4;

}  // namespace

// A hashtable node is one allocation: the next pointer, then [varint length][bytes].
struct SetNode {
  SetNode* next;
  std::string_view member() const {
    const char* unused = nullptr;
    return read_entry(reinterpret_cast<const char*>(this + 1), &unused);
  }
  static SetNode* make(std::string_view member) {
    const std::size_t size = sizeof(SetNode) + varint_size(member.size()) + member.size();
    auto* node = static_cast<SetNode*>(std::malloc(size));
    if (node == nullptr) throw std::bad_alloc();
    node->next = nullptr;
    char* text = put_varint(reinterpret_cast<char*>(node + 1), member.size());
    std::memcpy(text, member.data(), member.size());
    return node;
  }
};

struct SetValue::Table {
  SetNode** buckets = nullptr;
  std::size_t mask = 0;        // bucket count - 1 (a power of two)
  std::size_t node_bytes = 0;  // usable bytes of every node
};

SetValue::~SetValue() { free_storage(); }

void SetValue::free_storage() {
  if (kind_ == Kind::kHashtable) {
    auto* table = static_cast<Table*>(data_);
    for (std::size_t b = 0; b <= table->mask; ++b) {
      for (SetNode* node = table->buckets[b]; node != nullptr;) {
        SetNode* next = node->next;
        std::free(node);
        node = next;
      }
    }
    std::free(table->buckets);
    delete table;
  } else {
    std::free(data_);
  }
  data_ = nullptr;
}

Encoding SetValue::encoding() const {
  switch (kind_) {
    case Kind::kIntset: return Encoding::kIntset;
    case Kind::kListpack: return Encoding::kListpack;
    case Kind::kHashtable: break;
  }
  return Encoding::kHashtable;
}

std::size_t SetValue::bytes() const {
  std::size_t total = sizeof(SetValue);
  if (kind_ != Kind::kHashtable) return total + usable(data_);
  const auto* table = static_cast<const Table*>(data_);
  return total + sizeof(Table) + usable(table->buckets) + table->node_bytes;
}

std::size_t SetValue::recount_bytes() const {
  if (kind_ != Kind::kHashtable) return bytes();
  const auto* table = static_cast<const Table*>(data_);
  std::size_t total = sizeof(SetValue) + sizeof(Table) + usable(table->buckets);
  for (std::size_t b = 0; b <= table->mask; ++b) {
    for (SetNode* node = table->buckets[b]; node != nullptr; node = node->next) {
      total += usable(node);
    }
  }
  return total;
}

std::unique_ptr<Container> SetValue::clone() const { return clone_set(); }

std::unique_ptr<SetValue> SetValue::clone_set() const {
  auto copy = std::make_unique<SetValue>();
  copy->kind_ = kind_;
  copy->int_width_ = int_width_;
  if (kind_ == Kind::kHashtable) {
    copy->data_ = new Table();
    copy->table_resize((static_cast<const Table*>(data_))->mask + 1);
    for_each([&](std::string_view member) { copy->table_add(member); });
    copy->count_ = count_;
    return copy;
  }
  if (data_ != nullptr) {
    const std::size_t size = kind_ == Kind::kIntset ? count_ * int_width_ : listpack_used();
    copy->data_ = checked_realloc(nullptr, size);
    std::memcpy(copy->data_, data_, size);
  }
  copy->count_ = count_;
  return copy;
}

// ---- intset ----------------------------------------------------------------------------------

std::int64_t SetValue::int_at(std::size_t index) const {
  const char* at = static_cast<const char*>(data_) + index * int_width_;
  switch (int_width_) {
    case 2: {
      std::int16_t v;
      std::memcpy(&v, at, 2);
      return v;
    }
    case 4: {
      std::int32_t v;
      std::memcpy(&v, at, 4);
      return v;
    }
    default: {
      std::int64_t v;
      std::memcpy(&v, at, 8);
      return v;
    }
  }
}

std::size_t SetValue::int_search(std::int64_t value, bool& found) const {
  std::size_t lo = 0;
  std::size_t hi = count_;
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    const std::int64_t at = int_at(mid);
    if (at == value) {
      found = true;
      return mid;
    }
    if (at < value) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  found = false;
  return lo;
}

namespace {

std::uint8_t width_for(std::int64_t value) {
  if (value >= std::numeric_limits<std::int16_t>::min() &&
      value <= std::numeric_limits<std::int16_t>::max()) {
    return 2;
  }
  if (value >= std::numeric_limits<std::int32_t>::min() &&
      value <= std::numeric_limits<std::int32_t>::max()) {
    return 4;
  }
  return 8;
}

void store_int(char* at, std::int64_t value, std::uint8_t width) {
  if (width == 2) {
    const auto v = static_cast<std::int16_t>(value);
    std::memcpy(at, &v, 2);
  } else if (width == 4) {
    const auto v = static_cast<std::int32_t>(value);
    std::memcpy(at, &v, 4);
  } else {
    std::memcpy(at, &value, 8);
  }
}

}  // namespace

bool SetValue::intset_add(std::int64_t value) {
  bool found = false;
  std::size_t index = int_search(value, found);
  if (found) return false;
  const std::uint8_t width = std::max(int_width_, width_for(value));
  if (width != int_width_) {
    // Widen every value, back to front so that nothing is overwritten before it is read.
    data_ = checked_realloc(data_, (count_ + 1) * width);
    char* base = static_cast<char*>(data_);
    for (std::size_t i = count_; i-- > 0;) store_int(base + i * width, int_at(i), width);
    int_width_ = width;
  } else {
    data_ = checked_realloc(data_, (count_ + 1) * width);
  }
  char* base = static_cast<char*>(data_);
  std::memmove(base + (index + 1) * width, base + index * width, (count_ - index) * width);
  store_int(base + index * width, value, width);
  ++count_;
  return true;
}

void SetValue::intset_remove_at(std::size_t index) {
  char* base = static_cast<char*>(data_);
  std::memmove(base + index * int_width_, base + (index + 1) * int_width_,
               (count_ - index - 1) * int_width_);
  --count_;
  if (count_ == 0) {
    std::free(data_);
    data_ = nullptr;
  } else {
    data_ = checked_realloc(data_, count_ * int_width_);
  }
}

bool SetValue::intset_remove(std::int64_t value) {
  bool found = false;
  const std::size_t index = int_search(value, found);
  if (!found) return false;
  intset_remove_at(index);
  return true;
}

// ---- listpack --------------------------------------------------------------------------------

std::size_t SetValue::listpack_used() const {
  if (data_ == nullptr) return 0;
  std::uint32_t used;
  std::memcpy(&used, data_, sizeof used);
  return used;
}

const char* SetValue::listpack_find(std::string_view member) const {
  if (data_ == nullptr) return nullptr;
  const char* at = static_cast<const char*>(data_) + kListpackHeader;
  const char* end = static_cast<const char*>(data_) + listpack_used();
  while (at < end) {
    const char* next = nullptr;
    if (read_entry(at, &next) == member) return at;
    at = next;
  }
  return nullptr;
}

void SetValue::listpack_append(std::string_view member) {
  const std::size_t used = data_ == nullptr ? kListpackHeader : listpack_used();
  const std::size_t grown = used + varint_size(member.size()) + member.size();
  data_ = checked_realloc(data_, grown);
  char* text = put_varint(static_cast<char*>(data_) + used, member.size());
  std::memcpy(text, member.data(), member.size());
  const auto header = static_cast<std::uint32_t>(grown);
  std::memcpy(data_, &header, sizeof header);
  ++count_;
}

void SetValue::listpack_erase(const char* entry) {
  const char* next = nullptr;
  read_entry(entry, &next);
  const std::size_t used = listpack_used();
  char* base = static_cast<char*>(data_);
  const std::size_t from = static_cast<std::size_t>(entry - base);
  const std::size_t gone = static_cast<std::size_t>(next - entry);
  std::memmove(base + from, base + from + gone, used - from - gone);
  --count_;
  if (count_ == 0) {
    std::free(data_);
    data_ = nullptr;
    return;
  }
  const auto header = static_cast<std::uint32_t>(used - gone);
  data_ = checked_realloc(data_, used - gone);
  std::memcpy(data_, &header, sizeof header);
}

std::string_view SetValue::listpack_at(std::size_t index) const {
  const char* at = static_cast<const char*>(data_) + kListpackHeader;
  for (;;) {
    const char* next = nullptr;
    const std::string_view member = read_entry(at, &next);
    if (index-- == 0) return member;
    at = next;
  }
}

// ---- hashtable -------------------------------------------------------------------------------

void SetValue::table_resize(std::size_t buckets) {
  auto* table = static_cast<Table*>(data_);
  auto** fresh = static_cast<SetNode**>(std::calloc(buckets, sizeof(SetNode*)));
  if (fresh == nullptr) throw std::bad_alloc();
  if (table->buckets != nullptr) {
    for (std::size_t b = 0; b <= table->mask; ++b) {
      for (SetNode* node = table->buckets[b]; node != nullptr;) {
        SetNode* next = node->next;
        const std::size_t to = hash_member(node->member()) & (buckets - 1);
        node->next = fresh[to];
        fresh[to] = node;
        node = next;
      }
    }
    std::free(table->buckets);
  }
  table->buckets = fresh;
  table->mask = buckets - 1;
}

bool SetValue::table_add(std::string_view member) {
  auto* table = static_cast<Table*>(data_);
  SetNode*& head = table->buckets[hash_member(member) & table->mask];
  for (SetNode* node = head; node != nullptr; node = node->next) {
    if (node->member() == member) return false;
  }
  SetNode* node = SetNode::make(member);
  node->next = head;
  head = node;
  table->node_bytes += usable(node);
  ++count_;
  if (count_ > table->mask + 1) table_resize((table->mask + 1) * 2);
  return true;
}

bool SetValue::table_remove(std::string_view member) {
  auto* table = static_cast<Table*>(data_);
  SetNode** link = &table->buckets[hash_member(member) & table->mask];
  for (; *link != nullptr; link = &(*link)->next) {
    SetNode* node = *link;
    if (node->member() != member) continue;
    *link = node->next;
    table->node_bytes -= usable(node);
    std::free(node);
    --count_;
    // Shrink below 1/8 full, as Redis resizes under 10%, keeping random picks cheap.
    if (table->mask + 1 > kMinBuckets && count_ * 8 < table->mask + 1) {
      std::size_t buckets = kMinBuckets;
      while (buckets < count_) buckets *= 2;
      table_resize(buckets);
    }
    return true;
  }
  return false;
}

// ---- conversions -----------------------------------------------------------------------------

void SetValue::to_listpack() {
  SetValue converted;
  converted.kind_ = Kind::kListpack;
  for_each([&](std::string_view member) { converted.listpack_append(member); });
  free_storage();
  data_ = std::exchange(converted.data_, nullptr);
  kind_ = Kind::kListpack;
}

void SetValue::to_hashtable() {
  SetValue converted;
  converted.kind_ = Kind::kHashtable;
  converted.data_ = new Table();
  std::size_t buckets = kMinBuckets;
  while (buckets < count_ + 1u) buckets *= 2;
  converted.table_resize(buckets);
  for_each([&](std::string_view member) { converted.table_add(member); });
  free_storage();
  data_ = std::exchange(converted.data_, nullptr);
  converted.kind_ = Kind::kIntset;  // it owns nothing now
  kind_ = Kind::kHashtable;
}

// ---- operations ------------------------------------------------------------------------------

bool SetValue::add(std::string_view member, const EncodingLimits& limits) {
  if (kind_ == Kind::kIntset) {
    if (const auto value = canonical_integer(member)) {
      if (!intset_add(*value)) return false;
      if (count_ > limits.set_max_intset_entries) to_hashtable();
      return true;
    }
    // A non-integer member: a listpack if all of it fits one (the intset's widest text
    // included), else a hashtable.
    std::size_t widest = 0;
    if (count_ > 0) widest = std::max(digits_of(int_at(0)), digits_of(int_at(count_ - 1)));
    if (count_ < limits.set_max_listpack_entries &&
        member.size() <= limits.set_max_listpack_value &&
        widest <= limits.set_max_listpack_value &&
        (count_ + 1) * 21 + member.size() + 16 <= kListpackSafeSize) {
      to_listpack();
    } else {
      to_hashtable();
    }
  }
  if (kind_ == Kind::kListpack) {
    if (listpack_find(member) != nullptr) return false;
    if (count_ < limits.set_max_listpack_entries &&
        member.size() <= limits.set_max_listpack_value &&
        listpack_used() + member.size() + 16 <= kListpackSafeSize) {
      listpack_append(member);
      return true;
    }
    to_hashtable();
  }
  return table_add(member);
}

bool SetValue::remove(std::string_view member) {
  switch (kind_) {
    case Kind::kIntset: {
      const auto value = canonical_integer(member);
      return value && intset_remove(*value);
    }
    case Kind::kListpack: {
      const char* entry = listpack_find(member);
      if (entry == nullptr) return false;
      listpack_erase(entry);
      return true;
    }
    case Kind::kHashtable: break;
  }
  return table_remove(member);
}

bool SetValue::contains(std::string_view member) const {
  switch (kind_) {
    case Kind::kIntset: {
      const auto value = canonical_integer(member);
      bool found = false;
      if (value) int_search(*value, found);
      return found;
    }
    case Kind::kListpack: return listpack_find(member) != nullptr;
    case Kind::kHashtable: break;
  }
  const auto* table = static_cast<const Table*>(data_);
  for (SetNode* node = table->buckets[hash_member(member) & table->mask]; node != nullptr;
       node = node->next) {
    if (node->member() == member) return true;
  }
  return false;
}

void SetValue::for_each(const Visit& visit) const {
  switch (kind_) {
    case Kind::kIntset: {
      char buf[20];
      for (std::size_t i = 0; i < count_; ++i) visit(integer_text(int_at(i), buf));
      return;
    }
    case Kind::kListpack: {
      if (data_ == nullptr) return;
      const char* at = static_cast<const char*>(data_) + kListpackHeader;
      const char* end = static_cast<const char*>(data_) + listpack_used();
      while (at < end) visit(read_entry(at, &at));
      return;
    }
    case Kind::kHashtable: break;
  }
  const auto* table = static_cast<const Table*>(data_);
  for (std::size_t b = 0; b <= table->mask; ++b) {
    for (SetNode* node = table->buckets[b]; node != nullptr; node = node->next) {
      visit(node->member());
    }
  }
}

std::string SetValue::random_member(std::mt19937_64& rng) const {
  if (kind_ == Kind::kIntset) {
    char buf[20];
    return std::string(integer_text(int_at(rng() % count_), buf));
  }
  if (kind_ == Kind::kListpack) return std::string(listpack_at(rng() % count_));
  // A random non-empty bucket, then a random node of its chain (Redis's dictGetFairRandomKey
  // is no fairer than this either).
  const auto* table = static_cast<const Table*>(data_);
  for (;;) {
    SetNode* head = table->buckets[rng() & table->mask];
    if (head == nullptr) continue;
    std::size_t length = 0;
    for (SetNode* node = head; node != nullptr; node = node->next) ++length;
    std::size_t pick = rng() % length;
    SetNode* node = head;
    while (pick-- > 0) node = node->next;
    return std::string(node->member());
  }
}

std::string SetValue::pop_random(std::mt19937_64& rng) {
  std::string member = random_member(rng);
  remove(member);
  return member;
}

std::uint64_t SetValue::scan(std::uint64_t cursor, std::size_t count, const Visit& visit) const {
  if (kind_ != Kind::kHashtable) {
    for_each(visit);
    return 0;
  }
  const auto* table = static_cast<const Table*>(data_);
  std::size_t found = 0;
  std::size_t budget = count > SIZE_MAX / 10 ? SIZE_MAX : count * 10;
  do {
    for (SetNode* node = table->buckets[cursor & table->mask]; node != nullptr;
         node = node->next) {
      visit(node->member());
      ++found;
    }
    cursor = next_cursor(cursor, table->mask);
  } while (cursor != 0 && budget-- > 0 && found < count);
  return cursor;
}

}  // namespace shardcache::storage
