// Wording of the errors raised while loading the configuration at startup (YAML file and command
// line), so both sources describe a bad setting the same way:
//   <where>: <key>: '<value>' must be <what is allowed>
// where <where> is "FILE:LINE" or "command line" and <key> is "maxmemory" or "--maxmemory".
#pragma once

#include <string>
#include <string_view>

#include "config/config.h"
#include "config/param_table.h"

namespace shardcache::config {

// What the setting accepts, e.g. "an integer between 0 and 65535" or "one of debug, verbose".
std::string describe_allowed(const ParamSpec& spec);

// "<where>: <message>"
ConfigError startup_error(std::string_view where, std::string_view message);

// "<where>: <key>: '<value>' must be <describe_allowed(spec)>"
ConfigError bad_value_error(std::string_view where, std::string_view key, std::string_view value,
                            const ParamSpec& spec);

}  // namespace shardcache::config
