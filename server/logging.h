// Process logging (spdlog): standard output or the `logfile`, at the `loglevel`.
#pragma once

#include <spdlog/common.h>

#include "config/config.h"

namespace shardcache::server {

void setup_logging(const config::Config& config);
// Redis's loglevel as spdlog's: debug and verbose both log everything.
spdlog::level::level_enum spdlog_level(config::LogLevel level);

}  // namespace shardcache::server
