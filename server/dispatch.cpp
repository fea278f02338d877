// Connection's routing of commands to shards: inline on the home shard, one message to the
// owning shard, or a Transaction over several shards; and the gathering of replies.
#include <algorithm>
#include <map>
#include <memory>

#include "protocol/reply_reader.h"
#include "protocol/reply_writer.h"
#include "server/command_context.h"
#include "server/command_table.h"
#include "server/connection.h"
#include "server/server.h"
#include "server/shard.h"
#include "server/transaction.h"

namespace shardcache::server {
namespace {

// Combines the replies of the shards a command ran on into the client's reply. `key_place`
// (kArrayByKey) gives, per key in request order, the reply and element index that answer it.
void merge_shard_replies(Merge merge, const std::vector<std::string>& replies,
                         const std::vector<std::pair<std::size_t, std::size_t>>& key_place,
                         std::string& out) {
  for (const auto& reply : replies) {
    if (!reply.empty() && reply[0] == '-') {
      out += reply;
      return;
    }
  }
  switch (merge) {
    case Merge::kSumIntegers: {
      long long sum = 0;
      for (const auto& reply : replies) sum += std::stoll(reply.substr(1));
      protocol::ReplyWriter(out).integer(sum);
      return;
    }
    case Merge::kArrayByKey: {
      std::vector<std::vector<std::string_view>> elements(replies.size());
      for (std::size_t r = 0; r < replies.size(); ++r) {
        std::string_view rest(replies[r]);
        std::size_t count = 0, header = 0;
        protocol::resp_aggregate_header(rest, count, header);
        rest.remove_prefix(header);
        for (std::size_t i = 0; i < count; ++i) {
          const std::size_t n = protocol::resp_value_size(rest);
          elements[r].push_back(rest.substr(0, n));
          rest.remove_prefix(n);
        }
      }
      protocol::ReplyWriter(out).array(key_place.size());
      for (auto [part, index] : key_place) out.append(elements[part][index]);
      return;
    }
    case Merge::kAllOk:
    case Merge::kNone:
      out += replies[0];
      return;
  }
}

// The key arguments of a command, with the shard owning each.
struct KeyRoute {
  std::vector<std::size_t> positions;
  std::vector<int> shards;
  bool single_shard() const {
    return std::all_of(shards.begin(), shards.end(), [&](int s) { return s == shards[0]; });
  }
};

KeyRoute route_keys(const CommandSpec& spec, std::span<const std::string_view> args,
                    const Server& server) {
  KeyRoute route;
  route.positions = spec.key_positions(args.size());
  route.shards.reserve(route.positions.size());
  for (std::size_t p : route.positions) route.shards.push_back(server.shard_of_key(args[p]));
  return route;
}

// A single-shard command sent to the shard that owns its keys. If a transaction holds one of
// them, it waits on that shard for the release and runs then.
class RemoteCall : public std::enable_shared_from_this<RemoteCall> {
 public:
  RemoteCall(const CommandSpec& spec, std::span<const std::string_view> args, ClientView client,
             std::shared_ptr<Connection> conn, Shard& target)
      : spec_(spec), args_(args.begin(), args.end()), client_(client), conn_(std::move(conn)),
        target_(target) {}

  void operator()() {
    std::vector<std::string_view> views(args_.begin(), args_.end());
    if (command_keys_locked(target_.key_locks(), spec_, views)) {
      target_.key_locks().wait_for_release([self = shared_from_this()] { (*self)(); });
      return;
    }
    std::string out;
    run_handler(spec_, target_, views, client_, nullptr, out);
    target_.send(conn_->shard(), [conn = conn_, out = std::move(out)] { conn->complete(out); });
  }

