#include "server/shard.h"

#include "config/keyspace_events.h"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "server/clock.h"
#include "server/command_table.h"
#include "server/connection.h"
#include "server/listener.h"
#include "server/server.h"

namespace shardcache::server {

Shard::Shard(Server& server, int index, const config::Config& config)
    : server_(server),
      index_(index),
      work_(std::make_unique<boost::asio::executor_work_guard<
                boost::asio::io_context::executor_type>>(io_.get_executor())),
      cron_timer_(io_),
      tracking_table_(server.tracking(), watch_registry_),
      notifier_(server.pubsub()) {
  for (int i = 0; i < config.databases; ++i) {
    databases_.push_back(std::make_unique<storage::Keyspace>(i, clock_));
    databases_.back()->set_key_observer(&tracking_table_);
    database_views_.push_back(databases_.back().get());
  }
  set_config(config);
  stats_.commands.resize(CommandTable::instance().by_id().size());
}

void Shard::set_config(const config::Config& config) {
  // Two CONFIG SETs may race to the shards; the newer copy wins.
  if (config.version < config_.version) return;
  config_ = config;
  limits_.max_bulk_len = config.proto_max_bulk_len;
  limits_.query_buffer_limit = config.client_query_buffer_limit;
  const bool lfu = config.maxmemory_policy == config::EvictionPolicy::kAllKeysLfu ||
                   config.maxmemory_policy == config::EvictionPolicy::kVolatileLfu;
  clock_.configure(lfu, config.lfu_log_factor, config.lfu_decay_time);
  notifier_.set_flags(config::parse_keyspace_events(config.notify_keyspace_events).value_or(0));
  for (auto& db : databases_) db->set_effect_sink(notifier_.flags() != 0 ? &notifier_ : nullptr);
}

void Shard::start() {
  thread_ = std::thread([this] {
    schedule_cron();
    for (auto& listener : listeners_) listener->start();
    io_.run();
  });
}

void Shard::send(Shard& to, std::function<void()> task) {
  const auto target = static_cast<std::size_t>(to.index());
  if (outbox_.size() <= target) outbox_.resize(target + 1);
  outbox_[target].push_back(std::move(task));
  if (outbox_flush_queued_) return;
  outbox_flush_queued_ = true;
  // Queued behind the completions of this turn's events, so they all get to add theirs.
  post([this] { flush_outbox(); });
}

void Shard::flush_outbox() {
  outbox_flush_queued_ = false;
  for (std::size_t target = 0; target < outbox_.size(); ++target) {
    if (outbox_[target].empty()) continue;
    server_.shard(static_cast<int>(target)).post([tasks = std::move(outbox_[target])]() mutable {
      for (auto& task : tasks) task();
    });
    outbox_[target].clear();  // moved from: valid but unspecified
  }
}

void Shard::join() {
  if (thread_.joinable()) thread_.join();
}

void Shard::add_listener(std::unique_ptr<Listener> listener) {
  listeners_.push_back(std::move(listener));
}

void Shard::begin_shutdown() {
  shutting_down_ = true;
  for (auto& listener : listeners_) listener->close();
  cron_timer_.cancel();
  // Copy: closing a connection removes it from the map.
  auto connections = connections_;
  for (auto& [id, conn] : connections) conn->shutdown();
  work_.reset();
}

void Shard::release_references() {
  io_.shutdown();
  connections_.clear();
  key_locks_ = KeyLocks();
  outbox_.clear();
  waiting_room_.clear();
}

void Shard::add_connection(const std::shared_ptr<Connection>& conn) {
  connections_.emplace(conn->state().id, conn);
}

void Shard::remove_connection(std::uint64_t id) { connections_.erase(id); }

void Shard::pause_clients(std::int64_t until_ms, bool writes_only) {
  // As Redis: the new pause sets the kind, and extends the end time but never shortens it.
  pause_writes_only_ = writes_only;
  pause_until_ms_ = std::max(pause_until_ms_, until_ms);
}

void Shard::unpause_clients() {
  pause_until_ms_ = 0;
  pause_writes_only_ = false;
  auto connections = connections_;
  for (auto& [id, conn] : connections) conn->wake();
}

bool Shard::paused_for(bool is_write) const {
  if (pause_until_ms_ == 0 || unix_time_ms() >= pause_until_ms_) return false;
  return is_write || !pause_writes_only_;
}

void Shard::schedule_cron() {
  const int hz = std::max(config_.hz, 1);
  cron_timer_.expires_after(std::chrono::milliseconds(1000 / hz));
  cron_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || shutting_down_) return;
    cron();
    schedule_cron();
  });
}

