#include "config/startup_error.h"

#include <cstdint>
#include <limits>

namespace shardcache::config {

namespace {

constexpr std::string_view kMemoryUnits = "optionally with a unit k, kb, m, mb, g or gb";

// Built by appending: GCC 12 raises a false -Wrestrict on `"literal" + std::string` at -O3.
std::string range_text(const ParamSpec& spec) {
  std::string text = "between ";
  text += std::to_string(spec.min);
  text += " and ";
  text += std::to_string(spec.max);
  return text;
}

}  // namespace

std::string describe_allowed(const ParamSpec& spec) {
  switch (kind_of(spec)) {
    case ValueKind::kInteger:
      return "an integer " + range_text(spec);
    case ValueKind::kMemory: {
      const bool unbounded = spec.min == 0 && spec.max == std::numeric_limits<std::uint64_t>::max();
      std::string text = "a byte count ";
      if (!unbounded) {
        text += range_text(spec);
        text += ", ";
      }
      text += kMemoryUnits;
      return text;
    }
    case ValueKind::kBool:
      return "yes or no";
    case ValueKind::kEnum:
      return "one of " + choice_list(spec);
    case ValueKind::kString:
      return spec.format_problem != nullptr ? std::string("valid: ") + spec.format_problem
                                            : "a string";
    case ValueKind::kAddressList:
      return "one or more addresses";
  }
  return "a valid value";  // unreachable: the switch covers every kind
}

ConfigError startup_error(std::string_view where, std::string_view message) {
  return ConfigError(std::string(where) + ": " + std::string(message));
}

ConfigError bad_value_error(std::string_view where, std::string_view key, std::string_view value,
                            const ParamSpec& spec) {
  return startup_error(where, std::string(key) + ": '" + std::string(value) + "' must be " +
                                  describe_allowed(spec));
}

}  // namespace shardcache::config
