#include "server/connection.h"

#include <boost/asio/write.hpp>
#include <algorithm>
#include <cstring>
#include <utility>
#include <spdlog/spdlog.h>

#include "protocol/reply_reader.h"
#include "protocol/reply_writer.h"
#include "server/ascii.h"
#include "server/clock.h"
#include "server/command_context.h"
#include "server/command_table.h"
#include "server/multi_exec.h"
#include "server/server.h"
#include "server/shard.h"

namespace shardcache::server {
namespace {

constexpr std::size_t kReadChunk = 16 * 1024;
// The most one read of a large payload, or one write, may move. A read into a fresh buffer
// also takes the page faults of first touch: on the 2-core VM a 256 KiB read took ~0.1-0.3 ms,
// a 256 KiB-1 MiB write ~0.05-0.3 ms. Between two such calls the shard serves its other
// clients, so a large value never holds it for long, and a 32 MiB one still takes only ~130
// reads or ~64 writes.
constexpr std::size_t kMaxPayloadRead = 256 * 1024;
constexpr std::size_t kMaxWriteSize = 512 * 1024;
// While a write is in flight and this much output waits behind it, stop reading: a client that
// pipelines without reading its replies must not grow server memory without bound.
constexpr std::size_t kMaxQueuedOutput = 4 * 1024 * 1024;

// async_write's completion condition: at most kMaxWriteSize per write system call, where asio's
// default (transfer_all) sends 64 KiB pieces.
struct WriteSlice {
  std::size_t operator()(const boost::system::error_code& ec, std::size_t) const {
    return ec ? 0 : kMaxWriteSize;
  }
};

std::string unknown_command_error(std::span<const std::string_view> args) {
  // Redis: "unknown command '%.128s', with args beginning with: " then "'%.*s' " per argument
  // while the list is shorter than 128 bytes.
  std::string error = "ERR unknown command '";
  error.append(args[0].substr(0, 128));
  error.append("', with args beginning with: ");
  std::string list;
  for (std::size_t i = 1; i < args.size() && list.size() < 128; ++i) {
    list += '\'';
    list.append(args[i].substr(0, 128 - list.size() + 1));
    list += "' ";
  }
  return error + list;
}

}  // namespace

storage::ValueRef held_argument(const CommandContext& ctx, std::string_view arg) {
  if (ctx.zero_copy == nullptr) return {};
  for (const storage::ValueRef& buffer : *ctx.zero_copy->arg_buffers) {
    if (buffer->data() == arg.data() && buffer->size() == arg.size()) return buffer;
  }
  return {};
}

void run_handler(const CommandSpec& spec, Shard& shard, std::span<const std::string_view> args,
                 const ClientView& client, Connection* conn, std::string& out,
                 std::int64_t start_us, const ZeroCopy* zero_copy) {
  protocol::ReplyWriter writer(out, client.resp);
  shard.clock().set_now(unix_time_ms_at(start_us >= 0 ? start_us : monotonic_us()));
  if (!shard.enforce_maxmemory() && spec.has_flag(kFlagDenyOom)) {
    writer.error("OOM command not allowed when used memory > 'maxmemory'.");
    return;
  }
  // As Redis: a NO-TOUCH client's reads do not refresh LRU/LFU state, except its TOUCH.
  shard.clock().set_touch_suppressed(client.no_touch && spec.name != "touch");
  CommandContext ctx{args, writer, shard, client.db, conn, spec, client, zero_copy};
  set_current_client(client.id);  // for NOLOOP: the changes this command makes are its own
  spec.handler(ctx);
  set_current_client(0);
  if (client.track_reads && spec.has_flag(kFlagReadonly)) {
    for (std::string_view key : command_keys(spec, args)) {
      if (shard.server().shard_of_key(key) == shard.index()) {
        shard.tracking_table().remember(key, client.id);
      }
    }
  }
  shard.clock().set_touch_suppressed(false);
}

Connection::Connection(Shard& shard, Socket socket, ClientState state)
    : shard_(shard),
      socket_(std::move(socket)),
      state_(std::move(state)),
      parser_(shard.limits()),
      pause_timer_(shard.io()) {}

void Connection::start() {
  // flush() writes directly and must get would_block rather than wait.
  boost::system::error_code ignored;
  socket_.non_blocking(true, ignored);
  shard_.server().tracking().add_connection(state_.id, shared_from_this());
  read_more();
}

ClientView Connection::client_view() const {
  // OPTIN tracks only after CLIENT CACHING YES, OPTOUT all but after CLIENT CACHING NO.
  const bool track_reads =
      tracking_.on && !tracking_.bcast &&
      (tracking_.optin ? caching_yes_ : tracking_.optout ? !caching_no_ : true);
  return ClientView{state_.db, state_.resp, state_.no_touch, multi_.executing, state_.id,
                    track_reads};
}

bool Connection::auth_required() const {
  return !state_.authenticated && !shard_.config().requirepass.empty();
}

void Connection::read_more() {
  // A blocked client keeps being read (its later commands wait in the buffer) so that its
  // disconnect is seen and its wait abandoned.
  if (reading_ || closed_ || (suspended_ && !blocked_) || close_after_reply_) return;
  if (writing_ && queued_output() > kMaxQueuedOutput) return;  // on_written() reads again
  // One call site for the read below: a second would cost every read an out-of-line asio call.
  boost::asio::mutable_buffer target;
  if (receiving_payload()) [[unlikely]] {
    storage::ValueBuffer& payload = *payloads_.back();
    target = boost::asio::buffer(payload.data() + payload_filled_,
                                 std::min(payload.size() - payload_filled_, kMaxPayloadRead));
  } else {
    if (in_begin_ == in_end_) in_begin_ = in_end_ = 0;
    const std::size_t unparsed = in_end_ - in_begin_;
    // Read at least up to the end of a bulk argument the parser is waiting for, so that a
    // value needs no rescans and few reallocations.
    const std::size_t want =
        std::max(kReadChunk, in_needed_ > unparsed ? in_needed_ - unparsed : 0);
    if (in_.size() - in_end_ < want) {
      if (in_begin_ > 0) {
        std::memmove(in_.data(), in_.data() + in_begin_, unparsed);
        in_begin_ = 0;
        in_end_ = unparsed;
      }
      if (in_.size() - in_end_ < want) in_.resize(in_end_ + want);
    }
    target = boost::asio::buffer(in_.data() + in_end_, in_.size() - in_end_);
  }
  reading_ = true;
  socket_.async_read_some(
      target, [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
        self->on_read(ec, n);
      });
}

void Connection::on_read(const boost::system::error_code& ec, std::size_t bytes) {
  reading_ = false;
  if (closed_) return;
  if (ec) {
    close();
    return;
  }
  const bool into_payload = receiving_payload();
  if (into_payload) {
    payload_filled_ += bytes;
    payload_bytes_ += bytes;
  } else {
    in_end_ += bytes;
  }
  shard_.stats().total_net_input_bytes += bytes;
  state_.last_interaction_ms = unix_time_ms();
  const std::size_t query_bytes = in_end_ - in_begin_ + payload_bytes_;
  if (query_bytes > shard_.config().client_query_buffer_limit) {
    // Redis closes such a client without a reply and logs it.
    spdlog::warn("Closing client that reached max query buffer length: id={} addr={} (qbuf "
                 "initial bytes: {} bytes)", state_.id, state_.addr, query_bytes);
    close();
    return;
  }
  // Inside a payload there is nothing to parse until it is whole.
  if (into_payload && receiving_payload()) {
    read_more();
    return;
  }
  process_input();
}

void Connection::process_input() {
  command_clock_us_ = monotonic_us();
  while (!suspended_ && !closed_ && !close_after_reply_ && in_begin_ < in_end_) {
    const std::size_t unparsed = in_end_ - in_begin_;
    if (in_needed_ > unparsed) break;  // still inside a bulk argument
    if (!payloads_.empty()) [[unlikely]] {
      if (receiving_payload()) break;  // still inside one taken out of line
      // parse() ends the last command's arguments anyway
      if (!parser_.in_command()) drop_payloads();
    }
    const auto status =
        parser_.parse(std::string_view(in_.data() + in_begin_, unparsed), auth_required());
    const std::size_t consumed = parser_.consumed();
    in_begin_ += consumed;
    if (status == protocol::ParseStatus::kIncomplete) {
      const auto payload = parser_.pending_payload();
      if (payload && payload->length >= storage::kOutOfLineValueSize) {
        take_payload_out_of_line(*payload);
      } else {
        in_needed_ = parser_.bytes_needed() > consumed ? parser_.bytes_needed() - consumed : 0;
      }
      break;
    }
    in_needed_ = 0;
    payload_bytes_ = 0;  // the command is whole: its payloads leave the query buffer
    if (status == protocol::ParseStatus::kError) {
      state_.skip_current = std::exchange(state_.skip_next, false);
      const std::size_t mark = out_.size();
      protocol::ReplyWriter(out_, state_.resp).error("ERR " + parser_.error());
      shard_.stats().record_error(std::string_view(out_).substr(mark));
      drop_reply_if_muted(mark);
      spdlog::debug("Protocol error ({}) from client: id={} addr={}", parser_.error(), state_.id,
                    state_.addr);
      close_after_reply_ = true;
      break;
    }
    execute(parser_.args(), consumed);
  }
  if (!batch_.empty() && !batch_.dispatched && !closed_) dispatch_batch();
  // A command that waits for another shard still needs its arguments (finish_command); a
  // batched one has its own copies.
  if (!payloads_.empty() && !suspended_ && !parser_.in_command()) [[unlikely]] drop_payloads();
  flush();
  read_more();
}

void Connection::take_payload_out_of_line(
    const protocol::RequestParser::PendingPayload& payload) {
  storage::ValueRef buffer(storage::ValueBuffer::allocate(payload.length));
  // What arrived of the payload moves over; what followed it (at most the first byte of its
  // "\r\n": the parser would have taken a complete payload itself) closes the gap.
  const std::size_t start = in_begin_ + payload.offset;
  const std::size_t have = std::min(in_end_ - start, payload.length);
  std::memcpy(buffer->data(), in_.data() + start, have);
  std::memmove(in_.data() + start, in_.data() + start + have, in_end_ - start - have);
  in_end_ -= have;
  parser_.take_payload_out_of_line(buffer->view());
  payload_offsets_.push_back(payload.offset);
  payloads_.push_back(std::move(buffer));
  payload_filled_ = have;
  payload_bytes_ += have;
  in_needed_ = 0;
}

void Connection::drop_payloads() {
  payloads_.clear();
  payload_offsets_.clear();
  payload_filled_ = 0;
}

void Connection::rewind_input(std::size_t command_bytes) {
  in_begin_ -= command_bytes;
  if (payloads_.empty()) return;
  // Rare (a command held by CLIENT PAUSE, a key lock or a pipeline batch still out): the
  // payloads are copied back, and the command, parsed again from a complete input, copies its
  // values as small ones are.
  std::size_t payload_total = 0;
  for (const storage::ValueRef& payload : payloads_) payload_total += payload->size();
  std::vector<char> restored;
  restored.reserve(in_end_ - in_begin_ + payload_total);
  std::size_t from = in_begin_;
  for (std::size_t i = 0; i < payloads_.size(); ++i) {
    const std::size_t at = in_begin_ + payload_offsets_[i];
    restored.insert(restored.end(), in_.begin() + static_cast<long>(from),
                    in_.begin() + static_cast<long>(at));
    restored.insert(restored.end(), payloads_[i]->data(),
                    payloads_[i]->data() + payloads_[i]->size());
    from = at;
  }
  restored.insert(restored.end(), in_.begin() + static_cast<long>(from),
                  in_.begin() + static_cast<long>(in_end_));
  in_ = std::move(restored);
  in_begin_ = 0;
  in_end_ = in_.size();
  drop_payloads();
}

bool Connection::reject(const CommandSpec* spec, std::string_view error) {
  if (multi_.active) multi_.dirty = true;  // EXEC will answer EXECABORT
  const std::size_t mark = out_.size();
  protocol::ReplyWriter(out_, state_.resp).error(error);
  shard_.stats().record_error(std::string_view(out_).substr(mark));
  if (spec != nullptr) ++shard_.stats().commands[spec->id].rejected_calls;
  drop_reply_if_muted(mark);
  return true;
}

bool Connection::execute(std::span<const std::string_view> args, std::size_t command_bytes) {
  const CommandTable& table = CommandTable::instance();
  const CommandSpec* spec = table.lookup(args);
  const int target = batch_target(spec, args);
  if (target < 0 && !batch_.empty()) return hold_for_batch(command_bytes);
  // CLIENT REPLY SKIP mutes the next command's reply, whatever it is (errors included).
  state_.skip_current = std::exchange(state_.skip_next, false);
  if (spec == nullptr) {
    const CommandSpec* container = table.find(args[0]);
    if (container != nullptr) {
      return reject(nullptr, "ERR unknown subcommand '" + std::string(args[1].substr(0, 128)) +
                                 "'. Try " + to_upper(container->name) + " HELP.");
    }
    return reject(nullptr, unknown_command_error(args));
  }
  if (!spec->arity_ok(args.size()) || spec->handler == nullptr) {
    return reject(spec, "ERR wrong number of arguments for '" + spec->name + "' command");
  }
  if (auth_required() && !spec->has_flag(kFlagNoAuth)) {
    return reject(spec, "NOAUTH Authentication required.");
  }
  if (state_.resp == 2 && subscriptions_.any() && !allowed_while_subscribed(*spec)) {
    return reject(spec, "ERR Can't execute '" + spec->name +
                            "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
                            "allowed in this context");
  }
  if (multi_.active && queue_in_multi(*spec, args)) return true;
  if (shard_.paused_for(spec->has_flag(kFlagWrite))) {
    put_back(command_bytes);
    pause_timer_.expires_at(std::chrono::steady_clock::now() +
                            std::chrono::milliseconds(shard_.pause_end_ms() - unix_time_ms()));
    pause_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->wake();
    });
    return false;
  }
  if (must_wait_for_locks(*spec, args)) {
    put_back(command_bytes);
    shard_.key_locks().wait_for_release([self = shared_from_this()] { self->wake(); });
    return false;
  }

  state_.last_command = spec;
  ++shard_.stats().total_commands_processed;
  if (target >= 0 && (target != shard_.index() || !batch_.empty())) {
    add_to_batch(*spec, args, target);
    return true;
  }
  const std::size_t mark = out_.size();
  pending_spec_ = spec;
  pending_mark_ = mark;
  pending_start_us_ = command_clock_us_;

  const bool sharded = shard_.server().shard_count() > 1;
  if (target == shard_.index()) {
    run_handler(*spec, shard_, args, client_view(), nullptr, out_, pending_start_us_,
                &local_zero_copy_);
  } else if (spec->route == Route::kKeys && sharded) {
    run_keyed(*spec, args);
  } else if (spec->route == Route::kAllShards && sharded) {
    run_on_all_shards(*spec, args);
  } else {
    Connection* conn = spec->route == Route::kHome ? this : nullptr;
    run_handler(*spec, shard_, args, client_view(), conn, out_, pending_start_us_,
                &local_zero_copy_);
  }
  if (suspended_) {
    // A blocked client keeps being read, which may move the input under the parser's views:
    // keep the arguments the slow log may record when the command ends.
    if (blocked_) pending_args_.assign(args.begin(), args.end());
    return false;
  }
  // One clock reading per command: the next command's time starts where this one's ends.
  command_clock_us_ = monotonic_us();
  finish_command(*spec, args, mark, command_clock_us_ - pending_start_us_);
  return !closed_ && !close_after_reply_;
}

