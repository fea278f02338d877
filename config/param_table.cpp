#include "config/param_table.h"

#include <algorithm>
#include <array>
#include <span>

#include "config/config_params.h"
#include "config/keyspace_events.h"

namespace shardcache::config {

namespace {

// Ranges are Redis 7.0's where Redis has the setting (checked against redis-server 7.0.15).
constexpr std::uint64_t kIntMax = std::numeric_limits<int>::max();
constexpr std::uint64_t kLongLongMax = std::numeric_limits<long long>::max();
constexpr std::uint64_t kMegabyte = 1024 * 1024;

template <typename Enum>
struct EnumChoice {
  std::string_view name;
  Enum value;
};

// Listed in the order Redis's "must be one of the following" error lists them.
constexpr std::array<EnumChoice<EvictionPolicy>, 8> kEvictionPolicies = {{
    {"volatile-lru", EvictionPolicy::kVolatileLru},
    {"volatile-lfu", EvictionPolicy::kVolatileLfu},
    {"volatile-random", EvictionPolicy::kVolatileRandom},
    {"volatile-ttl", EvictionPolicy::kVolatileTtl},
    {"allkeys-lru", EvictionPolicy::kAllKeysLru},
    {"allkeys-lfu", EvictionPolicy::kAllKeysLfu},
    {"allkeys-random", EvictionPolicy::kAllKeysRandom},
    {"noeviction", EvictionPolicy::kNoEviction},
}};

constexpr std::array<EnumChoice<LogLevel>, 4> kLogLevels = {{
    {"debug", LogLevel::kDebug},
    {"verbose", LogLevel::kVerbose},
    {"notice", LogLevel::kNotice},
    {"warning", LogLevel::kWarning},
}};

std::span<const EnumChoice<EvictionPolicy>> choices_for(EvictionPolicy Config::*) {
  return kEvictionPolicies;
}
std::span<const EnumChoice<LogLevel>> choices_for(LogLevel Config::*) { return kLogLevels; }

template <typename... Handlers>
struct Overloaded : Handlers... {
  using Handlers::operator()...;
};

std::vector<std::string> split_on_spaces(std::string_view text) {
  std::vector<std::string> words;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t start = text.find_first_not_of(" \t", pos);
    if (start == std::string_view::npos) break;
    const std::size_t end = std::min(text.find_first_of(" \t", start), text.size());
    words.emplace_back(text.substr(start, end - start));
    pos = end;
  }
  return words;
}

std::string join_with_spaces(const std::vector<std::string>& words) {
  std::string joined;
  for (const std::string& word : words) {
    if (!joined.empty()) joined += ' ';
    joined += word;
  }
  return joined;
}

}  // namespace

