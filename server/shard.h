// Shard: one thread, its io_context and everything it owns — the data of its slots in every
// database, its statistics, and the connections it accepted. Nothing here is touched by another
// thread; other threads reach a shard only through post().
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "protocol/limits.h"
#include "server/blocking.h"
#include "server/key_locks.h"
#include "server/keyspace_notifier.h"
#include "server/tracking.h"
#include "server/watch_registry.h"
#include "server/slowlog.h"
#include "server/stats.h"
#include "storage/eviction_clock.h"
#include "storage/evictor.h"
#include "storage/keyspace.h"

namespace shardcache::server {

class Server;
class Connection;
class Listener;

// An io_context whose pending handlers can be destroyed on demand. A handler queued on one
// shard may hold the last reference to a connection whose socket belongs to another shard's
// context, so every shard must drop its handlers before any context is destroyed.
class ShardIoContext : public boost::asio::io_context {
 public:
  // A socket or timer is only ever used by its own shard's thread; only post() comes from other
  // threads. So the reactor's per-descriptor locks are left out (a lock and an unlock per read and
  // per write were 7% of a pipeline-1 SET's instructions); the scheduler keeps its lock for post().
  ShardIoContext() : boost::asio::io_context(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO) {}
  using boost::asio::io_context::shutdown;  // protected in execution_context
};

class Shard {
 public:
  Shard(Server& server, int index, const config::Config& config);
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  int index() const { return index_; }
  Server& server() { return server_; }
  boost::asio::io_context& io() { return io_; }

  // Runs `fn` on this shard's thread. Safe to call from any thread.
  template <typename Fn>
  void post(Fn&& fn) {
    boost::asio::post(io_, std::forward<Fn>(fn));
  }

  // Runs `task` on shard `to`'s thread; call it on this shard's thread. What this thread sends to
  // one shard while it handles one turn of events travels in one post, so the receiving thread
  // is woken once per turn rather than once per task (each wake-up is an eventfd write, an
  // epoll_ctl and a context switch: they dominated pipelines across shards).
  void send(Shard& to, std::function<void()> task);

  // Starts the thread; returns at once.
  void start();
  void join();
  // Closes the listeners and every connection (after their pending replies) and lets the thread
  // end. Runs on the shard's thread.
  void begin_shutdown();
  // Listening sockets are accepted on by this shard's thread (one SO_REUSEPORT socket per shard).
  void add_listener(std::unique_ptr<Listener> listener);
  // After the thread has ended: destroys queued handlers, connections and lock waiters, which
  // may reference other shards' sockets. The server calls it on every shard before destroying
  // any of them.
  void release_references();

  storage::Keyspace& db(int index) { return *databases_[static_cast<std::size_t>(index)]; }
  std::vector<storage::Keyspace*>& databases() { return database_views_; }
  storage::EvictionClock& clock() { return clock_; }
  // Bytes held for data in every database of this shard.
  std::size_t used_memory() const;
  // Updates and returns the most this shard's data has held (the timer samples it too).
  std::size_t note_used_memory_peak();
  // Before a command runs: evicts per maxmemory-policy while this shard holds more than its share
  // of maxmemory. False when still over the limit (the caller refuses denyoom commands).
  bool enforce_maxmemory();
  // Evicts for at most ~1 ms and queues another slice while still over the limit and making
  // progress: brings a shard under a lowered maxmemory without waiting for commands.
  void eviction_slice();
  // Removes due keys and advances table maintenance for at most 1 ms, then, while keys are
  // still due, queues another slice behind the work already waiting (clients are served in
  // between). Started by the timer.
  void active_expire_cycle();
  ShardStats& stats() { return stats_; }
  Slowlog& slowlog() { return slowlog_; }
  KeyLocks& key_locks() { return key_locks_; }
  // The keys of this shard that clients WATCH.
  WatchRegistry& watch_registry() { return watch_registry_; }
  // The reads of tracking clients (CLIENT TRACKING) remembered on this shard.
  TrackingTable& tracking_table() { return tracking_table_; }
  // The clients blocked on this shard's keys (BLPOP ...).
  blocking::WaitingRoom& waiting_room() { return waiting_room_; }
  // This shard's copy of the configuration; updated by Server::broadcast_config.
  const config::Config& config() const { return config_; }
  void set_config(const config::Config& config);
  // The protocol limits of this shard's parsers, from its configuration.
  const protocol::Limits& limits() const { return limits_; }

  void add_connection(const std::shared_ptr<Connection>& conn);
  void remove_connection(std::uint64_t id);
  const std::unordered_map<std::uint64_t, std::shared_ptr<Connection>>& connections() const {
    return connections_;
  }

  // CLIENT PAUSE: commands of paused kinds wait until `until_ms` (or CLIENT UNPAUSE).
  void pause_clients(std::int64_t until_ms, bool writes_only);
  void unpause_clients();
  bool paused_for(bool is_write) const;
  std::int64_t pause_end_ms() const { return pause_until_ms_; }

 private:
  bool evict_to_share(std::size_t max_evictions);
  void flush_outbox();
  void schedule_cron();
  void cron();

  Server& server_;
  const int index_;
  config::Config config_;
  protocol::Limits limits_;
  ShardIoContext io_;
  // Keeps run() from returning while the shard is idle.
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  boost::asio::steady_timer cron_timer_;
  std::thread thread_;
  storage::EvictionClock clock_;
  std::vector<std::unique_ptr<storage::Keyspace>> databases_;
  std::vector<storage::Keyspace*> database_views_;
  storage::Evictor evictor_;
  ShardStats stats_;
  Slowlog slowlog_;
  KeyLocks key_locks_;
  WatchRegistry watch_registry_;
  TrackingTable tracking_table_;  // observes the keyspaces: WATCH flags and invalidations
  KeyspaceNotifier notifier_;
  blocking::WaitingRoom waiting_room_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::unordered_map<std::uint64_t, std::shared_ptr<Connection>> connections_;
  std::vector<std::vector<std::function<void()>>> outbox_;  // by receiving shard, see send()
  bool outbox_flush_queued_ = false;
  std::int64_t pause_until_ms_ = 0;
  bool pause_writes_only_ = false;
  bool shutting_down_ = false;
  std::size_t used_memory_peak_ = 0;
  bool expire_slice_queued_ = false;
  bool eviction_slice_queued_ = false;
};

}  // namespace shardcache::server
