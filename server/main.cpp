// shardcache-server [--config FILE] [--KEY VALUE]...
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "config/config.h"
#include "server/logging.h"
#include "server/server.h"

int main(int argc, char** argv) {
  using namespace shardcache;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "--version" || args[0] == "-v")) {
    std::printf("shardcache %s (redis_version %s)\n", server::kShardcacheVersion,
                server::kRedisCompatVersion);
    return 0;
  }
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::printf("Usage: shardcache-server [--config FILE] [--KEY VALUE]...\n"
                "Every configuration key (see docs/configuration.md) can be given as --KEY.\n");
    return 0;
  }
  config::Config config;
  try {
    config = config::load_config(args);
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "shardcache: configuration error: %s\n", e.what());
    return 1;
  }
  try {
    server::setup_logging(config);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "shardcache: cannot open logfile '%s': %s\n", config.logfile.c_str(),
                 e.what());
    return 1;
  }
  server::Server server(std::move(config));
  server.set_executable(argv[0]);
  return server.run();
}