void Connection::finish_command(const CommandSpec& spec, std::span<const std::string_view> args,
                                std::size_t reply_mark, std::int64_t usec) {
  auto& stats = shard_.stats().commands[spec.id];
  ++stats.calls;
  stats.usec += static_cast<std::uint64_t>(usec);
  if (usec >= kSlowlogSlowerThanUs) {
    shard_.slowlog().record(shard_.server().next_slowlog_id(), usec, args, state_.addr,
                            state_.name);
  }
  if (out_.size() > reply_mark && out_[reply_mark] == '-') {
    ++stats.failed_calls;
    shard_.stats().record_error(std::string_view(out_).substr(reply_mark));
  }
  drop_reply_if_muted(reply_mark);
  pending_spec_ = nullptr;
  // CLIENT CACHING YES/NO applies to the next command: as Redis's resetClient, any CLIENT
  // subcommand and anything queued in MULTI keep it.
  if (!spec.name.starts_with("client|") && !multi_.active) caching_yes_ = caching_no_ = false;
}

void Connection::drop_reply_if_muted(std::size_t reply_mark) {
  // CLIENT REPLY OFF / SKIP: the command ran (or was refused); its reply is dropped.
  if (state_.reply_off || state_.skip_current) [[unlikely]] truncate_output(reply_mark);
  state_.skip_current = false;
}

