// The configuration model: every setting shardcache understands, with Redis's names, units and
// defaults where Redis has the same setting.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace shardcache::config {

enum class EvictionPolicy {
  kNoEviction, kAllKeysLru, kAllKeysLfu, kAllKeysRandom,
  kVolatileLru, kVolatileLfu, kVolatileRandom, kVolatileTtl,
};

enum class LogLevel { kDebug, kVerbose, kNotice, kWarning };

struct Config {
  std::vector<std::string> bind = {"127.0.0.1", "-::1"};  // "-" prefix: skip if unavailable
  int port = 6379;
  int threads = 0;  // 0 in the file means "one per CPU"; resolved to >= 1 after loading
  int databases = 16;
  int maxclients = 10000;
  int timeout = 0;          // seconds of idleness before a client is closed; 0 = never
  int tcp_keepalive = 300;  // seconds
  int tcp_backlog = 511;
  std::uint64_t maxmemory = 0;  // bytes; 0 = no limit
  EvictionPolicy maxmemory_policy = EvictionPolicy::kNoEviction;
  int maxmemory_samples = 5;
  int lfu_log_factor = 10;
  int lfu_decay_time = 1;  // minutes
  std::string requirepass;
  bool protected_mode = true;
  LogLevel loglevel = LogLevel::kNotice;
  std::string logfile;  // empty: standard output
  std::uint64_t proto_max_bulk_len = 512ull * 1024 * 1024;
  std::uint64_t client_query_buffer_limit = 1024ull * 1024 * 1024;
  int hz = 10;
  // Keyspace notifications: Redis's event-class letters, kept in canonical form ("" = off).
  std::string notify_keyspace_events;
  // Compact-encoding thresholds of the container types (see storage/container.h).
  int hash_max_listpack_entries = 128;
  int hash_max_listpack_value = 64;
  int set_max_intset_entries = 512;
  int set_max_listpack_entries = 128;
  int set_max_listpack_value = 64;
  int zset_max_listpack_entries = 128;
  int zset_max_listpack_value = 64;
  int list_max_listpack_size = -2;  // > 0: entries per quicklist node; -1..-5: 4..64 KiB
  std::string config_file;  // the file the config was loaded from, empty if none
  std::uint64_t version = 0;  // raised by each CONFIG SET, so shards keep the newest copy
};

// A configuration error. what() is one line that names the source (file and line, or "command
// line"), the key, the bad value and what is allowed.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Builds the configuration from the process arguments (without argv[0]):
//   [--config FILE] [--KEY VALUE ...]
// The YAML file is applied first, then command-line overrides in order. `threads: 0` is
// resolved to the CPU count. Throws ConfigError.
Config load_config(const std::vector<std::string>& args);

// Loads a YAML file on top of `config`. Throws ConfigError.
void apply_yaml_file(Config& config, const std::string& path);

}  // namespace shardcache::config
