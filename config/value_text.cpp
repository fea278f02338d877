#include "config/value_text.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string_view>
#include <system_error>

#include "config/config_params.h"

namespace shardcache::config {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

struct MemoryUnit {
  std::string_view suffix;
  std::uint64_t multiplier;
};

// Redis's units: the short ones are powers of ten, the "b" ones powers of two.
constexpr std::array<MemoryUnit, 7> kMemoryUnits = {{
    {"b", 1},
    {"k", 1000},
    {"kb", 1024},
    {"m", 1000 * 1000},
    {"mb", 1024 * 1024},
    {"g", 1000ull * 1000 * 1000},
    {"gb", 1024ull * 1024 * 1024},
}};

}  // namespace

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::optional<long long> parse_integer(std::string_view text) {
  if (text == "0") return 0;
  // string2ll refuses "+5", "05", "-0" and surrounding spaces; from_chars alone would take "05".
  const std::size_t first_digit = (!text.empty() && text.front() == '-') ? 1 : 0;
  if (text.size() <= first_digit || text[first_digit] < '1' || text[first_digit] > '9') {
    return std::nullopt;
  }
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<bool> parse_bool(std::string_view text, BoolWords words) {
  if (equals_ignoring_case(text, "yes")) return true;
  if (equals_ignoring_case(text, "no")) return false;
  if (words == BoolWords::kYesNoTrueFalse) {
    if (equals_ignoring_case(text, "true")) return true;
    if (equals_ignoring_case(text, "false")) return false;
  }
  return std::nullopt;
}

// Redis's memtoull, except that it also takes "" / "kb" as 0 and silently wraps or saturates
// numbers that do not fit; a typo there would mean "no limit", so those are refused here.
std::optional<std::uint64_t> parse_memory(std::string_view text) {
  // Redis's memtoull reads an empty value as 0 (CONFIG SET maxmemory "" answers OK).
  if (text.empty()) return 0;
  std::size_t digits = 0;
  while (digits < text.size() && is_digit(text[digits])) ++digits;
  if (digits == 0) return std::nullopt;

  std::uint64_t multiplier = 0;
  const std::string_view suffix = text.substr(digits);
  if (suffix.empty()) {
    multiplier = 1;
  } else {
    for (const MemoryUnit& unit : kMemoryUnits) {
      if (equals_ignoring_case(suffix, unit.suffix)) multiplier = unit.multiplier;
    }
    if (multiplier == 0) return std::nullopt;
  }

  std::uint64_t count = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + digits, count);
  if (error != std::errc() || end != text.data() + digits) return std::nullopt;
  if (count > std::numeric_limits<std::uint64_t>::max() / multiplier) return std::nullopt;
  return count * multiplier;
}

}  // namespace shardcache::config