// Out of line: drop_reply_if_muted runs for every command and must stay small.
[[gnu::noinline]] void Connection::truncate_output(std::size_t mark) {
  out_.resize(mark);
  drop_attachments_from(out_attachments_, mark);
}

void Connection::resume() {
  suspended_ = false;
  if (closed_) return;
  if (pending_spec_ != nullptr) {
    // Unless the client was blocked (then pending_args_ holds them), the parser's views are
    // still valid: nothing is read or parsed while a command is pending.
    const std::vector<std::string_view> kept(pending_args_.begin(), pending_args_.end());
    finish_command(*pending_spec_,
                   pending_args_.empty() ? std::span<const std::string_view>(parser_.args())
                                         : std::span<const std::string_view>(kept),
                   pending_mark_, monotonic_us() - pending_start_us_);
    pending_args_.clear();
  }
  process_input();
}

void Connection::put_back(std::size_t command_bytes) {
  rewind_input(command_bytes);
  // The command runs again later: a pending CLIENT REPLY SKIP still applies to it.
  state_.skip_next = std::exchange(state_.skip_current, false);
  suspended_ = true;
}

void Connection::wake() {
  if (!suspended_ || pending_spec_ != nullptr || batch_.dispatched) return;
  pause_timer_.cancel();
  resume();
}

