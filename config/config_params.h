// Metadata and text conversion for CONFIG GET / CONFIG SET: the table of every parameter, its
// Redis-style textual value and whether it may change at run time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"

namespace shardcache::config {

struct ParamInfo {
  std::string_view name;  // e.g. "maxmemory-policy"
  bool mutable_at_runtime;
};

// Every parameter, in a stable order.
const std::vector<ParamInfo>& all_params();

// The value as Redis's CONFIG GET prints it ("0", "yes", "noeviction", "127.0.0.1 -::1").
// Returns nullopt for an unknown name. Names are lower-case, exact.
std::optional<std::string> get_param(const Config& config, std::string_view name);

// Applies CONFIG SET pairs all-or-nothing (names case-insensitive). On failure returns Redis 7's
// error text without the leading '-', e.g.
//   "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"
//   "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"
//   "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"
// and leaves `config` unchanged. On success returns nullopt.
std::optional<std::string> set_params(Config& config,
                                      const std::vector<std::pair<std::string, std::string>>& pairs);

// Parses a memory value ("100mb", "2gb", "1k", "123") as Redis does (k=1000, kb=1024, m, mb, g, gb,
// case-insensitive). nullopt if invalid.
std::optional<std::uint64_t> parse_memory(std::string_view text);

}  // namespace shardcache::config
