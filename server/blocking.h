// Blocking commands: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP and the sorted sets' BZPOPMIN BZPOPMAX
// BZMPOP. A client whose keys hold nothing waits — its pipeline suspended, its later pipelined
// commands held — until a write makes one of its keys ready, its timeout passes, CLIENT UNBLOCK
// ends the wait, or it disconnects.
//
// How a command family uses it (the handler is bound Route::kHome):
//
//   const auto timeout = blocking::parse_timeout(ctx, ctx.args.back());
//   if (!timeout) return;                       // the error is written
//   blocking::WaitOps ops{
//       .ready = [](Shard& shard, int db, std::string_view key) { ... a zset? ... },
//       .serve = [](Shard& shard, int db, std::string_view key, int resp,
//                   blocking::Deliver deliver) {
//         ... pop through the keyspace door (commit with a non-blocking effect: ZPOPMIN ...),
//         ... write the reply with protocol::ReplyWriter(out, resp), then deliver(std::move(out));
//       }};
//   blocking::wait_for_keys(ctx, keys, *timeout, std::move(ops));  // the handler's last action
//
// and every write that may make a key ready (ZADD, a push, a key created by RENAME, MOVE, COPY,
// LMOVE ...) calls blocking::signal_key_ready(shard, db, key) on the key's shard thread after
// its commit.
//
// Guarantees:
//  - Keys are checked in argument order; the first ready one serves the client at once, and a
//    key of another type met first answers WRONGTYPE.
//  - Per key, clients are served first blocked, first served. A client blocked on several keys
//    (possibly on several shards) is served exactly once, by the first key that gets data: an
//    atomic claim decides, and the key's shard pops for the client in the same step as the
//    claim, so no other client can take the element in between. The reply is sent from the
//    client's home connection.
//  - On timeout the reply is the null array (RESP2 *-1, RESP3 _), as Redis 7.0. CLIENT UNBLOCK
//    gives the same, or "-UNBLOCKED client unblocked via CLIENT UNBLOCK" with ERROR.
//  - Inside MULTI (ctx.client.in_multi) nothing blocks: the keys are checked once and the reply
//    is the timeout reply when none is ready.
//  - A client that disconnects while blocked is forgotten on every shard; no element is taken
//    for it afterwards.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace shardcache::server {

class Shard;
class Connection;
struct CommandContext;

namespace blocking {

// Hands a served command's reply (RESP bytes in the client's protocol) to its connection.
// Callable from any thread, exactly once.
using Deliver = std::function<void(std::string reply)>;

// What a key holds for a blocked command.
enum class Readiness {
  kEmpty,      // nothing (absent key): keep waiting
  kReady,      // data of the command's type: serve
  kWrongType,  // another type: the first check of the keys answers WRONGTYPE, as Redis; a key
               // signalled later with another type is ignored (the client keeps waiting)
};

// What a blocking command does with a key. Both run on the key's shard thread.
struct WaitOps {
  // What `key` holds for the command (e.g. a non-empty list). Must not change data.
  std::function<Readiness(Shard& shard, int db, std::string_view key)> ready;
  // Called once ready() said yes and this client was claimed for the key: takes the data
  // (through the keyspace door) and calls `deliver` with the reply. It may deliver later from
  // another shard's thread (BLMOVE pushing to a destination on another shard), except inside
  // MULTI, where it must deliver before returning.
  std::function<void(Shard& shard, int db, std::string_view key, int resp, Deliver deliver)> serve;
};

// Parses a blocking command's timeout (seconds, fractional allowed) as Redis 7.0 does. Returns
// the timeout in milliseconds (0: wait forever), or nullopt after replying "ERR timeout is not a
// float or out of range" / "ERR timeout is negative".
std::optional<std::int64_t> parse_timeout(CommandContext& ctx, std::string_view text);

// Serves the command from the first ready key of `keys`, or blocks the client on all of them for
// `timeout_ms` (0: forever). Call from a Route::kHome handler as its last action.
void wait_for_keys(CommandContext& ctx, std::vector<std::string> keys, std::int64_t timeout_ms,
                   WaitOps ops);

// Tells the shard that `key` (of database `db`) may now hold data blocked clients wait for; they
// are served, in the order they blocked, before this returns (or right after the serving already
// in progress on this shard). Call on the key's shard thread after the write's commit. Costs one
// emptiness check when no client is blocked on this shard.
void signal_key_ready(Shard& shard, int db, std::string_view key);

// Clients blocked now, over all shards (INFO blocked_clients).
std::int64_t blocked_clients();

// CLIENT UNBLOCK, on `conn`'s home thread: ends its wait with the timeout reply, or with the
// UNBLOCKED error. False when it was not blocked.
bool unblock(Connection& conn, bool with_error);

// One blocked client: shared by its connection, its timer and the key queues of every shard it
// waits on. Only the atomic state is touched off the home thread.
class BlockedClient;

// The keys blocked clients wait on in one shard (every database), each with its FIFO of
// clients. Owned by the Shard; used only on its thread.
class WaitingRoom {
 public:
  WaitingRoom();
  ~WaitingRoom();
  WaitingRoom(const WaitingRoom&) = delete;
  WaitingRoom& operator=(const WaitingRoom&) = delete;

  bool empty() const { return queues_.empty(); }
  void add(int db, std::string_view key, std::shared_ptr<BlockedClient> client);
  void remove(int db, std::string_view key, const BlockedClient* client);
  // signal_key_ready's work.
  void signal(Shard& shard, int db, std::string_view key);
  // Drops every waiting client (shard teardown).
  void clear() { queues_.clear(); }

 private:
  static std::string queue_name(int db, std::string_view key);
  void serve_queue(Shard& shard, const std::string& name);

  std::unordered_map<std::string, std::deque<std::shared_ptr<BlockedClient>>> queues_;
  std::vector<std::string> ready_;  // queue names signalled, served in order
  bool serving_ = false;
};

// Called by Connection::close(): forgets the blocked client, if any, on every shard.
void abandon(Connection& conn);

}  // namespace blocking
}  // namespace shardcache::server
