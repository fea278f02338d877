// Connection: one client socket on its home shard thread. It reads requests, parses every
// complete command in the buffer, runs each (inline when its keys are local, as a message to the
// owning shard otherwise), and flushes all replies produced from one read with one write.
// Replies always leave in request order. Single-shard commands for other shards are batched per
// shard over one read (server/pipeline_batch.h); any other command that waits for another shard
// suspends the pipeline until its reply is back.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/request_parser.h"
#include "server/blocking.h"
#include "server/client_state.h"
#include "server/command_context.h"
#include "server/multi_state.h"
#include "server/pipeline_batch.h"
#include "server/pubsub.h"
#include "server/reply_attachments.h"
#include "server/tracking.h"
#include "storage/value_buffer.h"

namespace shardcache::server {

class Shard;
struct CommandSpec;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Socket = boost::asio::ip::tcp::socket;
  // Work run on one shard's thread, producing reply bytes for the home thread.
  using ShardWork = std::function<std::string(Shard&)>;
  // Turns the replies gathered from shards (in shard order) into this command's reply.
  using GatherDone = std::function<void(std::vector<std::string>&, std::string& out)>;

  Connection(Shard& shard, Socket socket, ClientState state);

  void start();
  ClientState& state() { return state_; }
  const ClientState& state() const { return state_; }
  Shard& shard() { return shard_; }

  // Runs `work` on each shard in `shards` and, back on this thread, `done` with the results; the
  // pipeline is suspended until then. Call from a handler as its last action.
  void gather(std::vector<int> shards, ShardWork work, GatherDone done);
  // Runs `work` on every shard.
  void gather_all(ShardWork work, GatherDone done);

  // Sends what is pending, then closes (QUIT, protocol errors).
  void close_after_reply() { close_after_reply_ = true; }
  // Closes at once, dropping pending output (CLIENT KILL, shutdown deadline).
  void kill();
  // Flushes pending output and closes (server shutdown).
  void shutdown();
  // Resumes a pipeline held by CLIENT PAUSE or by a key a transaction held.
  void wake();
  // Holds the pipeline while the current command waits for other shards...
  void suspend() { suspended_ = true; }
  // ...and ends that wait with the command's reply (RESP bytes).
  void complete(std::string_view reply);

  // One CLIENT LIST / CLIENT INFO line, without the trailing newline.
  std::string describe() const;
  bool auth_required() const;
  ClientView client_view() const;
  // MULTI/EXEC/WATCH state.
  MultiState& multi() { return multi_; }
  // CLIENT TRACKING settings, and CLIENT CACHING YES/NO for the next command.
  TrackingSettings& tracking() { return tracking_; }
  void set_caching(bool yes) { (yes ? caching_yes_ : caching_no_) = true; }
  bool caching_yes() const { return caching_yes_; }
  bool caching_no() const { return caching_no_; }
  // Pub/sub subscriptions.
  Subscriptions& subscriptions() { return subscriptions_; }
  // Sends a pub/sub message (already framed for this client's protocol). A subscriber that does
  // not read is disconnected once its pending output passes the pubsub output buffer limits.
  void push_message(std::string_view message);
  // EXEC: runs one queued command routed as execute() would route it (server/multi_exec.cpp).
  // True when it finished at once, its reply appended to `replies`; false when it waits for
  // other shards: its reply then reaches multi().on_reply.
  bool run_queued(const CommandSpec& spec, std::span<const std::string_view> args,
                  std::string& replies);
  // The blocking command (BLPOP ...) this client waits in, if any.
  std::shared_ptr<blocking::BlockedClient>& blocked() { return blocked_; }