void Connection::complete(std::string_view reply) {
  if (multi_.waiting) {
    // A command queued in MULTI finished for the EXEC running it; EXEC itself is still pending.
    multi_.waiting = false;
    multi_.on_reply(reply);
    return;
  }
  // Earlier replies may have been flushed while this command waited: its reply starts here.
  pending_mark_ = out_.size();
  out_.append(reply);
  resume();
}

void Connection::push_message(std::string_view message) {
  if (closed_) return;
  out_.append(message);
  // Redis's default `client-output-buffer-limit pubsub 32mb 8mb 60`.
  constexpr std::size_t kHardLimit = 32u << 20, kSoftLimit = 8u << 20;
  constexpr std::int64_t kSoftSeconds = 60;
  const std::size_t pending =
      queued_output() + out_inflight_.size() + attached_bytes(inflight_attachments_);
  const std::int64_t now = unix_time_ms();
  if (pending <= kSoftLimit) {
    output_soft_limit_since_ms_ = -1;
  } else if (output_soft_limit_since_ms_ < 0) {
    output_soft_limit_since_ms_ = now;
  }
  const bool soft_expired =
      output_soft_limit_since_ms_ >= 0 && now - output_soft_limit_since_ms_ > kSoftSeconds * 1000;
  if (pending > kHardLimit || soft_expired) {
    spdlog::warn("Client id={} addr={} closed for overcoming of output buffer limits.", state_.id,
                 state_.addr);
    close();
    return;
  }
  flush();
}

