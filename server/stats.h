// Counters one shard thread keeps about the work it did. Only the owning thread writes them;
// INFO gathers every shard's copy through a message and adds them up.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace shardcache::server {

struct CommandStats {
  std::uint64_t calls = 0;
  std::uint64_t usec = 0;
  std::uint64_t rejected_calls = 0;  // refused before running (arity, auth, OOM, ...)
  std::uint64_t failed_calls = 0;    // ran and answered an error
};

struct ShardStats {
  std::uint64_t total_connections_received = 0;
  std::uint64_t rejected_connections = 0;
  std::uint64_t total_commands_processed = 0;
  std::uint64_t total_net_input_bytes = 0;
  std::uint64_t total_net_output_bytes = 0;
  std::uint64_t keyspace_hits = 0;
  std::uint64_t keyspace_misses = 0;
  std::uint64_t total_error_replies = 0;
  std::uint64_t unexpected_error_replies = 0;
  std::vector<CommandStats> commands;              // indexed by CommandSpec::id
  std::map<std::string, std::uint64_t> error_codes;  // "ERR" → count (INFO errorstats)

  // Instantaneous ops/sec: samples of the command count taken by the shard's cron, as Redis.
  static constexpr std::size_t kOpsSamples = 16;
  std::array<std::uint64_t, kOpsSamples> ops_per_sec_samples{};
  std::size_t ops_sample_index = 0;
  std::uint64_t ops_last_count = 0;
  std::int64_t ops_last_sample_ms = 0;

  void record_error(std::string_view reply_line);
  void add(const ShardStats& other);
  void reset();  // CONFIG RESETSTAT
  std::uint64_t instantaneous_ops_per_sec() const;
};

}  // namespace shardcache::server
