// INFO [section ...]: Redis's sections and field names, with figures gathered from every shard.
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <set>

#include "config/config_params.h"
#include "server/ascii.h"
#include "server/clock.h"
#include "server/command_context.h"
#include "server/command_table.h"
#include "server/blocking.h"
#include "server/commands/families.h"
#include "server/connection.h"
#include "server/server.h"
#include "server/shard.h"

namespace shardcache::server {
namespace {

// What INFO needs from one shard, copied on that shard's thread.
struct ShardSnapshot {
  ShardStats stats;
  std::vector<std::size_t> keys_per_db;
  std::vector<std::size_t> expires_per_db;
  std::vector<std::int64_t> avg_ttl_per_db;
  std::uint64_t expired_keys = 0;
  std::uint64_t evicted_keys = 0;
  std::size_t volatile_keys = 0;
  std::size_t stale_keys = 0;  // TTL passed, not yet removed
  std::size_t used_memory_peak = 0;
  std::size_t used_memory = 0;
  std::size_t clients = 0;
};

const std::vector<std::string_view> kDefaultSections = {
    "server", "clients", "memory", "persistence", "stats", "replication",
    "cpu", "modules", "errorstats", "cluster", "keyspace"};
const std::vector<std::string_view> kAllSections = {
    "server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules",
    "commandstats", "errorstats", "latencystats", "cluster", "keyspace"};

// A hex id of this build (redis_build_id), as Redis derives one from its build.
std::string build_id() {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (const char* p : {kShardcacheVersion, __DATE__, __TIME__}) {
    for (; *p != 0; ++p) h = (h ^ static_cast<unsigned char>(*p)) * 1099511628211ull;
  }
  return fmt::format("{:x}", h);
}

std::size_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return pages_resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

std::string human_bytes(std::size_t n) {
  const double d = static_cast<double>(n);
  if (n < 1024) return fmt::format("{}B", n);
  if (n < 1024 * 1024) return fmt::format("{:.2f}K", d / 1024);
  if (n < 1024ull * 1024 * 1024) return fmt::format("{:.2f}M", d / (1024 * 1024));
  return fmt::format("{:.2f}G", d / (1024.0 * 1024 * 1024));
}

const char* policy_name(config::EvictionPolicy policy) {
  static const char* kNames[] = {"noeviction",   "allkeys-lru",  "allkeys-lfu",
                                 "allkeys-random", "volatile-lru", "volatile-lfu",
                                 "volatile-random", "volatile-ttl"};
  return kNames[static_cast<int>(policy)];
}

class InfoBuilder {
 public:
  InfoBuilder(Server& server, const std::vector<ShardSnapshot>& shards)
      : server_(server), shards_(shards), config_(server.config()) {
    for (const auto& shard : shards) {
      total_.add(shard.stats);
      used_memory_ += shard.used_memory;
      used_memory_peak_ += shard.used_memory_peak;
    }
  }

  std::string build(const std::vector<std::string_view>& sections) {
    for (std::string_view section : sections) {
      if (!out_.empty()) out_ += "\r\n";
      add_section(section);
    }
    return out_;
  }

 private:
  void line(std::string_view key, const auto& value) { out_ += fmt::format("{}:{}\r\n", key, value); }

  void add_section(std::string_view name) {
    if (name == "server") return server_section();
    if (name == "clients") return clients_section();
    if (name == "memory") return memory_section();
    if (name == "persistence") return persistence_section();
    if (name == "stats") return stats_section();
    if (name == "replication") return replication_section();
    if (name == "cpu") return cpu_section();
    if (name == "modules") return (void)(out_ += "# Modules\r\n");
    if (name == "commandstats") return commandstats_section();
    if (name == "errorstats") return errorstats_section();
    // Per-command latency percentiles are not tracked: the section is present and empty.
    if (name == "latencystats") return (void)(out_ += "# Latencystats\r\n");
    if (name == "cluster") return cluster_section();
    if (name == "keyspace") return keyspace_section();
  }