 private:
  void read_more();
  void on_read(const boost::system::error_code& ec, std::size_t bytes);
  void process_input();
  // Runs one parsed command. Returns false when the pipeline must stop (suspended or closing).
  bool execute(std::span<const std::string_view> args, std::size_t command_bytes);
  bool reject(const CommandSpec* spec, std::string_view error);
  // Between MULTI and EXEC: queues the command and answers +QUEUED (or refuses it). False for
  // the commands that act at once (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET).
  bool queue_in_multi(const CommandSpec& spec, std::span<const std::string_view> args);
  // Whether a key of this command that lives on the home shard is held by a transaction.
  bool must_wait_for_locks(const CommandSpec& spec, std::span<const std::string_view> args);
  // Puts the command back in the input, to be parsed again when the pipeline is woken.
  void put_back(std::size_t command_bytes);
  // Moves the input's start back over the last command's `command_bytes`, splicing back the
  // payloads it received out of line, so that it parses again as it arrived (put_back,
  // hold_for_batch).
  void rewind_input(std::size_t command_bytes);
  // The parser waits for a large bulk payload: it is received into a buffer of its own, the
  // value's final home, instead of the input buffer (see payloads_).
  void take_payload_out_of_line(const protocol::RequestParser::PendingPayload& payload);
  bool receiving_payload() const {
    return !payloads_.empty() && payload_filled_ < payloads_.back()->size();
  }
  // Drops the out-of-line payloads of the last command, which is done with its arguments.
  void drop_payloads();
  // Reply bytes queued behind the write in flight (attached values included).
  std::size_t queued_output() const {
    return out_.size() + (out_attachments_.empty() ? 0 : attached_bytes(out_attachments_));
  }
  // Cuts the queued output back to `mark` (a muted reply).
  void truncate_output(std::size_t mark);
  void run_keyed(const CommandSpec& spec, std::span<const std::string_view> args);
  // The shard a command would run on as part of a pipeline batch, or -1 when it cannot join one
  // (server/pipeline_batch.cpp).
  int batch_target(const CommandSpec* spec, std::span<const std::string_view> args);
  // Adds a command to the batch; one for this shard runs at once.
  void add_to_batch(const CommandSpec& spec, std::span<const std::string_view> args, int target);
  // A command that cannot join the batch goes back to the input until the batch has answered.
  bool hold_for_batch(std::size_t command_bytes);
  void dispatch_batch();
  // On `target`'s thread: runs the batch's commands for it, from the `from`th on.
  void run_batch_slice(Shard& target, std::size_t from);
  void finish_batch();
  void run_on_all_shards(const CommandSpec& spec, std::span<const std::string_view> args);
  void finish_command(const CommandSpec& spec, std::span<const std::string_view> args,
                      std::size_t reply_mark, std::int64_t usec);
  void drop_reply_if_muted(std::size_t reply_mark);
  void resume();
  void flush();
  void on_written(const boost::system::error_code& ec);
  void close();

  Shard& shard_;
  Socket socket_;
  ClientState state_;
  protocol::RequestParser parser_;

  std::vector<char> in_;  // bytes [in_begin_, in_end_) are received and not yet parsed
  std::size_t in_begin_ = 0, in_end_ = 0;
  std::size_t in_needed_ = 0;  // total unparsed bytes the parser waits for, 0 if unknown
  // Bulk payloads of at least storage::kOutOfLineValueSize bytes of the command being parsed
  // (or the last one parsed, until it is done with its arguments), received straight from the
  // socket into their own buffers, which a SET adopts as its value: such a payload is never
  // copied, and its buffer is allocated without being zero-filled. The input buffer holds the
  // command without them; payload_offsets_ says where each was cut out (from the command's
  // first byte, in the input as it is now), for rewind_input.
  std::vector<storage::ValueRef> payloads_;
  std::vector<std::size_t> payload_offsets_;
  std::size_t payload_filled_ = 0;  // bytes of payloads_.back() received so far
  // Bytes received into the payloads of the command being parsed: they count towards the
  // query buffer (client-query-buffer-limit, CLIENT LIST qbuf) as they did in the input.
  std::size_t payload_bytes_ = 0;

  std::string out_;           // replies not yet handed to the socket
  std::string out_inflight_;  // replies being written
  ReplyAttachments out_attachments_;       // large values out_ refers to
  ReplyAttachments inflight_attachments_;  // large values out_inflight_ refers to
  // What a handler run here, writing to out_, may use (see ZeroCopy).
  const ZeroCopy local_zero_copy_{&out_attachments_, &payloads_};
  bool reading_ = false;
  bool writing_ = false;
  bool suspended_ = false;  // waiting for another shard's reply or the end of a pause
  bool close_after_reply_ = false;
  bool closed_ = false;

  // The command whose reply is pending while suspended.
  const CommandSpec* pending_spec_ = nullptr;
  std::size_t pending_mark_ = 0;
  std::int64_t pending_start_us_ = 0;
  // The arguments of a blocked command (BLPOP ...), whose client keeps being read.
  std::vector<std::string> pending_args_;
  // Monotonic time at the end of the last command run from the input (or the read's start).
  std::int64_t command_clock_us_ = 0;
  PipelineBatch batch_;
  boost::asio::steady_timer pause_timer_;
  MultiState multi_;
  Subscriptions subscriptions_;
  TrackingSettings tracking_;
  bool caching_yes_ = false, caching_no_ = false;
  std::int64_t output_soft_limit_since_ms_ = -1;  // when pending output passed the soft limit
  std::shared_ptr<blocking::BlockedClient> blocked_;
};

}  // namespace shardcache::server
