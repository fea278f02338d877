#include "server/blocking.h"

#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <thread>

#include "protocol/reply_writer.h"
#include "server/command_context.h"
#include "server/commands/number_text.h"
#include "server/commands/key_group.h"
#include "server/commands/lookup.h"
#include "server/connection.h"
#include "server/server.h"
#include "server/shard.h"

namespace shardcache::server::blocking {
namespace {

std::atomic<std::int64_t> g_blocked_clients{0};

std::string null_array_reply(int resp) {
  std::string out;
  protocol::ReplyWriter(out, resp).null_array();
  return out;
}

std::string error_reply(int resp, std::string_view message) {
  std::string out;
  protocol::ReplyWriter(out, resp).error(message);
  return out;
}

}  // namespace

// Lives from the command until its reply: held by the connection while it waits, by the timer's
// handler, and by every key queue it sits in. The claim (kWaiting → kDone) is the only state
// shared between threads; everything else is touched on the home thread only.
class BlockedClient {
 public:
  BlockedClient(Shard& home, int db, int resp, std::vector<std::string> keys,
                std::int64_t timeout_ms, WaitOps ops)
      : home_(home),
        home_thread_(std::this_thread::get_id()),
        db_(db),
        resp_(resp),
        keys_(std::move(keys)),
        timeout_ms_(timeout_ms),
        ops_(std::move(ops)) {}

  // Only one of the keys' shards, the timer, CLIENT UNBLOCK or the disconnect wins.
  bool claim() {
    int expected = kWaiting;
    return state_.compare_exchange_strong(expected, kDone);
  }
  bool waiting() const { return state_.load() == kWaiting; }

  Shard& home_;
  const std::thread::id home_thread_;
  const int db_;
  const int resp_;
  const std::vector<std::string> keys_;
  const std::int64_t timeout_ms_;  // 0: forever
  const WaitOps ops_;
  // Home thread only.
  std::shared_ptr<Connection> conn_;  // until the reply is handed over
  std::optional<boost::asio::steady_timer> timer_;
  std::string* inline_reply_ = nullptr;  // set while the first check runs inside the handler
  bool counted_ = false;                 // in g_blocked_clients

