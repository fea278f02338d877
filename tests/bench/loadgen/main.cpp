// shardcache-loadgen: a single-threaded RESP2 load generator for the benchmarks that
// redis-benchmark cannot express (tests/bench/latency.py, large_values.py, connections.py).
// It talks to any RESP2 server, redis-server included.
//
//   shardcache-loadgen rate --port P --rate 30000 --connections 50 --duration 5 --warmup 1
//       --command "GET key:__rand_int__" --keyspace 1000000
//     open loop at a fixed rate, pipeline 1; latency from each request's scheduled send time
//     (no coordinated omission): p50/p99/p99.9/max in microseconds, achieved rate, errors.
//   shardcache-loadgen large --port P --value-size 33554432 --keys 4 --duration 5
//     SET then GET of large values: GB/s of each, and the latency of a PING sent every 200 us
//     on one more connection meanwhile.
//   shardcache-loadgen conns --port P --connections 10000 --duration 5
//     opens the connections gradually (retrying refusals), then closed-loop SET/GET on all
//     of them: rps, p50/p99, how many connections opened.
//
// Templates (--command, repeatable, used round robin): "__rand_int__" inside a word becomes a
// 12-digit random number below --keyspace, a word "__data__" becomes --data-size bytes, as in
// redis-benchmark. Output: one JSON object on stdout; `--help` lists every option. Exit status
// 1 when the server answered with an error (unless --allow-errors) or the run failed, with the
// reason on stderr. The open-file limit is raised to the hard limit at start.
#include <sys/prctl.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>

#include "modes.h"
#include "net.h"
#include "options.h"

int main(int argc, char** argv) {
  using namespace shardcache::loadgen;
  if (argc >= 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  try {
    const Options options = parse_options(argc, argv);
    // Broken connections are reported by send(); the signal would kill the run instead.
    std::signal(SIGPIPE, SIG_IGN);
    raise_open_file_limit();
    // Timer slack 1 ns instead of the default 50 us: a request due at t is sent at t, not up to
    // 50 us later (which would count as the server's latency), and the PING probe keeps time.
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    if (options.mode == "rate") return run_rate(options);
    if (options.mode == "large") return run_large(options);
    return run_conns(options);
  } catch (const std::invalid_argument& error) {
    std::fprintf(stderr, "shardcache-loadgen: %s\n%s", error.what(), kUsage);
    return 2;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "shardcache-loadgen: %s\n", error.what());
    return 1;
  }
}
