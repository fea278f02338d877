// Parsing of command arguments with Redis's rules and error texts.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace shardcache::server {

inline constexpr const char* kErrNotInteger = "ERR value is not an integer or out of range";
inline constexpr const char* kErrSyntax = "ERR syntax error";

// A signed 64-bit integer exactly as Redis's string2ll: optional '-', no '+', no leading zeros,
// no spaces.
inline std::optional<std::int64_t> parse_int64(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  if (s.size() > 1 && (s[0] == '0' || (s[0] == '-' && s[1] == '0'))) return std::nullopt;
  if (s[0] == '+') return std::nullopt;
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

// Redis's validateClientName/validateClientAttr: printable ASCII without spaces.
inline bool is_valid_client_attr(std::string_view s) {
  for (char c : s) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

}  // namespace shardcache::server
