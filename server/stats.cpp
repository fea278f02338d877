#include "server/stats.h"

#include <algorithm>

namespace shardcache::server {

void ShardStats::record_error(std::string_view reply_line) {
  // The error code is the first word of an error reply: "-ERR syntax error" → "ERR".
  std::string_view text = reply_line.substr(1);
  const std::size_t end = std::min({text.find(' '), text.find('\r'), text.size()});
  ++total_error_replies;
  ++error_codes[std::string(text.substr(0, end))];
}

void ShardStats::add(const ShardStats& other) {
  total_connections_received += other.total_connections_received;
  rejected_connections += other.rejected_connections;
  total_commands_processed += other.total_commands_processed;
  total_net_input_bytes += other.total_net_input_bytes;
  total_net_output_bytes += other.total_net_output_bytes;
  keyspace_hits += other.keyspace_hits;
  keyspace_misses += other.keyspace_misses;
  total_error_replies += other.total_error_replies;
  unexpected_error_replies += other.unexpected_error_replies;
  if (commands.size() < other.commands.size()) commands.resize(other.commands.size());
  for (std::size_t i = 0; i < other.commands.size(); ++i) {
    commands[i].calls += other.commands[i].calls;
    commands[i].usec += other.commands[i].usec;
    commands[i].rejected_calls += other.commands[i].rejected_calls;
    commands[i].failed_calls += other.commands[i].failed_calls;
  }
  for (const auto& [code, count] : other.error_codes) error_codes[code] += count;
  for (std::size_t i = 0; i < kOpsSamples; ++i) {
    ops_per_sec_samples[i] += other.ops_per_sec_samples[i];
  }
}

void ShardStats::reset() {
  const std::size_t command_count = commands.size();
  *this = ShardStats{};
  commands.resize(command_count);
}

std::uint64_t ShardStats::instantaneous_ops_per_sec() const {
  std::uint64_t sum = 0;
  for (auto sample : ops_per_sec_samples) sum += sample;
  return sum / kOpsSamples;
}

}  // namespace shardcache::server
