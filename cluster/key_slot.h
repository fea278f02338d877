// Redis Cluster's key → hash slot function: CRC16 (XMODEM) of the key, or of the part between
// the first '{' and the following '}' when that part is non-empty (a hash tag), mod 16384.
// Cluster-aware clients compute the same slot, so this must match Redis bit for bit.
#pragma once

#include <cstdint>
#include <string_view>

namespace shardcache::cluster {

inline constexpr std::uint16_t kSlotCount = 16384;

std::uint16_t crc16(std::string_view data);
std::uint16_t key_hash_slot(std::string_view key);

}  // namespace shardcache::cluster
