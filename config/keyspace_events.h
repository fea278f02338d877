// notify-keyspace-events: Redis's event-class letters, parsed into flags and printed back in
// Redis's canonical order (CONFIG GET shows "AKE" for "KEA").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shardcache::config {

enum KeyspaceEvent : std::uint32_t {
  kEventGeneric = 1u << 0,   // g: DEL EXPIRE RENAME ...
  kEventString = 1u << 1,    // $
  kEventList = 1u << 2,      // l
  kEventSet = 1u << 3,       // s
  kEventHash = 1u << 4,      // h
  kEventZset = 1u << 5,      // z
  kEventExpired = 1u << 6,   // x
  kEventEvicted = 1u << 7,   // e
  kEventStream = 1u << 8,    // t
  kEventModule = 1u << 9,    // d
  kEventNewKey = 1u << 10,   // n
  kEventKeyspace = 1u << 11, // K: __keyspace@<db>__:<key> channels
  kEventKeyevent = 1u << 12, // E: __keyevent@<db>__:<event> channels
  kEventKeyMiss = 1u << 13,  // m
  // A: every class but n and m, as Redis.
  kEventAll = kEventGeneric | kEventString | kEventList | kEventSet | kEventHash | kEventZset |
              kEventExpired | kEventEvicted | kEventStream | kEventModule,
};

// nullopt for a character Redis refuses.
std::optional<std::uint32_t> parse_keyspace_events(std::string_view text);
std::string format_keyspace_events(std::uint32_t flags);
// The canonical text of a valid setting, or nullopt.
std::optional<std::string> normalize_keyspace_events(std::string_view text);

}  // namespace shardcache::config
