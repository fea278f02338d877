// The load generator's command line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "net.h"

namespace shardcache::loadgen {

struct Options {
  std::string mode;  // "rate", "large" or "conns"
  Endpoint server;
  double duration_s = 5;  // measured time (per phase in large mode)
  double warmup_s = 1;    // rate and conns: load applied before measuring starts
  std::uint64_t seed = 1;
  std::size_t connections = 0;  // 0: the mode's default (rate 50, large 1, conns 1000)
  bool allow_errors = false;    // error replies are counted instead of failing the run

  // rate and conns: request templates (round robin), their keyspace and __data__ size.
  std::vector<std::string> commands;
  std::uint64_t keyspace = 1'000'000;
  std::size_t data_size = 64;

  double rate = 30'000;  // rate: requests per second over all connections

  std::size_t value_size = 1 << 20;  // large: bytes per value
  std::size_t keys = 4;              // large: distinct keys written and read
  std::uint64_t ops = 0;             // large: requests per phase; 0 = run for duration_s
  double ping_interval_us = 200;     // large: PING period of the latency probe

  double connect_timeout_s = 30;  // conns: time allowed to open all connections
};

// Parses argv (mode first, then --name value pairs). Throws std::invalid_argument with a
// one-line message on bad input.
Options parse_options(int argc, char** argv);

// The --help text.
extern const char* const kUsage;

}  // namespace shardcache::loadgen