void Connection::flush() {
  if (writing_ || closed_) return;
  if (out_.empty()) {
    if (close_after_reply_) close();
    return;
  }
  const std::size_t total = queued_output();
  shard_.stats().total_net_output_bytes += total;
  // Write at once: the replies of one read nearly always fit in the socket's buffer, and a
  // direct write saves the asynchronous operation's machinery (a tenth of a pipeline-1
  // request's instructions). What does not fit goes out asynchronously. Large values go by
  // reference, in the same gathering write; no write moves more than kMaxWriteSize.
  boost::system::error_code ec;
  const std::size_t written =
      out_attachments_.empty()
          ? socket_.write_some(boost::asio::buffer(out_.data(), std::min(total, kMaxWriteSize)),
                               ec)
          : socket_.write_some(gather_output(out_, out_attachments_, 0, kMaxWriteSize), ec);
  if (ec && ec != boost::asio::error::would_block) {
    close();
    return;
  }
  if (written == total) {
    out_.clear();
    out_attachments_.clear();
    // Keep the buffer's capacity only while it is reasonable.
    if (out_.capacity() > kMaxQueuedOutput) std::string().swap(out_);
    if (close_after_reply_) close();
    return;
  }
  writing_ = true;
  out_inflight_.swap(out_);
  out_.clear();
  inflight_attachments_.swap(out_attachments_);
  out_attachments_.clear();
  // One call site (a second would cost every asynchronous operation an out-of-line asio call).
  boost::asio::async_write(socket_, gather_output(out_inflight_, inflight_attachments_, written),
                           WriteSlice{},
                           [self = shared_from_this()](const boost::system::error_code& ec,
                                                       std::size_t) { self->on_written(ec); });
}

