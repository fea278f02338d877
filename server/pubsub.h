// PubSub: every channel, shard channel and pattern subscription of the server, shared by all
// shard threads. PUBLISH looks the receivers up under one mutex, answers the count at once and
// posts the message to each receiver's home thread; a subscriber therefore receives the messages
// of one publisher in the order they were published (each thread's queue is FIFO), whatever
// thread either runs on.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace shardcache::server {

class Connection;
struct CommandSpec;

// Which namespace a subscription lives in: SUBSCRIBE, PSUBSCRIBE or SSUBSCRIBE.
enum class SubscriptionKind { kChannel, kPattern, kShardChannel };

// One client's subscriptions, in the order they were made.
struct Subscriptions {
  std::vector<std::string> channels, patterns, shard_channels;
  std::vector<std::string>& of(SubscriptionKind kind) {
    return kind == SubscriptionKind::kChannel   ? channels
           : kind == SubscriptionKind::kPattern ? patterns
                                                : shard_channels;
  }
  // The count SUBSCRIBE/PSUBSCRIBE replies carry (channels and patterns together, as Redis);
  // SSUBSCRIBE counts shard channels alone.
  std::size_t count_for(SubscriptionKind kind) const {
    return kind == SubscriptionKind::kShardChannel ? shard_channels.size()
                                                   : channels.size() + patterns.size();
  }
  bool any() const { return !channels.empty() || !patterns.empty() || !shard_channels.empty(); }
};

class PubSub {
 public:
  // Adds/removes one subscription; returns false when it was already there / absent.
  bool subscribe(SubscriptionKind kind, std::string_view name,
                 const std::shared_ptr<Connection>& conn);
  bool unsubscribe(SubscriptionKind kind, std::string_view name, const Connection* conn);

  // Sends the message to every subscriber of `channel` (and, unless shard channel, to every
  // matching pattern's subscribers), one posted batch per subscriber thread. Returns how many
  // received it.
  std::size_t publish(std::string_view channel, std::string_view message, bool shard_channel);

  // PUBSUB CHANNELS / SHARDCHANNELS: active names matching `pattern` (empty: all).
  std::vector<std::string> channels(bool shard_channels, std::string_view pattern);
  // PUBSUB NUMSUB / SHARDNUMSUB.
  std::size_t subscriber_count(bool shard_channel, std::string_view channel);
  // PUBSUB NUMPAT: distinct patterns with a subscriber.
  std::size_t pattern_count();
  // Drops every subscription (server shutdown).
  void clear();

 private:
  using Subscribers = std::vector<std::shared_ptr<Connection>>;
  std::unordered_map<std::string, Subscribers>& table(SubscriptionKind kind);

  std::mutex mutex_;
  std::unordered_map<std::string, Subscribers> channels_;
  std::unordered_map<std::string, Subscribers> shard_channels_;
  std::unordered_map<std::string, Subscribers> patterns_;
};

// In RESP2 a client with subscriptions may only run these (Redis's subscribed-mode rule).
bool allowed_while_subscribed(const CommandSpec& spec);
// Drops every subscription of `conn` (disconnect, RESET).
void unsubscribe_all(Connection& conn);

}  // namespace shardcache::server
