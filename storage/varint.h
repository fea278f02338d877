// LEB128 lengths, as every compact layout of storage/ writes them (entries, listpacks, list
// nodes, hash nodes): one byte below 128, one more per further 7 bits.
#pragma once

#include <cstddef>
#include <cstdint>

namespace shardcache::storage {

inline std::size_t varint_size(std::uint64_t value) {
  std::size_t n = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++n;
  }
  return n;
}

// Writes `value` at `out`; returns the position after it.
inline char* put_varint(char* out, std::uint64_t value) {
  while (value >= 0x80) {
    *out++ = static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  *out++ = static_cast<char>(value);
  return out;
}

// Reads a value written by put_varint; returns the position after it.
template <class Unsigned>
inline const char* get_varint(const char* in, Unsigned& value) {
  value = 0;
  for (int shift = 0;; shift += 7) {
    const auto byte = static_cast<unsigned char>(*in++);
    value |= static_cast<Unsigned>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return in;
  }
}

}  // namespace shardcache::storage