 private:
  const CommandSpec& spec_;
  std::vector<std::string> args_;
  ClientView client_;
  std::shared_ptr<Connection> conn_;
  Shard& target_;
};

}  // namespace

bool Connection::must_wait_for_locks(const CommandSpec& spec, std::span<const std::string_view> args) {
  if (spec.route != Route::kKeys || shard_.key_locks().empty()) return false;
  std::vector<std::string_view> local_keys;
  const Server& server = shard_.server();
  for (std::size_t p : spec.key_positions(args.size())) {
    if (server.shard_of_key(args[p]) == shard_.index()) local_keys.push_back(args[p]);
  }
  return shard_.key_locks().any_locked(local_keys);
}

void Connection::run_keyed(const CommandSpec& spec, std::span<const std::string_view> args) {
  Server& server = shard_.server();
  const KeyRoute route = route_keys(spec, args, server);
  if (route.positions.empty() || (route.single_shard() && route.shards[0] == shard_.index())) {
    run_handler(spec, shard_, args, client_view(), nullptr, out_, -1, &local_zero_copy_);
    return;
  }
  if (route.single_shard()) {
    suspended_ = true;
    Shard& target = server.shard(route.shards[0]);
    auto call = std::make_shared<RemoteCall>(spec, args, client_view(), shared_from_this(),
                                             target);
    shard_.send(target, [call] { (*call)(); });
    return;
  }
  if (spec.merge == Merge::kNone) {
    protocol::ReplyWriter(out_, state_.resp)
        .error("CROSSSLOT Keys in request don't hash to the same slot");
    return;
  }

  // Split the arguments: each shard gets the command name, the arguments before the first key,
  // its own key groups (a key and the key_step - 1 arguments after it) and those after the last.
  const auto& positions = route.positions;
  const std::size_t step = static_cast<std::size_t>(std::max(spec.key_step, 1));
  const std::size_t first = positions.front();
  // A request ending inside its last key group (MSET with an unpaired key) is refused whole,
  // as Redis's handlers do, before any shard applies a part of it.
  if (positions.back() + step > args.size()) {
    protocol::ReplyWriter(out_, state_.resp)
        .error("ERR wrong number of arguments for '" + spec.name + "' command");
    return;
  }
  const std::size_t after_last = positions.back() + step;
  std::vector<int> targets;
  std::vector<std::vector<std::string>> parts;
  std::map<int, std::vector<std::string>> keys_by_shard;
  // For each key, in request order: which part holds it and its index within that part.
  std::vector<std::pair<std::size_t, std::size_t>> key_place;
  for (std::size_t k = 0; k < positions.size(); ++k) {
    const int owner = route.shards[k];
    auto it = std::find(targets.begin(), targets.end(), owner);
    const std::size_t part = static_cast<std::size_t>(it - targets.begin());
    if (it == targets.end()) {
      targets.push_back(owner);
      parts.emplace_back(args.begin(), args.begin() + static_cast<long>(first));
    }
    key_place.emplace_back(part, (parts[part].size() - first) / step);
    for (std::size_t i = 0; i < step; ++i) parts[part].emplace_back(args[positions[k] + i]);
    keys_by_shard[owner].emplace_back(args[positions[k]]);
  }
  for (auto& part : parts) {
    part.insert(part.end(), args.begin() + static_cast<long>(after_last), args.end());
  }

  // Several shards: one transaction, so that no client sees part of it (half an MSET).
  auto shared_parts = std::make_shared<std::vector<std::vector<std::string>>>(std::move(parts));
  std::vector<int> part_of_shard(static_cast<std::size_t>(server.shard_count()), -1);
  for (std::size_t i = 0; i < targets.size(); ++i) part_of_shard[targets[i]] = static_cast<int>(i);
  const ClientView client = client_view();
  Transaction::start(
      shared_from_this(), std::move(keys_by_shard),
      [&spec, targets, shared_parts, part_of_shard, key_place, client](Transaction& txn) {
        txn.run(
            targets,
            [&spec, shared_parts, part_of_shard, client](Shard& shard) {
              const auto& owned = (*shared_parts)[part_of_shard[shard.index()]];
              std::vector<std::string_view> views(owned.begin(), owned.end());
              std::string out;
              run_handler(spec, shard, views, client, nullptr, out);
              return out;
            },
            [&spec, &txn, key_place](std::vector<std::string>& replies) {
              std::string merged;
              merge_shard_replies(spec.merge, replies, key_place, merged);
              txn.finish(std::move(merged));
            });
      });
}

void Connection::run_on_all_shards(const CommandSpec& spec,
                                   std::span<const std::string_view> args) {
  auto owned = std::make_shared<std::vector<std::string>>(args.begin(), args.end());
  const ClientView client = client_view();
  gather_all(
      [&spec, owned, client](Shard& shard) {
        std::vector<std::string_view> views(owned->begin(), owned->end());
        std::string out;
        run_handler(spec, shard, views, client, nullptr, out);
        return out;
      },
      [&spec](std::vector<std::string>& replies, std::string& out) {
        merge_shard_replies(spec.merge, replies, {}, out);
      });
}

void Connection::gather_all(ShardWork work, GatherDone done) {
  std::vector<int> all(static_cast<std::size_t>(shard_.server().shard_count()));
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
  gather(std::move(all), std::move(work), std::move(done));
}

void Connection::gather(std::vector<int> shards, ShardWork work, GatherDone done) {
  struct Pending {
    std::vector<std::string> replies;
    std::size_t remaining;
    ShardWork work;
    GatherDone done;
  };
  suspended_ = true;
  auto pending = std::make_shared<Pending>();
  pending->replies.resize(shards.size());
  pending->remaining = shards.size();
  pending->work = std::move(work);
  pending->done = std::move(done);
  Server& server = shard_.server();
  auto self = shared_from_this();
  for (std::size_t i = 0; i < shards.size(); ++i) {
    Shard& target = server.shard(shards[i]);
    shard_.send(target, [self, pending, i, &target] {
      std::string reply = pending->work(target);
      target.send(self->shard_, [self, pending, i, reply = std::move(reply)]() mutable {
        pending->replies[i] = std::move(reply);
        if (--pending->remaining > 0) return;
        std::string reply;
        pending->done(pending->replies, reply);
        self->complete(reply);
      });
    });
  }
}

}  // namespace shardcache::server
