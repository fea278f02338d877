// Redis's rules for reading setting values from text, shared by the startup loader and CONFIG SET
// so that both accept exactly the same spellings. (parse_memory is declared in config_params.h.)
#pragma once

#include <optional>
#include <string_view>

namespace shardcache::config {

// A signed decimal integer as Redis's string2ll reads it: an optional '-', then digits with no
// leading zero ("0" alone is fine), no '+', no spaces, no overflow. nullopt if invalid.
std::optional<long long> parse_integer(std::string_view text);

// Which words a boolean setting accepts.
enum class BoolWords {
  kYesNo,          // CONFIG SET, as Redis: "yes" / "no"
  kYesNoTrueFalse  // startup: YAML also spells booleans true / false
};

// A boolean word, case-insensitive. nullopt if not one of `words`.
std::optional<bool> parse_bool(std::string_view text, BoolWords words);

// ASCII case-insensitive equality, as Redis compares option names and enum values.
bool equals_ignoring_case(std::string_view a, std::string_view b);

}  // namespace shardcache::config
