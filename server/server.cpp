#include "server/server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <condition_variable>
#include <fmt/ranges.h>
#include <random>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "config/config_params.h"
#include "server/listener.h"
#include "server/logging.h"
#include "server/shard.h"

namespace shardcache::server {
namespace {

std::string random_hex(std::size_t length) {
  std::random_device device;
  std::mt19937_64 rng(device());
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(length, '0');
  for (char& c : out) c = kDigits[rng() & 15];
  return out;
}

}  // namespace

Server::Server(config::Config config)
    : config_(std::move(config)),
      run_id_(random_hex(40)),
      start_time_ms_(std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count()) {
  const int threads = std::max(config_.threads, 1);
  for (int i = 0; i < threads; ++i) {
    shards_.push_back(std::make_unique<Shard>(*this, i, config_));
  }
  // Contiguous slot ranges per shard: slot migration (later) moves ranges between shards.
  for (std::size_t slot = 0; slot < cluster::kSlotCount; ++slot) {
    slot_to_shard_[slot] = static_cast<std::uint16_t>(slot * shards_.size() / cluster::kSlotCount);
  }
}

Server::~Server() {
  // Subscribers are connections: they go before any shard's io_context does.
  pubsub_.clear();
  for (auto& shard : shards_) shard->release_references();
}

bool Server::admit_client() {
  const int max = config().maxclients;
  int current = connected_clients_.load();
  do {
    if (current >= max) return false;
  } while (!connected_clients_.compare_exchange_weak(current, current + 1));
  return true;
}

void Server::release_client() { connected_clients_.fetch_sub(1); }

config::Config Server::config() const {
  std::lock_guard lock(config_mutex_);
  return config_;
}

std::optional<std::string> Server::set_config(
    const std::vector<std::pair<std::string, std::string>>& pairs, config::Config& updated) {
  {
    std::lock_guard lock(config_mutex_);
    updated = config_;
    if (auto error = config::set_params(updated, pairs)) return error;
    ++updated.version;
    config_ = updated;
  }
  spdlog::set_level(spdlog_level(updated.loglevel));
  return std::nullopt;
}

bool Server::bind_listeners() {
  bool any = false;
  for (const std::string& entry : config_.bind) {
    const bool optional = !entry.empty() && entry[0] == '-';
    const std::string host = optional ? entry.substr(1) : entry;
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(host == "*" ? "0.0.0.0" : host, ec);
    if (ec) {
      spdlog::critical("Invalid bind address '{}'", host);
      return false;
    }
    const boost::asio::ip::tcp::endpoint endpoint(address, static_cast<unsigned short>(config_.port));
    try {
      // SO_REUSEPORT would let this process join a group another process already listens on;
      // a plain bind first makes a taken port fail as it does for Redis.
      if (config_.port != 0) {
        boost::asio::ip::tcp::acceptor probe(main_io_);
        probe.open(endpoint.protocol());
        if (address.is_v6()) probe.set_option(boost::asio::ip::v6_only(true));
        probe.bind(endpoint);
      }
      int port = config_.port;
      for (auto& shard : shards_) {
        // With port 0 the first socket picks a port and the others join it.
        const boost::asio::ip::tcp::endpoint ep(address, static_cast<unsigned short>(port));
        auto listener = std::make_unique<Listener>(*shard, ep, config_.tcp_backlog);
        port = listener->port();
        shard->add_listener(std::move(listener));
      }
      bound_port_ = port;
      any = true;
    } catch (const boost::system::system_error& e) {
      if (optional) {
        spdlog::warn("Could not listen on {}:{} ({}); skipped", host, config_.port,
                     e.code().message());
        continue;
      }
      spdlog::critical("Failed listening on {}:{} ({}), aborting.", host, config_.port,
                       e.code().message());
      return false;
    }
  }
  if (!any) spdlog::critical("No address to listen on, aborting.");
  return any;
}

int Server::run() {
  if (!bind_listeners()) return 1;
  spdlog::info("shardcache {} (Redis {} compatible) pid={} listening on {}:{} threads={} "
               "config={}",
               kShardcacheVersion, kRedisCompatVersion, ::getpid(),
               fmt::join(config_.bind, ","), bound_port_, shards_.size(),
               config_.config_file.empty() ? "(built-in defaults)" : config_.config_file);
  boost::asio::signal_set signals(main_io_, SIGINT, SIGTERM);
  signals.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("Received {}, scheduling shutdown...", signal == SIGINT ? "SIGINT" : "SIGTERM");
    request_shutdown();
  });
  for (auto& shard : shards_) shard->start();
  spdlog::info("Ready to accept connections tcp");
  main_io_.run();
  shutdown_shards();
  spdlog::info("shardcache is now ready to exit, bye bye...");
  return 0;
}

void Server::request_shutdown() {
  if (shutting_down_.exchange(true)) return;
  boost::asio::post(main_io_, [this] { main_io_.stop(); });
}

void Server::shutdown_shards() {
  // Each shard stops accepting, sends what its clients are owed, closes them and ends its loop;
  // a shard that has not finished within the deadline is stopped where it stands.
  std::mutex mutex;
  std::condition_variable finished_cv;
  std::size_t finished = 0;
  for (auto& shard : shards_) {
    shard->post([s = shard.get()] { s->begin_shutdown(); });
  }
  std::vector<std::thread> waiters;
  for (auto& shard : shards_) {
    waiters.emplace_back([&, s = shard.get()] {
      s->join();
      std::lock_guard lock(mutex);
      ++finished;
      finished_cv.notify_one();
    });
  }
  {
    std::unique_lock lock(mutex);
    if (!finished_cv.wait_for(lock, std::chrono::milliseconds(500),
                              [&] { return finished == shards_.size(); })) {
      spdlog::warn("Some clients did not take their replies in time; closing them");
      for (auto& shard : shards_) shard->io().stop();
    }
  }
  for (auto& waiter : waiters) waiter.join();
}

}  // namespace shardcache::server
