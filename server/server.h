// Server: the process. It owns the shard threads and the listeners, routes keys to shards, holds
// the authoritative configuration and the few process-wide facts (client count, run id).
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cluster/key_slot.h"
#include "config/config.h"
#include "server/lazy_free.h"
#include "server/pubsub.h"
#include "server/tracking.h"

namespace shardcache::server {

class Shard;

inline constexpr const char* kShardcacheVersion = "0.1.0";
// The Redis version whose behaviour shardcache matches; clients decide features by it.
inline constexpr const char* kRedisCompatVersion = "7.0.15";

class Server {
 public:
  explicit Server(config::Config config);
  ~Server();

  // Binds the listeners, starts the shard threads and blocks until shutdown. Returns the exit code.
  int run();
  // Starts a graceful shutdown. Safe from any thread.
  void request_shutdown();

  int shard_count() const { return static_cast<int>(shards_.size()); }
  Shard& shard(int index) { return *shards_[static_cast<std::size_t>(index)]; }
  // The shard owning `key`: slot = CRC16(hashtag(key)) mod 16384, then the slot → shard table.
  int shard_of_key(std::string_view key) const {
    return slot_to_shard_[cluster::key_hash_slot(key)];
  }

  std::uint64_t next_client_id() { return next_client_id_.fetch_add(1) + 1; }
  std::uint64_t next_slowlog_id() { return next_slowlog_id_.fetch_add(1); }
  std::uint64_t next_transaction_id() { return next_transaction_id_.fetch_add(1) + 1; }
  // Counts a new client against maxclients; false if the server is full.
  bool admit_client();
  void release_client();
  int connected_clients() const { return connected_clients_.load(); }

  config::Config config() const;
  // CONFIG SET: validates and applies all-or-nothing to the authoritative copy and returns it
  // (its `version` increased); the caller hands it to every shard. Returns the Redis error text
  // on failure.
  std::optional<std::string> set_config(
      const std::vector<std::pair<std::string, std::string>>& pairs, config::Config& applied);

  LazyFreer& lazy_freer() { return lazy_freer_; }
  PubSub& pubsub() { return pubsub_; }
  TrackingHub& tracking() { return tracking_; }
  const std::string& run_id() const { return run_id_; }
  std::int64_t start_time_ms() const { return start_time_ms_; }
  int bound_port() const { return bound_port_; }
  const std::string& executable() const { return executable_; }
  void set_executable(std::string path) { executable_ = std::move(path); }

 private:
  bool bind_listeners();
  void shutdown_shards();

  // Declared first: destroyed last, after the shards that hand it entries.
  LazyFreer lazy_freer_;
  PubSub pubsub_;
  TrackingHub tracking_;
  mutable std::mutex config_mutex_;
  config::Config config_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::array<std::uint16_t, cluster::kSlotCount> slot_to_shard_{};
  std::atomic<std::uint64_t> next_client_id_{0};
  std::atomic<std::uint64_t> next_slowlog_id_{0};
  std::atomic<std::uint64_t> next_transaction_id_{0};
  std::atomic<int> connected_clients_{0};
  boost::asio::io_context main_io_;  // signals and the shutdown sequence
  std::string run_id_;
  std::string executable_;
  std::int64_t start_time_ms_;
  int bound_port_ = 0;
  std::atomic<bool> shutting_down_{false};
};

}  // namespace shardcache::server