const std::vector<ParamSpec>& param_table() {
  static const std::vector<ParamSpec> table = {
      {.name = "bind", .mutable_at_runtime = false, .field = &Config::bind},
      {.name = "port", .mutable_at_runtime = false, .field = &Config::port, .max = 65535},
      {.name = "threads", .mutable_at_runtime = false, .field = &Config::threads, .max = 1024},
      {.name = "databases",
       .mutable_at_runtime = false,
       .field = &Config::databases,
       .min = 1,
       .max = kIntMax},
      // Redis allows up to 2^32-1 and then fails on the descriptor limit; an int and a sane cap
      // of a million connections serve the same purpose here.
      {.name = "maxclients",
       .mutable_at_runtime = true,
       .field = &Config::maxclients,
       .min = 1,
       .max = 1000000},
      {.name = "timeout", .mutable_at_runtime = true, .field = &Config::timeout, .max = kIntMax},
      {.name = "tcp-keepalive",
       .mutable_at_runtime = true,
       .field = &Config::tcp_keepalive,
       .max = kIntMax},
      {.name = "tcp-backlog",
       .mutable_at_runtime = false,
       .field = &Config::tcp_backlog,
       .max = kIntMax},
      {.name = "maxmemory", .mutable_at_runtime = true, .field = &Config::maxmemory},
      {.name = "maxmemory-policy", .mutable_at_runtime = true, .field = &Config::maxmemory_policy},
      {.name = "maxmemory-samples",
       .mutable_at_runtime = true,
       .field = &Config::maxmemory_samples,
       .min = 1,
       .max = kIntMax},
      {.name = "lfu-log-factor",
       .mutable_at_runtime = true,
       .field = &Config::lfu_log_factor,
       .max = kIntMax},
      {.name = "lfu-decay-time",
       .mutable_at_runtime = true,
       .field = &Config::lfu_decay_time,
       .max = kIntMax},
      {.name = "requirepass", .mutable_at_runtime = true, .field = &Config::requirepass},
      // Redis 7.0 lets CONFIG SET change protected-mode (it is not one of its "protected
      // configs"), so it is mutable here too.
      {.name = "protected-mode", .mutable_at_runtime = true, .field = &Config::protected_mode},
      {.name = "loglevel", .mutable_at_runtime = true, .field = &Config::loglevel},
      {.name = "logfile", .mutable_at_runtime = false, .field = &Config::logfile},
      {.name = "proto-max-bulk-len",
       .mutable_at_runtime = true,
       .field = &Config::proto_max_bulk_len,
       .min = kMegabyte,
       .max = kLongLongMax},
      {.name = "client-query-buffer-limit",
       .mutable_at_runtime = true,
       .field = &Config::client_query_buffer_limit,
       .min = kMegabyte,
       .max = kLongLongMax},
      {.name = "hz",
       .mutable_at_runtime = true,
       .field = &Config::hz,
       .max = kIntMax,
       .clamp_min = 1,
       .clamp_max = 500},
      {.name = "notify-keyspace-events",
       .mutable_at_runtime = true,
       .field = &Config::notify_keyspace_events,
       .normalize = normalize_keyspace_events,
       .format_problem = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."},
      {.name = "hash-max-listpack-entries",
       .mutable_at_runtime = true,
       .field = &Config::hash_max_listpack_entries,
       .max = kIntMax},
      {.name = "hash-max-listpack-value",
       .mutable_at_runtime = true,
       .field = &Config::hash_max_listpack_value,
       .max = kIntMax},
      {.name = "set-max-intset-entries",
       .mutable_at_runtime = true,
       .field = &Config::set_max_intset_entries,
       .max = kIntMax},
      {.name = "set-max-listpack-entries",
       .mutable_at_runtime = true,
       .field = &Config::set_max_listpack_entries,
       .max = kIntMax},
      {.name = "set-max-listpack-value",
       .mutable_at_runtime = true,
       .field = &Config::set_max_listpack_value,
       .max = kIntMax},
      {.name = "zset-max-listpack-entries",
       .mutable_at_runtime = true,
       .field = &Config::zset_max_listpack_entries,
       .max = kIntMax},
      {.name = "zset-max-listpack-value",
       .mutable_at_runtime = true,
       .field = &Config::zset_max_listpack_value,
       .max = kIntMax},
      {.name = "list-max-listpack-size",
       .mutable_at_runtime = true,
       .field = &Config::list_max_listpack_size,
       .signed_min = std::numeric_limits<int>::min(),  // below -5 works as -5, as Redis
       .max = kIntMax},
  };
  return table;
}

const ParamSpec* find_param(std::string_view name) {
  for (const ParamSpec& spec : param_table()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

const ParamSpec* find_param_ignoring_case(std::string_view name) {
  for (const ParamSpec& spec : param_table()) {
    if (equals_ignoring_case(spec.name, name)) return &spec;
  }
  return nullptr;
}

ValueKind kind_of(const ParamSpec& spec) {
  return std::visit(Overloaded{
                        [](int Config::*) { return ValueKind::kInteger; },
                        [](std::uint64_t Config::*) { return ValueKind::kMemory; },
                        [](bool Config::*) { return ValueKind::kBool; },
                        [](EvictionPolicy Config::*) { return ValueKind::kEnum; },
                        [](LogLevel Config::*) { return ValueKind::kEnum; },
                        [](std::string Config::*) { return ValueKind::kString; },
                        [](std::vector<std::string> Config::*) { return ValueKind::kAddressList; },
                    },
                    spec.field);
}

std::string choice_list(const ParamSpec& spec) {
  std::string list;
  const auto collect = [&list](auto field) {
    for (const auto& choice : choices_for(field)) {
      if (!list.empty()) list += ", ";
      list += choice.name;
    }
  };
  if (const auto* policy = std::get_if<EvictionPolicy Config::*>(&spec.field)) collect(*policy);
  if (const auto* level = std::get_if<LogLevel Config::*>(&spec.field)) collect(*level);
  return list;
}

std::optional<ValueProblem> assign_param(const ParamSpec& spec, Config& config,
                                         std::string_view text, BoolWords bool_words) {
  const auto in_range = [&spec](std::uint64_t value) {
    return value >= spec.min && value <= spec.max;
  };
  const auto clamped = [&spec](std::uint64_t value) {
    return std::clamp(value, spec.clamp_min, spec.clamp_max);
  };
  const auto assign_choice = [&](auto field) -> std::optional<ValueProblem> {
    for (const auto& choice : choices_for(field)) {
      if (equals_ignoring_case(text, choice.name)) {
        config.*field = choice.value;
        return std::nullopt;
      }
    }
    return ValueProblem::kNotChoice;
  };

  return std::visit(
      Overloaded{
          [&](int Config::*field) -> std::optional<ValueProblem> {
            const std::optional<long long> value = parse_integer(text);
            if (!value) return ValueProblem::kNotInteger;
            if (*value < spec.signed_min) return ValueProblem::kOutOfRange;
            if (*value < 0) {
              config.*field = static_cast<int>(*value);
              return std::nullopt;
            }
            if (!in_range(static_cast<std::uint64_t>(*value))) return ValueProblem::kOutOfRange;
            // Every integer range ends at or below INT_MAX, so the narrowing is exact.
            config.*field = static_cast<int>(clamped(static_cast<std::uint64_t>(*value)));
            return std::nullopt;
          },
          [&](std::uint64_t Config::*field) -> std::optional<ValueProblem> {
            const std::optional<std::uint64_t> value = parse_memory(text);
            if (!value) return ValueProblem::kNotMemory;
            if (!in_range(*value)) return ValueProblem::kOutOfRange;
            config.*field = clamped(*value);
            return std::nullopt;
          },
          [&](bool Config::*field) -> std::optional<ValueProblem> {
            const std::optional<bool> value = parse_bool(text, bool_words);
            if (!value) return ValueProblem::kNotBool;
            config.*field = *value;
            return std::nullopt;
          },
          [&](EvictionPolicy Config::*field) { return assign_choice(field); },
          [&](LogLevel Config::*field) { return assign_choice(field); },
          [&](std::string Config::*field) -> std::optional<ValueProblem> {
            if (spec.normalize != nullptr) {
              std::optional<std::string> canonical = spec.normalize(text);
              if (!canonical) return ValueProblem::kBadFormat;
              config.*field = std::move(*canonical);
              return std::nullopt;
            }
            config.*field = std::string(text);
            return std::nullopt;
          },
          [&](std::vector<std::string> Config::*field) -> std::optional<ValueProblem> {
            std::vector<std::string> addresses = split_on_spaces(text);
            if (addresses.empty()) return ValueProblem::kNoAddress;
            config.*field = std::move(addresses);
            return std::nullopt;
          },
      },
      spec.field);
}

std::string format_param(const ParamSpec& spec, const Config& config) {
  const auto choice_name = [&config](auto field) {
    for (const auto& choice : choices_for(field)) {
      if (choice.value == config.*field) return std::string(choice.name);
    }
    return std::string();  // unreachable: every enumerator has a name in its table
  };

  return std::visit(
      Overloaded{
          [&](int Config::*field) { return std::to_string(config.*field); },
          [&](std::uint64_t Config::*field) { return std::to_string(config.*field); },
          [&](bool Config::*field) { return std::string(config.*field ? "yes" : "no"); },
          [&](EvictionPolicy Config::*field) { return choice_name(field); },
          [&](LogLevel Config::*field) { return choice_name(field); },
          [&](std::string Config::*field) { return config.*field; },
          [&](std::vector<std::string> Config::*field) { return join_with_spaces(config.*field); },
      },
      spec.field);
}

}  // namespace shardcache::config