 private:
  static constexpr int kWaiting = 0;
  static constexpr int kDone = 1;
  std::atomic<int> state_{kWaiting};
};

namespace {

// Home thread: forgets the client everywhere once it was claimed.
void clean_up(const std::shared_ptr<BlockedClient>& client) {
  if (client->timer_) {
    client->timer_->cancel();
    client->timer_.reset();
  }
  if (client->counted_) {
    client->counted_ = false;
    --g_blocked_clients;
  }
  Server& server = client->home_.server();
  for (const std::string& key : client->keys_) {
    Shard& shard = server.shard(server.shard_of_key(key));
    // The queue entries hold the client: removal by address is safe while this lambda holds it.
    shard.post([client, &shard, &key] {
      shard.waiting_room().remove(client->db_, key, client.get());
    });
  }
}

// Home thread: sends the reply of a claimed client and forgets it.
void finish(const std::shared_ptr<BlockedClient>& client, std::string_view reply) {
  if (std::shared_ptr<Connection> conn = std::move(client->conn_)) {
    // Reset first: complete() may run the client's next pipelined command, which may block.
    if (conn->blocked().get() == client.get()) conn->blocked().reset();
    conn->complete(reply);
  }
  clean_up(client);
}

Deliver deliver_to(const std::shared_ptr<BlockedClient>& client) {
  return [client](std::string reply) {
    // Inside the handler the reply goes straight to the output, as any inline command's.
    if (std::this_thread::get_id() == client->home_thread_ && client->inline_reply_ != nullptr) {
      client->inline_reply_->append(reply);
      return;
    }
    client->home_.post([client, reply = std::move(reply)] { finish(client, reply); });
  };
}

// On the key's shard thread, for a claimed client: serves it, or answers WRONGTYPE.
void serve_claimed(const std::shared_ptr<BlockedClient>& client, Shard& shard,
                   std::string_view key, Readiness readiness) {
  if (readiness == Readiness::kWrongType) {
    deliver_to(client)(error_reply(client->resp_, kErrWrongType));
    return;
  }
  client->ops_.serve(shard, client->db_, key, client->resp_, deliver_to(client));
}

// Home thread: the timeout runs from when the client is registered on all its keys.
void start_timer(const std::shared_ptr<BlockedClient>& client) {
  const std::int64_t timeout_ms = client->timeout_ms_;
  // Beyond a century a timeout is "forever" (and would overflow the clock's arithmetic).
  constexpr std::int64_t kCenturyMs = 100LL * 365 * 24 * 3600 * 1000;
  if (timeout_ms <= 0 || timeout_ms > kCenturyMs) return;
  client->timer_.emplace(client->home_.io());
  client->timer_->expires_after(std::chrono::milliseconds(timeout_ms));
  client->timer_->async_wait([client](const boost::system::error_code& ec) {
    if (ec) return;
    if (client->claim()) finish(client, null_array_reply(client->resp_));
  });
}

// Checks keys [first, ...) in order, each on its shard's thread, registering the client on the
// empty ones, until one serves it. Keys of one shard in a row are checked in one step.
void walk(const std::shared_ptr<BlockedClient>& client, std::size_t first) {
  if (first >= client->keys_.size()) {
    client->home_.post([client] {
      if (client->waiting()) start_timer(client);
    });
    return;
  }
  Server& server = client->home_.server();
  const int index = server.shard_of_key(client->keys_[first]);
  Shard& shard = server.shard(index);
  shard.post([client, first, index, &shard, &server] {
    std::size_t i = first;
    for (; i < client->keys_.size() && server.shard_of_key(client->keys_[i]) == index; ++i) {
      if (!client->waiting()) return;  // served by a key registered earlier, or gone
      const std::string& key = client->keys_[i];
      const Readiness readiness = client->ops_.ready(shard, client->db_, key);
      if (readiness != Readiness::kEmpty) {
        if (!shard.key_locks().any_locked({key})) {
          if (client->claim()) serve_claimed(client, shard, key, readiness);
          return;
        }
        // A transaction holds the key: look again once it lets go.
        shard.key_locks().wait_for_release(
            [&shard, db = client->db_, key] { signal_key_ready(shard, db, key); });
      }
      shard.waiting_room().add(client->db_, key, client);
    }
    walk(client, i);
  });
}

// Inside MULTI: the keys are checked once, in order, without blocking.
struct SingleCheck {
  std::vector<std::string> keys;
  WaitOps ops;
  std::string reply;
};

void check_from(const std::shared_ptr<SingleCheck>& check,
                const std::shared_ptr<KeyGroup>& group, std::size_t i) {
  if (i == check->keys.size()) {
    group->finish([](protocol::ReplyWriter& reply) { reply.null_array(); });
    return;
  }
  group->on_key(
      check->keys[i],
      [check, group, i](Shard& shard) {
        const std::string& key = check->keys[i];
        switch (check->ops.ready(shard, group->db(), key)) {
          case Readiness::kEmpty:
            return;
          case Readiness::kWrongType:
            check->reply = error_reply(group->resp(), kErrWrongType);
            return;
          case Readiness::kReady:
            check->ops.serve(shard, group->db(), key, group->resp(),
                             [check](std::string reply) { check->reply = std::move(reply); });
        }
      },
      [check, group, i] {
        if (check->reply.empty()) {
          check_from(check, group, i + 1);
          return;
        }
        group->finish([check](protocol::ReplyWriter& reply) { reply.raw(check->reply); });
      });
}

}  // namespace

std::optional<std::int64_t> parse_timeout(CommandContext& ctx, std::string_view text) {
  // Redis: getLongDoubleFromObject (string2ld), then (long long) ceill(seconds * 1000).
  const std::optional<long double> seconds = parse_long_double(text);
  if (!seconds) {
    ctx.reply.error("ERR timeout is not a float or out of range");
    return std::nullopt;
  }
  const long double ms = std::ceil(*seconds * 1000.0L);  // 0.001 s is 1 ms, not 0 (forever)
  // Redis casts to long long: out of its range that gives LLONG_MIN on x86-64, "negative".
  constexpr long double kTwo63 = 9223372036854775808.0L;
  const std::int64_t timeout_ms = (ms >= kTwo63 || ms < -kTwo63)
                                      ? std::numeric_limits<std::int64_t>::min()
                                      : static_cast<std::int64_t>(ms);
  if (timeout_ms < 0) {
    ctx.reply.error("ERR timeout is negative");
    return std::nullopt;
  }
  return timeout_ms;
}

void wait_for_keys(CommandContext& ctx, std::vector<std::string> keys, std::int64_t timeout_ms,
                   WaitOps ops) {
  if (ctx.client.in_multi) {
    auto check = std::make_shared<SingleCheck>(SingleCheck{keys, std::move(ops), {}});
    KeyGroup::run(ctx, keys, [check](KeyGroup& group) {
      check_from(check, group.shared_from_this(), 0);
    });
    return;
  }
  Shard& home = ctx.shard;
  Server& server = home.server();
  Connection& conn = *ctx.conn;
  auto client = std::make_shared<BlockedClient>(home, ctx.db, ctx.reply.resp(), std::move(keys),
                                                timeout_ms, std::move(ops));
  const auto& watched = client->keys_;
  bool all_home = true;
  for (const std::string& key : watched) {
    if (server.shard_of_key(key) != home.index()) all_home = false;
  }
  std::vector<std::string_view> views(watched.begin(), watched.end());
  const bool check_inline = all_home && !home.key_locks().any_locked(views);
  if (check_inline) {
    // Every key is here: check them at once, in order, and block only if none is ready.
    std::string reply;
    client->inline_reply_ = &reply;
    bool claimed = false;
    for (const std::string& key : watched) {
      const Readiness readiness = client->ops_.ready(home, ctx.db, key);
      if (readiness == Readiness::kEmpty) continue;
      claimed = client->claim();
      serve_claimed(client, home, key, readiness);
      break;
    }
    client->inline_reply_ = nullptr;
    if (claimed) {
      if (!reply.empty()) {
        ctx.reply.raw(reply);
        return;
      }
      // The serve goes on on another shard (BLMOVE to a remote destination).
      conn.suspend();
      client->conn_ = conn.shared_from_this();
      return;
    }
    for (const std::string& key : watched) home.waiting_room().add(ctx.db, key, client);
  }
  conn.suspend();
  client->conn_ = conn.shared_from_this();
  conn.blocked() = client;
  client->counted_ = true;
  ++g_blocked_clients;
  if (check_inline) {
    start_timer(client);
  } else {
    walk(client, 0);
  }
}

void signal_key_ready(Shard& shard, int db, std::string_view key) {
  WaitingRoom& room = shard.waiting_room();
  if (room.empty()) return;
  room.signal(shard, db, key);
}

std::int64_t blocked_clients() { return g_blocked_clients.load(); }

bool unblock(Connection& conn, bool with_error) {
  std::shared_ptr<BlockedClient> client = conn.blocked();
  if (!client || !client->claim()) return false;
  finish(client, with_error ? error_reply(client->resp_,
                                          "UNBLOCKED client unblocked via CLIENT UNBLOCK")
                            : null_array_reply(client->resp_));
  return true;
}

void abandon(Connection& conn) {
  std::shared_ptr<BlockedClient> client = std::move(conn.blocked());
  if (!client) return;
  client->conn_.reset();
  // When a shard has claimed the client already, its delivery cleans up.
  if (client->claim()) clean_up(client);
}

// --- WaitingRoom ---

WaitingRoom::WaitingRoom() = default;
WaitingRoom::~WaitingRoom() = default;

std::string WaitingRoom::queue_name(int db, std::string_view key) {
  std::string name(sizeof(db), '\0');
  std::memcpy(name.data(), &db, sizeof(db));
  name.append(key);
  return name;
}

void WaitingRoom::add(int db, std::string_view key, std::shared_ptr<BlockedClient> client) {
  queues_[queue_name(db, key)].push_back(std::move(client));
}

void WaitingRoom::remove(int db, std::string_view key, const BlockedClient* client) {
  auto it = queues_.find(queue_name(db, key));
  if (it == queues_.end()) return;
  auto& queue = it->second;
  std::erase_if(queue, [client](const auto& waiting) { return waiting.get() == client; });
  if (queue.empty()) queues_.erase(it);
}

void WaitingRoom::signal(Shard& shard, int db, std::string_view key) {
  std::string name = queue_name(db, key);
  if (queues_.find(name) == queues_.end()) return;
  ready_.push_back(std::move(name));
  if (serving_) return;  // a serve in progress pushed to this key: served after it
  serving_ = true;
  for (std::size_t i = 0; i < ready_.size(); ++i) {
    const std::string next = ready_[i];  // a copy: serving may append to ready_
    serve_queue(shard, next);
  }
  ready_.clear();
  serving_ = false;
}

void WaitingRoom::serve_queue(Shard& shard, const std::string& name) {
  int db = 0;
  std::memcpy(&db, name.data(), sizeof(db));
  const std::string_view key = std::string_view(name).substr(sizeof(db));
  std::size_t i = 0;  // clients before i wait for another type (a list key and a BZPOPMIN)
  for (;;) {
    auto it = queues_.find(name);
    if (it == queues_.end()) return;
    auto& queue = it->second;
    if (i >= queue.size()) {
      if (queue.empty()) queues_.erase(it);
      return;
    }
    std::shared_ptr<BlockedClient> client = queue[i];
    if (!client->waiting()) {
      queue.erase(queue.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    const Readiness readiness = client->ops_.ready(shard, db, key);
    if (readiness == Readiness::kEmpty) return;
    if (readiness == Readiness::kWrongType) {
      ++i;
      continue;
    }
    queue.erase(queue.begin() + static_cast<std::ptrdiff_t>(i));
    if (client->claim()) serve_claimed(client, shard, key, readiness);
  }
}

}  // namespace shardcache::server::blocking
