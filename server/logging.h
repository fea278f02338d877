// Process logging (spdlog): standard output or the `logfile`, at the `loglevel`.
#pragma once

#include "config/config.h"

namespace shardcache::server {

void setup_logging(const config::Config& config);

}  // namespace shardcache::server
