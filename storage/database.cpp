#include "storage/database.h"

#include <xxhash.h>

namespace shardcache::storage {

std::size_t KeyHash::operator()(std::string_view key) const noexcept {
  return XXH3_64bits(key.data(), key.size());
}

std::size_t Database::entry_bytes(std::string_view key, std::string_view value) {
  // A node of std::unordered_map: two std::string objects, the cached hash, the next pointer,
  // plus one bucket pointer; heap buffers only for strings beyond the small-string capacity.
  constexpr std::size_t kNodeOverhead = 2 * sizeof(std::string) + 2 * sizeof(void*) + sizeof(void*);
  constexpr std::size_t kInlineCapacity = 15;
  const auto heap = [](std::size_t n) { return n > kInlineCapacity ? n + 1 : 0; };
  return kNodeOverhead + heap(key.size()) + heap(value.size());
}

const std::string* Database::find(std::string_view key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

std::size_t Database::usage(std::string_view key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? 0 : entry_bytes(key, it->second);
}

void Database::set(std::string_view key, std::string_view value) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    entries_.emplace(std::string(key), std::string(value));
  } else {
    used_bytes_ -= entry_bytes(key, it->second);
    it->second.assign(value);
  }
  used_bytes_ += entry_bytes(key, value);
}

bool Database::erase(std::string_view key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  used_bytes_ -= entry_bytes(key, it->second);
  entries_.erase(it);
  return true;
}

void Database::clear() {
  entries_.clear();
  used_bytes_ = 0;
}

}  // namespace shardcache::storage
