// Connection's pipeline batches: which commands may join one, sending each shard its part in one
// message, and writing the replies back in request order (see server/pipeline_batch.h).
#include "server/pipeline_batch.h"

#include <cstdint>
#include <memory>

#include "server/clock.h"
#include "server/command_table.h"
#include "server/connection.h"
#include "server/pubsub.h"
#include "server/server.h"
#include "server/shard.h"

namespace shardcache::server {

int Connection::batch_target(const CommandSpec* spec, std::span<const std::string_view> args) {
  Server& server = shard_.server();
  if (spec == nullptr || spec->route != Route::kKeys || server.shard_count() == 1) return -1;
  // Everything that makes execute() refuse, queue, hold or delay the command keeps it out, so
  // that a batched command always runs and its reply takes its place in order.
  if (multi_.active || !spec->arity_ok(args.size()) || spec->handler == nullptr) return -1;
  if (auth_required() && !spec->has_flag(kFlagNoAuth)) return -1;
  if (state_.resp == 2 && subscriptions_.any() && !allowed_while_subscribed(*spec)) return -1;
  if (shard_.paused_for(spec->has_flag(kFlagWrite))) return -1;
  int target = -1;
  bool spans_shards = false;  // then it runs as a transaction
  spec->for_each_key_position(args.size(), [&](std::size_t p) {
    const int owner = server.shard_of_key(args[p]);
    if (target >= 0 && owner != target) spans_shards = true;
    target = owner;
  });
  if (spans_shards) return -1;
  if (target < 0) target = shard_.index();  // no key: runs here, as run_keyed does
  if (target == shard_.index() && must_wait_for_locks(*spec, args)) return -1;
  return target;
}

void Connection::add_to_batch(const CommandSpec& spec, std::span<const std::string_view> args,
                              int target) {
  const auto shards = static_cast<std::size_t>(shard_.server().shard_count());
  if (batch_.replies.size() < shards) batch_.replies.resize(shards);
  BatchedCommand& cmd = batch_.commands.emplace_back();
  cmd.spec = &spec;
  cmd.first_arg = static_cast<std::uint32_t>(batch_.args.size());
  cmd.arg_count = static_cast<std::uint32_t>(args.size());
  cmd.shard = target;
  cmd.client = client_view();
  cmd.muted = state_.skip_current;
  state_.skip_current = false;
  // As finish_command does: CLIENT CACHING YES/NO applied to this command only.
  caching_yes_ = caching_no_ = false;
  const auto in_begin = reinterpret_cast<std::uintptr_t>(in_.data());
  const auto in_end = in_begin + in_end_;
  for (std::string_view arg : args) {
    const auto at = reinterpret_cast<std::uintptr_t>(arg.data());
    if (at >= in_begin && at + arg.size() <= in_end) {
      batch_.args.push_back(arg);
    } else {
      batch_.args.push_back(batch_.owned_args.emplace_back(arg));
    }
  }
  if (target == shard_.index()) {
    std::string& out = batch_.replies[static_cast<std::size_t>(target)];
    cmd.reply_begin = out.size();
    const std::int64_t start = command_clock_us_;
    run_handler(spec, shard_, batch_.args_of(cmd), cmd.client, nullptr, out, start);
    command_clock_us_ = monotonic_us();
    cmd.usec = command_clock_us_ - start;
    cmd.reply_end = out.size();
  }
}

bool Connection::hold_for_batch(std::size_t command_bytes) {
  rewind_input(command_bytes);
  suspended_ = true;
  return false;
}

void Connection::dispatch_batch() {
  suspended_ = true;
  batch_.dispatched = true;
  Server& server = shard_.server();
  std::vector<bool> has_commands(static_cast<std::size_t>(server.shard_count()));
  for (const BatchedCommand& cmd : batch_.commands) {
    if (cmd.shard != shard_.index()) has_commands[static_cast<std::size_t>(cmd.shard)] = true;
  }
  auto self = shared_from_this();
  for (std::size_t s = 0; s < has_commands.size(); ++s) {
    if (!has_commands[s]) continue;
    ++batch_.shards_pending;
    Shard& target = server.shard(static_cast<int>(s));
    shard_.send(target, [self, &target] { self->run_batch_slice(target, 0); });
  }
  if (batch_.shards_pending == 0) finish_batch();
}

void Connection::run_batch_slice(Shard& target, std::size_t from) {
  std::string& out = batch_.replies[static_cast<std::size_t>(target.index())];
  std::int64_t clock = monotonic_us();
  for (std::size_t i = from; i < batch_.commands.size(); ++i) {
    BatchedCommand& cmd = batch_.commands[i];
    if (cmd.shard != target.index()) continue;
    const auto args = batch_.args_of(cmd);
    if (command_keys_locked(target.key_locks(), *cmd.spec, args)) {
      // A transaction holds a key: this command and the later ones of this shard wait for it.
      target.key_locks().wait_for_release([self = shared_from_this(), &target, i] {
        self->run_batch_slice(target, i);
      });
      return;
    }
    cmd.reply_begin = out.size();
    run_handler(*cmd.spec, target, args, cmd.client, nullptr, out, clock);
    cmd.reply_end = out.size();
    // One clock reading per command: each command's time runs from the previous one's end.
    const std::int64_t now = monotonic_us();
    cmd.usec = now - clock;
    clock = now;
  }
  target.send(shard_, [self = shared_from_this()] {
    if (--self->batch_.shards_pending == 0) self->finish_batch();
  });
}

void Connection::finish_batch() {
  if (!closed_) {
    for (const BatchedCommand& cmd : batch_.commands) {
      const std::size_t mark = out_.size();
      out_.append(batch_.replies[static_cast<std::size_t>(cmd.shard)], cmd.reply_begin,
                  cmd.reply_end - cmd.reply_begin);
      state_.skip_current = cmd.muted;
      finish_command(*cmd.spec, batch_.args_of(cmd), mark, cmd.usec);
    }
  }
  batch_.clear();
  suspended_ = false;
  if (!closed_) process_input();
}

}  // namespace shardcache::server
