#include "storage/key_table.h"

#include <sys/mman.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cstdlib>
#include <new>
#include <utility>

namespace shardcache::storage {
namespace {

constexpr std::size_t kInitialBuckets = 4;
// Shrink when fewer than 1 in 8 buckets would be used (Redis: HASHTABLE_MIN_FILL).
constexpr std::size_t kShrinkRatio = 8;
// The old array of a rehash gives its emptied pages back in slices of this size (see
// release_rehashed_pages), when it is at least kReleaseMinBytes large.
constexpr std::size_t kReleaseChunk = 256 * 1024;
constexpr std::size_t kReleaseMinBytes = 1024 * 1024;

std::size_t next_power_of_two(std::size_t n) {
  std::size_t p = kInitialBuckets;
  while (p < n) p <<= 1;
  return p;
}

// Reverses the bits of v (SCAN's cursor increments the high bits first).
std::uint64_t reverse_bits(std::uint64_t v) {
  std::uint64_t r = 0;
  for (int i = 0; i < 64; ++i) {
    r = (r << 1) | (v & 1);
    v >>= 1;
  }
  return r;
}

}  // namespace

std::uint64_t hash_key(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

KeyTable::KeyTable(KeyTable&& other) noexcept { *this = std::move(other); }

KeyTable& KeyTable::operator=(KeyTable&& other) noexcept {
  if (this != &other) {
    free_buckets(tables_[0]);
    free_buckets(tables_[1]);
    tables_[0] = std::exchange(other.tables_[0], Buckets{});
    tables_[1] = std::exchange(other.tables_[1], Buckets{});
    size_ = std::exchange(other.size_, 0);
    rehash_index_ = std::exchange(other.rehash_index_, -1);
    released_until_ = std::exchange(other.released_until_, 0);
  }
  return *this;
}

KeyTable::~KeyTable() {
  free_buckets(tables_[0]);
  free_buckets(tables_[1]);
}

void KeyTable::free_buckets(Buckets& b) {
  std::free(b.slots);
  b = Buckets{};
}

std::size_t KeyTable::bucket_bytes() const {
  return (tables_[0].count() + tables_[1].count()) * sizeof(Entry*);
}

Entry* KeyTable::find(std::string_view key) const {
  if (size_ == 0) return nullptr;
  const std::uint64_t h = hash_key(key);
  for (int t = 0; t < 2; ++t) {
    const Buckets& b = tables_[t];
    if (b.slots == nullptr) break;
    for (Entry* e = b.slots[h & b.mask]; e != nullptr; e = e->next()) {
      if (e->key() == key) return e;
    }
    if (rehash_index_ < 0) break;
  }
  return nullptr;
}

void KeyTable::insert(Entry* entry) {
  step_if_rehashing();
  if (tables_[0].slots == nullptr) {
    start_resize(kInitialBuckets);
  } else if (rehash_index_ < 0 && size_ >= tables_[0].count()) {
    start_resize(next_power_of_two(size_ * 2));  // load factor 1 reached: double
  }
  Buckets& b = rehash_index_ >= 0 ? tables_[1] : tables_[0];
  Entry*& head = b.slots[hash_key(entry->key()) & b.mask];
  entry->set_next(head);
  head = entry;
  ++size_;
}

Entry* KeyTable::remove(std::string_view key) {
  if (size_ == 0) return nullptr;
  step_if_rehashing();
  const std::uint64_t h = hash_key(key);
  for (int t = 0; t < 2; ++t) {
    Buckets& b = tables_[t];
    if (b.slots == nullptr) break;
    for (Entry** link = &b.slots[h & b.mask]; *link != nullptr; link = &(*link)->next_ref()) {
      Entry* e = *link;
      if (e->key() == key) {
        *link = e->next();
        e->set_next(nullptr);
        --size_;
        return e;
      }
    }
    if (rehash_index_ < 0) break;
  }
  return nullptr;
}

void KeyTable::replace(Entry* current, Entry* replacement) {
  // Hash the replacement's key (the same key): `current` may already be freed, as
  // Entry::with_value / with_expiry free the entry they copy; it is only compared, never read.
  const std::uint64_t h = hash_key(replacement->key());
  for (int t = 0; t < 2; ++t) {
    Buckets& b = tables_[t];
    if (b.slots == nullptr) break;
    for (Entry** link = &b.slots[h & b.mask]; *link != nullptr; link = &(*link)->next_ref()) {
      if (*link == current) {
        *link = replacement;
        return;
      }
    }
  }
}

void KeyTable::start_resize(std::size_t buckets) {
  auto* slots = static_cast<Entry**>(std::calloc(buckets, sizeof(Entry*)));
  if (slots == nullptr) throw std::bad_alloc();
  if (tables_[0].slots == nullptr) {
    tables_[0] = Buckets{slots, buckets - 1};
    return;
  }
  tables_[1] = Buckets{slots, buckets - 1};
  rehash_index_ = 0;
  released_until_ = 0;
}

void KeyTable::release_rehashed_pages() {
  // Freeing a large array whole when its rehash ends costs the kernel ~0.2 us per resident page
  // (about 1 ms for 16 MB, 2^21 buckets): a stall that grows with the table. Instead the pages
  // the rehash has emptied go back as it passes them; the final free then finds few resident.
  // Emptied buckets are nullptr, and the zero pages MADV_DONTNEED leaves behind read as nullptr
  // too, so lookups and SCAN that still read the old array see no difference. Only pages wholly
  // inside the array are released (never malloc's chunk header).
  const Buckets& from = tables_[0];
  const std::size_t bytes = from.count() * sizeof(Entry*);
  if (bytes < kReleaseMinBytes) return;
  static const std::uintptr_t page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<std::uintptr_t>(from.slots);
  const auto done = reinterpret_cast<std::uintptr_t>(from.slots + rehash_index_);
  const std::uintptr_t start = std::max((begin + page - 1) & ~(page - 1), released_until_);
  const std::uintptr_t end = done & ~(page - 1);
  if (end < start + kReleaseChunk) return;
  ::madvise(reinterpret_cast<void*>(start), end - start, MADV_DONTNEED);
  released_until_ = end;
}

bool KeyTable::rehash_step(std::size_t buckets) {
  if (rehash_index_ < 0) return false;
  // Visiting empty buckets costs too: bound them as Redis does (10 per bucket asked for).
  std::size_t empty_visits = buckets * 10;
  Buckets& from = tables_[0];
  Buckets& to = tables_[1];
  while (buckets > 0 && static_cast<std::size_t>(rehash_index_) < from.count()) {
    Entry* e = from.slots[rehash_index_];
    if (e == nullptr) {
      ++rehash_index_;
      if (--empty_visits == 0) break;
      continue;
    }
    while (e != nullptr) {
      Entry* next = e->next();
      Entry*& head = to.slots[hash_key(e->key()) & to.mask];
      e->set_next(head);
      head = e;
      e = next;
    }
    from.slots[rehash_index_++] = nullptr;
    --buckets;
  }
  if (static_cast<std::size_t>(rehash_index_) >= from.count()) {
    free_buckets(from);
    tables_[0] = std::exchange(tables_[1], Buckets{});
    rehash_index_ = -1;
    return false;
  }
  release_rehashed_pages();
  return true;
}

void KeyTable::maybe_shrink() {
  if (rehash_index_ >= 0 || tables_[0].slots == nullptr) return;
  const std::size_t count = tables_[0].count();
  if (count > kInitialBuckets && size_ * kShrinkRatio < count) {
    start_resize(next_power_of_two(size_ == 0 ? 1 : size_));
  }
}

std::uint64_t KeyTable::scan(std::uint64_t cursor, const std::function<void(Entry*)>& fn) const {
  if (size_ == 0) return 0;
  const auto visit = [&](const Buckets& b, std::uint64_t index) {
    for (Entry* e = b.slots[index & b.mask]; e != nullptr; e = e->next()) fn(e);
  };
  if (rehash_index_ < 0) {
    const Buckets& t0 = tables_[0];
    visit(t0, cursor);
    // Increment the reversed cursor: the high bits of the mask first, so that buckets visited
    // before a resize are not visited again after it and none are skipped.
    cursor |= ~t0.mask;
    cursor = reverse_bits(reverse_bits(cursor) + 1);
    return cursor;
  }
  // During a rehash: visit the cursor's bucket in the small table, then every bucket of the
  // large table that it expands to.
  const Buckets* small = &tables_[0];
  const Buckets* large = &tables_[1];
  if (small->count() > large->count()) std::swap(small, large);
  visit(*small, cursor);
  do {
    visit(*large, cursor);
    cursor |= ~large->mask;
    cursor = reverse_bits(reverse_bits(cursor) + 1);
  } while (cursor & (small->mask ^ large->mask));
  return cursor;
}

Entry* KeyTable::random_entry(std::mt19937_64& rng) const {
  if (size_ == 0) return nullptr;
  Entry* head = nullptr;
  do {
    if (rehash_index_ >= 0) {
      // Buckets [0, rehash_index_) of the old table are empty: draw over the rest of both.
      const std::size_t old_left = tables_[0].count() - static_cast<std::size_t>(rehash_index_);
      const std::size_t pick = rng() % (old_left + tables_[1].count());
      head = pick < old_left ? tables_[0].slots[static_cast<std::size_t>(rehash_index_) + pick]
                             : tables_[1].slots[pick - old_left];
    } else {
      head = tables_[0].slots[rng() & tables_[0].mask];
    }
  } while (head == nullptr);
  std::size_t length = 0;
  for (Entry* e = head; e != nullptr; e = e->next()) ++length;
  std::size_t index = rng() % length;
  Entry* e = head;
  while (index-- > 0) e = e->next();
  return e;
}

void KeyTable::release_all(const std::function<void(Entry*)>& fn) {
  for (auto& b : tables_) {
    for (std::size_t i = 0; i < b.count(); ++i) {
      for (Entry* e = b.slots[i]; e != nullptr;) {
        Entry* next = e->next();
        fn(e);
        e = next;
      }
    }
    free_buckets(b);
  }
  size_ = 0;
  rehash_index_ = -1;
}

}  // namespace shardcache::storage
