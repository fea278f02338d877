// KeyLocks: the keys of one shard that a multi-shard transaction holds. A command or transaction
// that needs a held key waits until it is released; everything else keeps flowing. Transactions
// take their shards one at a time in increasing shard order, so no cycle of waits (deadlock) can
// form, and take all their keys of one shard at once, on that shard's thread.
//
// Owned and used by one shard thread only. When no transaction is in flight the table is empty
// and single-shard commands pay one emptiness check.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace shardcache::server {

struct CommandSpec;

class KeyLocks {
 public:
  bool empty() const { return holders_.empty(); }
  bool any_locked(const std::vector<std::string_view>& keys) const;

  // Locks `keys` for transaction `txid` and calls `granted` — now if none is held, or later,
  // in request order, when they all are free.
  void acquire(std::uint64_t txid, std::vector<std::string> keys, std::function<void()> granted);
  // Releases the transaction's keys, then grants waiting transactions and retries waiting
  // commands.
  void release(std::uint64_t txid);
  // Runs `retry` after the next release (a command that found a key held).
  void wait_for_release(std::function<void()> retry) { retries_.push_back(std::move(retry)); }

 private:
  struct Waiting {
    std::uint64_t txid;
    std::vector<std::string> keys;
    std::function<void()> granted;
  };
  bool all_free(const std::vector<std::string>& keys) const;
  void grant(Waiting& w);

  std::unordered_map<std::string, std::uint64_t> holders_;  // key → holding transaction
  std::unordered_map<std::uint64_t, std::vector<std::string>> held_;  // transaction → its keys
  std::deque<Waiting> waiting_;
  std::vector<std::function<void()>> retries_;
};

// Whether a transaction in `locks` holds one of the command's keys (a single-shard command about
// to run on the shard owning `locks`).
bool command_keys_locked(const KeyLocks& locks, const CommandSpec& spec,
                         std::span<const std::string_view> args);

}  // namespace shardcache::server
