#include "server/pubsub.h"

#include <algorithm>

#include "protocol/reply_writer.h"
#include "server/command_table.h"
#include "server/connection.h"
#include "server/server.h"
#include "server/shard.h"
#include "storage/glob.h"

namespace shardcache::server {
namespace {

// A message as both protocols frame it: RESP2 array, RESP3 push.
struct FramedMessage {
  std::string resp2, resp3;
};

std::shared_ptr<const FramedMessage> frame(std::initializer_list<std::string_view> parts) {
  auto framed = std::make_shared<FramedMessage>();
  for (int resp : {2, 3}) {
    std::string& out = resp == 2 ? framed->resp2 : framed->resp3;
    protocol::ReplyWriter writer(out, resp);
    writer.push(parts.size());
    for (std::string_view part : parts) writer.bulk(part);
  }
  return framed;
}

using Delivery = std::pair<std::shared_ptr<Connection>, std::shared_ptr<const FramedMessage>>;

void push(const Delivery& delivery) {
  Connection& conn = *delivery.first;
  conn.push_message(conn.state().resp == 2 ? delivery.second->resp2 : delivery.second->resp3);
}

// Hands each message to its subscriber's thread: one posted batch per thread. Never at once,
// even on the publisher's own thread: the publishing client may be a subscriber itself, in the
// middle of its command.
void deliver(std::vector<Delivery>& deliveries) {
  std::sort(deliveries.begin(), deliveries.end(), [](const Delivery& a, const Delivery& b) {
    return &a.first->shard() < &b.first->shard();
  });
  for (std::size_t begin = 0; begin < deliveries.size();) {
    Shard& target = deliveries[begin].first->shard();
    std::size_t end = begin;
    while (end < deliveries.size() && &deliveries[end].first->shard() == &target) ++end;
    target.post([batch = std::vector<Delivery>(deliveries.begin() + begin,
                                               deliveries.begin() + end)] {
      for (const Delivery& delivery : batch) push(delivery);
    });
    begin = end;
  }
}

}  // namespace

std::unordered_map<std::string, PubSub::Subscribers>& PubSub::table(SubscriptionKind kind) {
  switch (kind) {
    case SubscriptionKind::kPattern:
      return patterns_;
    case SubscriptionKind::kShardChannel:
      return shard_channels_;
    case SubscriptionKind::kChannel:
      break;
  }
  return channels_;
}

bool PubSub::subscribe(SubscriptionKind kind, std::string_view name,
                       const std::shared_ptr<Connection>& conn) {
  std::lock_guard lock(mutex_);
  Subscribers& subscribers = table(kind)[std::string(name)];
  if (std::find(subscribers.begin(), subscribers.end(), conn) != subscribers.end()) return false;
  subscribers.push_back(conn);
  return true;
}

bool PubSub::unsubscribe(SubscriptionKind kind, std::string_view name, const Connection* conn) {
  std::lock_guard lock(mutex_);
  auto& names = table(kind);
  const auto it = names.find(std::string(name));
  if (it == names.end()) return false;
  Subscribers& subscribers = it->second;
  const auto found = std::find_if(subscribers.begin(), subscribers.end(),
                                  [conn](const auto& s) { return s.get() == conn; });
  if (found == subscribers.end()) return false;
  subscribers.erase(found);
  if (subscribers.empty()) names.erase(it);
  return true;
}

std::size_t PubSub::publish(std::string_view channel, std::string_view message,
                            bool shard_channel) {
  std::vector<Delivery> deliveries;
  {
    std::lock_guard lock(mutex_);
    auto& names = shard_channel ? shard_channels_ : channels_;
    if (const auto it = names.find(std::string(channel)); it != names.end()) {
      const auto framed = frame({shard_channel ? "smessage" : "message", channel, message});
      for (const auto& conn : it->second) deliveries.emplace_back(conn, framed);
    }
    if (!shard_channel) {
      for (const auto& [pattern, subscribers] : patterns_) {
        if (!storage::glob_match(pattern, channel)) continue;
        const auto framed = frame({"pmessage", pattern, channel, message});
        for (const auto& conn : subscribers) deliveries.emplace_back(conn, framed);
      }
    }
  }
  // Outside the lock: a subscriber over its output limit is closed, which unsubscribes it.
  const std::size_t receivers = deliveries.size();
  deliver(deliveries);
  return receivers;
}

std::vector<std::string> PubSub::channels(bool shard_channels, std::string_view pattern) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, subscribers] : shard_channels ? shard_channels_ : channels_) {
    if (pattern.empty() || storage::glob_match(pattern, name)) names.push_back(name);
  }
  return names;
}

std::size_t PubSub::subscriber_count(bool shard_channel, std::string_view channel) {
  std::lock_guard lock(mutex_);
  auto& names = shard_channel ? shard_channels_ : channels_;
  const auto it = names.find(std::string(channel));
  return it == names.end() ? 0 : it->second.size();
}

std::size_t PubSub::pattern_count() {
  std::lock_guard lock(mutex_);
  return patterns_.size();
}

void PubSub::clear() {
  std::lock_guard lock(mutex_);
  channels_.clear();
  shard_channels_.clear();
  patterns_.clear();
}

bool allowed_while_subscribed(const CommandSpec& spec) {
  for (const char* name : {"subscribe", "ssubscribe", "psubscribe", "unsubscribe", "sunsubscribe",
                           "punsubscribe", "ping", "quit", "reset"}) {
    if (spec.name == name) return true;
  }
  return false;
}

void unsubscribe_all(Connection& conn) {
  Subscriptions& subscriptions = conn.subscriptions();
  PubSub& pubsub = conn.shard().server().pubsub();
  for (auto kind : {SubscriptionKind::kChannel, SubscriptionKind::kPattern,
                    SubscriptionKind::kShardChannel}) {
    for (const std::string& name : subscriptions.of(kind)) pubsub.unsubscribe(kind, name, &conn);
    subscriptions.of(kind).clear();
  }
}

}  // namespace shardcache::server
