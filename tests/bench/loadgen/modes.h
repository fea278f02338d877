// The load generator's modes. Each runs against options.server, prints one JSON object on
// stdout and returns the process exit status; failures throw with a one-line reason.
#pragma once

#include "options.h"

namespace shardcache::loadgen {

// Open loop: requests scheduled at a fixed rate, latency from each scheduled send time.
int run_rate(const Options& options);

// SET then GET of large values, throughput in GB/s, with a PING probe's latency alongside.
int run_large(const Options& options);

// Many connections opened gradually, then closed-loop requests on all of them.
int run_conns(const Options& options);

}  // namespace shardcache::loadgen