void Connection::on_written(const boost::system::error_code& ec) {
  writing_ = false;
  // Sent or abandoned: the values may go (the last reference frees a dropped value).
  inflight_attachments_.clear();
  if (closed_) return;
  if (ec) {
    close();
    return;
  }
  // Keep the larger buffer's capacity only while it is reasonable.
  if (out_inflight_.capacity() > kMaxQueuedOutput) std::string().swap(out_inflight_);
  flush();
  read_more();
}

void Connection::kill() { close(); }

void Connection::shutdown() {
  close_after_reply_ = true;
  // A client held by CLIENT PAUSE or a key lock has no reply in the making: close it now; so
  // does a blocked client.
  if ((suspended_ && pending_spec_ == nullptr && !batch_.dispatched) || blocked_) {
    close();
    return;
  }
  if (!writing_ && !suspended_) flush();
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.close(ignored);
  pause_timer_.cancel();
  blocking::abandon(*this);
  unwatch_all(*this);
  unsubscribe_all(*this);
  shard_.server().tracking().remove_connection(state_.id);
  shard_.server().release_client();
  // Last: may drop the shard's reference to this object (handlers in flight hold their own).
  shard_.remove_connection(state_.id);
}

std::string Connection::describe() const {
  const std::int64_t now = unix_time_ms();
  const std::string cmd = state_.last_command ? state_.last_command->name : "NULL";
  std::string flags;
  if (blocked_) flags += 'b';
  if (multi_.active) flags += 'x';
  if (subscriptions_.any()) flags += 'P';
  if (flags.empty()) flags = "N";
  // Large values received or replied by reference count where Redis counts its copies: the
  // query buffer (qbuf) and the reply list (omem).
  std::size_t payload_memory = 0;
  for (const storage::ValueRef& payload : payloads_) payload_memory += payload->size();
  const std::size_t attached =
      attached_bytes(out_attachments_) + attached_bytes(inflight_attachments_);
  return fmt::format(
      "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} "
      "multi={} qbuf={} qbuf-free={} argv-mem=0 multi-mem=0 rbs={} rbp=0 obl={} oll=0 omem={} "
      "tot-mem={} events=r cmd={} user=default redir={} resp={} lib-name={} lib-ver={}",
      state_.id, state_.addr, state_.laddr, state_.fd, state_.name,
      (now - state_.created_ms) / 1000, (now - state_.last_interaction_ms) / 1000, flags,
      state_.db, subscriptions_.channels.size(), subscriptions_.patterns.size(),
      subscriptions_.shard_channels.size(),
      multi_.active ? static_cast<long>(multi_.queued.size()) : -1L,
      in_end_ - in_begin_ + payload_bytes_, in_.size() - (in_end_ - in_begin_), in_.size(),
      out_.size(), attached, in_.size() + payload_memory + out_.capacity() +
      out_inflight_.capacity() + attached, cmd,
      tracking_.on ? static_cast<long>(tracking_.redirect) : -1L, state_.resp, state_.lib_name,
      state_.lib_ver);
}

}  // namespace shardcache::server
