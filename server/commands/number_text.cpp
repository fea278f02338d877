#include "server/commands/number_text.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace shardcache::server {

std::optional<std::uint64_t> parse_scan_cursor(std::string_view text) {
  text = text.substr(0, text.find('\0'));
  if (text.empty()) return 0;
  if (std::isspace(static_cast<unsigned char>(text[0]))) return std::nullopt;
  std::string_view digits = text;
  const bool negative = digits[0] == '-';
  if (digits[0] == '+' || digits[0] == '-') digits.remove_prefix(1);
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return negative ? 0 - value : value;
}

std::optional<long double> parse_long_double(std::string_view text) {
  if (text.empty() || text.size() >= kMaxLongDoubleChars) return std::nullopt;
  char buf[kMaxLongDoubleChars];  // strtold reads a C string
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  char* end = nullptr;
  errno = 0;
  const long double value = std::strtold(buf, &end);
  const bool out_of_range =
      errno == ERANGE &&
      (value == HUGE_VALL || value == -HUGE_VALL || std::fpclassify(value) == FP_ZERO);
  if (std::isspace(static_cast<unsigned char>(buf[0])) || end != buf + text.size() ||
      out_of_range || errno == EINVAL || std::isnan(value)) {
    return std::nullopt;
  }
  return value;
}

std::string format_long_double(long double value) {
  char buf[kMaxLongDoubleChars];  // the largest long double has 4933 integer digits
  std::size_t len = static_cast<std::size_t>(std::snprintf(buf, sizeof buf, "%.17Lf", value));
  if (std::memchr(buf, '.', len) != nullptr) {
    while (buf[len - 1] == '0') --len;
    if (buf[len - 1] == '.') --len;
  }
  if (len == 2 && buf[0] == '-' && buf[1] == '0') return "0";
  return std::string(buf, len);
}

}  // namespace shardcache::server
