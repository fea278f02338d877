// Database: the string keys of one logical database (SELECT index) inside one shard.
//
// Single-threaded by design: only the owning shard thread touches it. Keys are hashed with XXH3.
// This is the foundation's keyspace (plain string values); TTLs, the other types, compact
// entries, incremental growth and eviction are the storage engine's work.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

namespace shardcache::storage {

struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const noexcept;
};

struct KeyEqual {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
};

class Database {
 public:
  // The value of `key`, or nullptr. The pointer is valid until the next mutation.
  const std::string* find(std::string_view key) const;
  // Inserts or overwrites.
  void set(std::string_view key, std::string_view value);
  // Bytes accounted to `key` and its value (MEMORY USAGE), 0 if absent.
  std::size_t usage(std::string_view key) const;
  // Returns whether the key existed.
  bool erase(std::string_view key);
  // Removes every key.
  void clear();

  std::size_t size() const { return entries_.size(); }
  // Bytes held for keys and values, including a per-entry estimate of the table's overhead.
  std::size_t used_bytes() const { return used_bytes_; }

 private:
  static std::size_t entry_bytes(std::string_view key, std::string_view value);

  std::unordered_map<std::string, std::string, KeyHash, KeyEqual> entries_;
  std::size_t used_bytes_ = 0;
};

}  // namespace shardcache::storage