  void server_section() {
    struct utsname uts {};
    ::uname(&uts);
    const std::int64_t now_us = unix_time_us();
    const std::int64_t uptime = (now_us / 1000 - server_.start_time_ms()) / 1000;
    out_ += "# Server\r\n";
    line("redis_version", kRedisCompatVersion);
    line("shardcache_version", kShardcacheVersion);
    line("redis_git_sha1", "00000000");
    line("redis_git_dirty", 0);
    line("redis_build_id", build_id());
    line("redis_mode", "standalone");
    line("os", fmt::format("{} {} {}", uts.sysname, uts.release, uts.machine));
    line("arch_bits", sizeof(void*) * 8);
    line("monotonic_clock", "POSIX clock_gettime");
    line("multiplexing_api", "epoll");
    line("atomicvar_api", "c11-builtin");
    line("gcc_version", fmt::format("{}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__));
    line("process_id", ::getpid());
    line("process_supervised", "no");
    line("run_id", server_.run_id());
    line("tcp_port", server_.bound_port());
    line("server_time_usec", now_us);
    line("uptime_in_seconds", uptime);
    line("uptime_in_days", uptime / 86400);
    line("hz", config_.hz);
    line("configured_hz", config_.hz);
    line("lru_clock", (now_us / 1000000) & ((1 << 24) - 1));
    line("executable", server_.executable());
    line("config_file", config_.config_file);
    line("io_threads_active", 0);
    line("shard_threads", server_.shard_count());
  }

  void clients_section() {
    out_ += "# Clients\r\n";
    line("connected_clients", server_.connected_clients());
    line("cluster_connections", 0);
    line("maxclients", config_.maxclients);
    line("client_recent_max_input_buffer", 0);
    line("client_recent_max_output_buffer", 0);
    line("blocked_clients", blocking::blocked_clients());
    line("tracking_clients", 0);
    line("clients_in_timeout_table", 0);
  }

  void memory_section() {
    const std::size_t rss = rss_bytes();
    const std::size_t used = used_memory_;
    out_ += "# Memory\r\n";
    line("used_memory", used);
    line("used_memory_human", human_bytes(used));
    line("used_memory_rss", rss);
    line("used_memory_rss_human", human_bytes(rss));
    line("used_memory_peak", used_memory_peak_);
    line("used_memory_peak_human", human_bytes(used_memory_peak_));
    line("maxmemory", config_.maxmemory);
    line("maxmemory_human", human_bytes(config_.maxmemory));
    line("maxmemory_policy", policy_name(config_.maxmemory_policy));
    line("mem_fragmentation_ratio",
         fmt::format("{:.2f}", used == 0 ? 0.0 : static_cast<double>(rss) / static_cast<double>(used)));
    line("mem_allocator", "libc");
    for (std::size_t i = 0; i < shards_.size(); ++i) {
      line(fmt::format("shard{}_used_memory", i), shards_[i].used_memory);
    }
  }

  void persistence_section() {
    out_ += "# Persistence\r\n";
    line("loading", 0);
    line("async_loading", 0);
    line("rdb_changes_since_last_save", 0);
    line("rdb_bgsave_in_progress", 0);
    line("rdb_last_save_time", server_.start_time_ms() / 1000);
    line("rdb_last_bgsave_status", "ok");
    line("aof_enabled", 0);
    line("aof_rewrite_in_progress", 0);
    line("aof_last_bgrewrite_status", "ok");
    line("aof_last_write_status", "ok");
  }

  void stats_section() {
    out_ += "# Stats\r\n";
    line("total_connections_received", total_.total_connections_received);
    line("total_commands_processed", total_.total_commands_processed);
    line("instantaneous_ops_per_sec", total_.instantaneous_ops_per_sec());
    line("total_net_input_bytes", total_.total_net_input_bytes);
    line("total_net_output_bytes", total_.total_net_output_bytes);
    line("rejected_connections", total_.rejected_connections);
    std::uint64_t expired = 0, evicted = 0;
    std::size_t volatile_keys = 0, stale = 0;
    for (const auto& shard : shards_) {
      expired += shard.expired_keys;
      evicted += shard.evicted_keys;
      volatile_keys += shard.volatile_keys;
      stale += shard.stale_keys;
    }
    line("expired_keys", expired);
    line("expired_stale_perc",
         fmt::format("{:.2f}", volatile_keys == 0 ? 0.0
                                                  : 100.0 * static_cast<double>(stale) /
                                                        static_cast<double>(volatile_keys)));
    line("evicted_keys", evicted);
    line("keyspace_hits", total_.keyspace_hits);
    line("keyspace_misses", total_.keyspace_misses);
    line("pubsub_channels", 0);
    line("pubsub_patterns", 0);
    line("total_error_replies", total_.total_error_replies);
    line("unexpected_error_replies", total_.unexpected_error_replies);
  }

  void replication_section() {
    out_ += "# Replication\r\n";
    line("role", "master");
    line("connected_slaves", 0);
    line("master_failover_state", "no-failover");
    line("master_replid", server_.run_id());
    line("master_replid2", std::string(40, '0'));
    line("master_repl_offset", 0);
    line("second_repl_offset", -1);
    line("repl_backlog_active", 0);
    line("repl_backlog_size", 1048576);
    line("repl_backlog_first_byte_offset", 0);
    line("repl_backlog_histlen", 0);
  }

  void cpu_section() {
    struct rusage self {}, children {};
    ::getrusage(RUSAGE_SELF, &self);
    ::getrusage(RUSAGE_CHILDREN, &children);
    const auto seconds = [](const timeval& tv) {
      return fmt::format("{:.6f}", static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6);
    };
    out_ += "# CPU\r\n";
    line("used_cpu_sys", seconds(self.ru_stime));
    line("used_cpu_user", seconds(self.ru_utime));
    line("used_cpu_sys_children", seconds(children.ru_stime));
    line("used_cpu_user_children", seconds(children.ru_utime));
  }

  void commandstats_section() {
    out_ += "# Commandstats\r\n";
    const auto& specs = CommandTable::instance().by_id();
    for (std::size_t id = 0; id < total_.commands.size(); ++id) {
      const CommandStats& s = total_.commands[id];
      if (s.calls == 0 && s.rejected_calls == 0 && s.failed_calls == 0) continue;
      const double per_call = s.calls == 0 ? 0.0 : static_cast<double>(s.usec) / static_cast<double>(s.calls);
      line("cmdstat_" + specs[id]->name,
           fmt::format("calls={},usec={},usec_per_call={:.2f},rejected_calls={},failed_calls={}",
                       s.calls, s.usec, per_call, s.rejected_calls, s.failed_calls));
    }
  }

  void errorstats_section() {
    out_ += "# Errorstats\r\n";
    for (const auto& [code, count] : total_.error_codes) {
      line("errorstat_" + code, fmt::format("count={}", count));
    }
  }

  void cluster_section() {
    out_ += "# Cluster\r\n";
    line("cluster_enabled", 0);
  }

  void keyspace_section() {
    out_ += "# Keyspace\r\n";
    for (std::size_t db = 0; db < static_cast<std::size_t>(config_.databases); ++db) {
      std::size_t keys = 0, expires = 0;
      std::int64_t ttl_sum = 0, ttl_shards = 0;
      for (const auto& shard : shards_) {
        keys += shard.keys_per_db[db];
        expires += shard.expires_per_db[db];
        if (shard.expires_per_db[db] > 0) {
          ttl_sum += shard.avg_ttl_per_db[db];
          ++ttl_shards;
        }
      }
      if (keys == 0) continue;
      line(fmt::format("db{}", db), fmt::format("keys={},expires={},avg_ttl={}", keys, expires,
                                                ttl_shards == 0 ? 0 : ttl_sum / ttl_shards));
    }
  }

  Server& server_;
  const std::vector<ShardSnapshot>& shards_;
  const config::Config config_;
  ShardStats total_;
  std::size_t used_memory_ = 0;
  std::size_t used_memory_peak_ = 0;  // the sum of each shard's peak
  std::string out_;
};

// Which sections INFO's arguments select, in Redis's order, without duplicates.
std::vector<std::string_view> selected_sections(std::span<const std::string_view> args) {
  if (args.size() == 1) return kDefaultSections;
  std::set<std::string> wanted;
  bool all = false, everything = false, defaults = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string name = to_lower(args[i]);
    if (name == "all") all = true;
    else if (name == "everything") everything = true;
    else if (name == "default") defaults = true;
    else wanted.insert(name);
  }
  std::vector<std::string_view> sections;
  for (std::string_view name : kAllSections) {
    const bool in_default =
        std::find(kDefaultSections.begin(), kDefaultSections.end(), name) != kDefaultSections.end();
    if (all || everything || (defaults && in_default) || wanted.contains(std::string(name))) {
      sections.push_back(name);
    }
  }
  return sections;
}

void info(CommandContext& ctx) {
  auto sections = selected_sections(ctx.args);
  Server& server = ctx.shard.server();
  auto snapshots = std::make_shared<std::vector<ShardSnapshot>>(
      static_cast<std::size_t>(server.shard_count()));
  Connection* conn = ctx.conn;
  const int resp = conn->state().resp;
  // Each shard fills its own slot; the done callback runs after all of them, on this thread.
  conn->gather_all(
      [snapshots](Shard& shard) {
        ShardSnapshot& snap = (*snapshots)[static_cast<std::size_t>(shard.index())];
        snap.stats = shard.stats();
        shard.clock().set_now(unix_time_ms());
        for (auto* db : shard.databases()) {
          snap.keys_per_db.push_back(db->size());
          snap.expires_per_db.push_back(db->volatile_size());
          snap.avg_ttl_per_db.push_back(db->average_ttl_ms());
          snap.expired_keys += db->stats().expired_keys;
          snap.evicted_keys += db->stats().evicted_keys;
          snap.volatile_keys += db->volatile_size();
          snap.stale_keys += db->expiry().count_due(shard.clock().now(), db->volatile_size());
        }
        snap.used_memory = shard.used_memory();
        snap.used_memory_peak = shard.note_used_memory_peak();
        snap.clients = shard.connections().size();
        return std::string();
      },
      [snapshots, sections, resp, &server](std::vector<std::string>&, std::string& out) {
        InfoBuilder builder(server, *snapshots);
        protocol::ReplyWriter(out, resp).verbatim(builder.build(sections));
      });
}

}  // namespace

std::vector<CommandBinding> info_bindings() { return {{"info", info, Route::kHome}}; }

}  // namespace shardcache::server
