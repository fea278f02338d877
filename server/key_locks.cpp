#include "server/key_locks.h"

#include "server/command_table.h"

namespace shardcache::server {

bool KeyLocks::any_locked(const std::vector<std::string_view>& keys) const {
  if (holders_.empty()) return false;
  for (std::string_view key : keys) {
    if (holders_.find(std::string(key)) != holders_.end()) return true;
  }
  return false;
}

bool KeyLocks::all_free(const std::vector<std::string>& keys) const {
  for (const auto& key : keys) {
    if (holders_.find(key) != holders_.end()) return false;
  }
  return true;
}

void KeyLocks::grant(Waiting& w) {
  for (const auto& key : w.keys) holders_.emplace(key, w.txid);
  held_[w.txid] = std::move(w.keys);
  w.granted();
}

void KeyLocks::acquire(std::uint64_t txid, std::vector<std::string> keys,
                       std::function<void()> granted) {
  Waiting w{txid, std::move(keys), std::move(granted)};
  // First come, first served: a transaction never overtakes one already waiting here.
  if (waiting_.empty() && all_free(w.keys)) {
    grant(w);
  } else {
    waiting_.push_back(std::move(w));
  }
}

void KeyLocks::release(std::uint64_t txid) {
  auto it = held_.find(txid);
  if (it == held_.end()) return;
  for (const auto& key : it->second) holders_.erase(key);
  held_.erase(it);
  while (!waiting_.empty() && all_free(waiting_.front().keys)) {
    Waiting w = std::move(waiting_.front());
    waiting_.pop_front();
    grant(w);
  }
  auto retries = std::move(retries_);
  retries_.clear();
  for (auto& retry : retries) retry();
}

bool command_keys_locked(const KeyLocks& locks, const CommandSpec& spec,
                         std::span<const std::string_view> args) {
  if (locks.empty()) return false;
  std::vector<std::string_view> keys;
  spec.for_each_key_position(args.size(), [&](std::size_t p) { keys.push_back(args[p]); });
  return locks.any_locked(keys);
}

}  // namespace shardcache::server
