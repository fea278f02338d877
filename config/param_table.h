// The one table of settings: name, run-time mutability, where the value lives in Config and what
// values are allowed. The YAML loader, the command line and CONFIG GET/SET all read and write
// values through it, so a setting accepts the same text everywhere.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/config.h"
#include "config/value_text.h"

namespace shardcache::config {

// Where a value lives; the member's type decides how its text is read and printed:
// int = integer, uint64_t = memory (byte count with optional unit), bool = yes/no,
// the enums = one of their names, string = any text, vector = space-separated addresses.
using ParamField = std::variant<int Config::*, std::uint64_t Config::*, bool Config::*,
                                EvictionPolicy Config::*, LogLevel Config::*,
                                std::string Config::*, std::vector<std::string> Config::*>;

struct ParamSpec {
  std::string_view name;
  bool mutable_at_runtime;
  ParamField field;
  // Accepted range of integer and memory values. Only integer settings whose signed_min is
  // negative take negative values (list-max-listpack-size), from signed_min up.
  std::int64_t signed_min = 0;
  std::uint64_t min = 0;
  std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  // Redis accepts any hz in range but runs with it brought into [1, 500]; this does the same.
  std::uint64_t clamp_min = 0;
  std::uint64_t clamp_max = std::numeric_limits<std::uint64_t>::max();
  // String settings with a syntax: the canonical text of a valid value, or nullopt; and what a
  // refused value is told (Redis's text).
  std::optional<std::string> (*normalize)(std::string_view) = nullptr;
  const char* format_problem = nullptr;
};

enum class ValueKind { kInteger, kMemory, kBool, kEnum, kString, kAddressList };

// Why a text was refused; each caller words it its own way (Redis's text for CONFIG SET).
enum class ValueProblem {
  kNotInteger, kOutOfRange, kNotMemory, kNotBool, kNotChoice, kNoAddress, kBadFormat,
};

// Every setting, in the order of Config's members.
const std::vector<ParamSpec>& param_table();

// nullptr if unknown. The startup sources and CONFIG GET match names exactly; CONFIG SET, as
// Redis, ignores case.
const ParamSpec* find_param(std::string_view name);
const ParamSpec* find_param_ignoring_case(std::string_view name);

ValueKind kind_of(const ParamSpec& spec);

// The names an enum setting accepts, in the order Redis lists them: "debug, verbose, ...".
// Empty for other kinds.
std::string choice_list(const ParamSpec& spec);

// Reads `text` into the setting's member of `config`, or leaves it untouched and says why not.
std::optional<ValueProblem> assign_param(const ParamSpec& spec, Config& config,
                                         std::string_view text, BoolWords bool_words);

// The value as Redis's CONFIG GET prints it.
std::string format_param(const ParamSpec& spec, const Config& config);

}  // namespace shardcache::config
