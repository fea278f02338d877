// Numbers as Redis reads and prints them where several command families share the rule: SCAN
// cursors (SCAN, HSCAN, SSCAN, ZSCAN) and long doubles (INCRBYFLOAT, HINCRBYFLOAT).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shardcache::server {

// Redis's MAX_LONG_DOUBLE_CHARS: the longest text it parses as, or prints from, a long double.
inline constexpr std::size_t kMaxLongDoubleChars = 5 * 1024;

// A SCAN cursor as Redis parses it (strtoul, base 10): a leading space is refused, a sign is
// accepted (a negative value wraps around), the text ends at a NUL byte, and "" is 0.
std::optional<std::uint64_t> parse_scan_cursor(std::string_view text);

// Redis's string2ld: a strtold number (hex and "inf" included) without leading space, not NaN,
// not out of range (an underflow to zero counts as out of range), and all of `text` (a NUL byte
// inside ends the parse early, so it is refused).
std::optional<long double> parse_long_double(std::string_view text);

// Redis's ld2string in LD_STR_HUMAN mode for a finite value: "%.17Lf" without trailing zeros (nor
// a trailing point), and "-0" as "0".
std::string format_long_double(long double value);

}  // namespace shardcache::server