std::size_t Shard::used_memory() const {
  std::size_t total = 0;
  for (const auto& db : databases_) total += db->used_bytes();
  return total;
}

std::size_t Shard::note_used_memory_peak() {
  used_memory_peak_ = std::max(used_memory_peak_, used_memory());
  return used_memory_peak_;
}

bool Shard::evict_to_share(std::size_t max_evictions) {
  if (config_.maxmemory == 0) return true;
  // Each shard holds an equal share: keys spread evenly over shards by hash slot.
  const std::size_t limit = config_.maxmemory / static_cast<std::size_t>(server_.shard_count());
  if (used_memory() <= limit) return true;
  // config::EvictionPolicy and storage::EvictionPolicy list the policies in the same order.
  const auto policy = static_cast<storage::EvictionPolicy>(config_.maxmemory_policy);
  return evictor_.make_room(database_views_, policy, config_.maxmemory_samples, clock_, limit,
                            [this] { return used_memory(); }, max_evictions);
}

bool Shard::enforce_maxmemory() { return evict_to_share(SIZE_MAX); }

void Shard::eviction_slice() {
  // About a microsecond per eviction: 512 keep a slice well under 1 ms.
  constexpr std::size_t kEvictionsPerSlice = 512;
  eviction_slice_queued_ = false;
  clock_.set_now(unix_time_ms());
  const std::size_t before = used_memory();
  if (evict_to_share(kEvictionsPerSlice) || shutting_down_) return;
  if (used_memory() < before) {
    eviction_slice_queued_ = true;
    post([this] { eviction_slice(); });
  }
}

void Shard::active_expire_cycle() {
  // No slice may stall the shard for more than 1 ms. Keys are taken soonest-first from each
  // database's expiry heap in small batches; the tables then get their incremental rehash steps.
  constexpr std::int64_t kSliceUs = 900;
  expire_slice_queued_ = false;
  const std::int64_t deadline = monotonic_us() + kSliceUs;
  clock_.set_now(unix_time_ms());
  bool more = true;
  while (more && monotonic_us() < deadline) {
    more = false;
    for (auto& db : databases_) more |= db->expire_due(64) == 64;
  }
  for (auto& db : databases_) {
    while (db->table().rehashing() && monotonic_us() < deadline) db->maintain(64);
    if (!db->table().rehashing()) db->maintain(0);
  }
  if (more && !shutting_down_) {
    expire_slice_queued_ = true;
    post([this] { active_expire_cycle(); });
  }
}

void Shard::cron() {
  const std::int64_t now = unix_time_ms();
  if (!expire_slice_queued_) active_expire_cycle();
  if (!eviction_slice_queued_) eviction_slice();
  note_used_memory_peak();
  // Instantaneous ops/sec, sampled as Redis's trackInstantaneousMetric.
  if (stats_.ops_last_sample_ms != 0 && now > stats_.ops_last_sample_ms) {
    const std::uint64_t ops = stats_.total_commands_processed - stats_.ops_last_count;
    stats_.ops_per_sec_samples[stats_.ops_sample_index] =
        ops * 1000 / static_cast<std::uint64_t>(now - stats_.ops_last_sample_ms);
    stats_.ops_sample_index = (stats_.ops_sample_index + 1) % ShardStats::kOpsSamples;
  }
  stats_.ops_last_sample_ms = now;
  stats_.ops_last_count = stats_.total_commands_processed;

  if (config_.timeout > 0) {
    const std::int64_t limit_ms = static_cast<std::int64_t>(config_.timeout) * 1000;
    auto connections = connections_;
    for (auto& [id, conn] : connections) {
      if (now - conn->state().last_interaction_ms > limit_ms) {
        spdlog::debug("Closing idle client id={}", id);
        conn->kill();
      }
    }
  }
}

}  // namespace shardcache::server
