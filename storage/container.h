// Container: the object a hash, list, set or sorted-set key's Entry points to. Each type keeps a
// compact encoding (listpack, intset) while small and converts to its large one (hashtable,
// quicklist, skiplist) at the thresholds in EncodingLimits, as Redis does.
//
// The Entry stores only a pointer to the container and owns it. Containers are changed in place
// by command code, which then calls Keyspace::commit() so that memory accounting, the encoding
// shown by OBJECT ENCODING, effect records and the deletion of an emptied key all happen at the
// mutation door.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "storage/entry.h"

namespace shardcache::storage {

// Redis's *-max-listpack-* / *-max-intset-* settings (CONFIG names in comments).
struct EncodingLimits {
  std::size_t hash_max_listpack_entries = 128;  // hash-max-listpack-entries
  std::size_t hash_max_listpack_value = 64;     // hash-max-listpack-value
  std::size_t set_max_intset_entries = 512;     // set-max-intset-entries
  std::size_t set_max_listpack_entries = 128;   // set-max-listpack-entries
  std::size_t set_max_listpack_value = 64;      // set-max-listpack-value
  std::size_t zset_max_listpack_entries = 128;  // zset-max-listpack-entries
  std::size_t zset_max_listpack_value = 64;     // zset-max-listpack-value
  // list-max-listpack-size: > 0 caps a quicklist node's entries, -1..-5 its bytes (4..64 KiB).
  int list_max_listpack_size = -2;
};

class Container {
 public:
  virtual ~Container() = default;
  virtual ValueType type() const = 0;
  virtual Encoding encoding() const = 0;
  // Elements held (fields, items, members); a container that reaches 0 is deleted at commit.
  virtual std::size_t size() const = 0;
  // Heap bytes held by the container object and everything it owns. Must be O(1): it is read
  // after every mutation.
  virtual std::size_t bytes() const = 0;
  // A deep copy (COPY).
  virtual std::unique_ptr<Container> clone() const = 0;

  // The bytes last charged to the keyspace for this container; only Keyspace changes it.
  std::size_t accounted_bytes() const { return accounted_bytes_; }
  void set_accounted_bytes(std::size_t bytes) { accounted_bytes_ = bytes; }

 private:
  std::size_t accounted_bytes_ = 0;
};

}  // namespace shardcache::storage
