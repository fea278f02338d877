// conns: throughput and latency with many connections.
//
// Opening: at most kConnectsInFlight connects are pending at once; a connection counts as open
// once it has answered a PING. Refused, reset or timed-out attempts (a full accept backlog,
// no local port yet) are retried after a short pause until --connect-timeout; an error reply
// to the PING (the server's client limit) or a connection closed by the server counts as
// failed for good.
// Load: every open connection sends the --command templates (round robin over all requests)
// closed loop with pipeline 1; after --warmup, requests sent and answered within --duration
// seconds are counted and their latency (send to reply) recorded.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <optional>
#include <stdexcept>
#include <vector>

#include "clock.h"
#include "connection.h"
#include "histogram.h"
#include "modes.h"
#include "net.h"
#include "report.h"

namespace shardcache::loadgen {

namespace {

constexpr std::string_view kPing = "*1\r\n$4\r\nPING\r\n";
constexpr std::size_t kConnectsInFlight = 256;
constexpr std::uint64_t kRetryPauseNs = 20'000'000;
constexpr std::uint64_t kDrainNs = 10'000'000'000;
constexpr std::int64_t kPollNs = 10'000'000;

enum class State { kWaiting, kConnecting, kGreeting, kOpen, kFailed };

struct Slot {
  State state = State::kWaiting;
  std::optional<Connection> connection;
  std::uint64_t retry_at = 0;
  std::string request;  // the request in flight (written from here)
  std::uint64_t sent = 0;
};

bool retryable(int error) {
  return error == ECONNREFUSED || error == EAGAIN || error == ETIMEDOUT ||
         error == ECONNRESET || error == EADDRNOTAVAIL || error == EINTR;
}

class ConnectionFarm {
 public:
  explicit ConnectionFarm(const Options& options)
      : options_(options), slots_(options.connections) {}

  // Opens the connections; returns how many are open.
  std::size_t open_all();
  // The closed-loop load; fills latency, requests and errors.
  void load();

  std::string first_failure;
  std::size_t failed = 0;
  Histogram latency;
  std::uint64_t requests = 0;
  ErrorTally errors;

 private:
  void start(std::size_t index);
  void fail_or_retry(std::size_t index, int error, std::string_view reason);
  void send_next(std::size_t index);

  const Options& options_;
  std::vector<Slot> slots_;
  Poller poller_;
  std::vector<char> buffer_ = std::vector<char>(64 * 1024);
  std::size_t connecting_ = 0;
  std::deque<std::size_t> waiting_;  // slots to (re)connect, in retry order
  std::vector<CommandTemplate> templates_;
  Random random_{options_.seed};
  std::uint64_t next_template_ = 0;
  std::string last_retry_reason_;  // why the latest retried attempt failed
};

void ConnectionFarm::start(std::size_t index) {
  Slot& slot = slots_[index];
  const int fd = start_connect(options_.server);
  if (fd < 0) {
    fail_or_retry(index, errno, "connect");
    return;
  }
  slot.connection.emplace(fd);
  slot.state = State::kConnecting;
  ++connecting_;
  poller_.add(fd, index, EPOLLOUT);
}

void ConnectionFarm::fail_or_retry(std::size_t index, int error, std::string_view reason) {
  Slot& slot = slots_[index];
  if (slot.connection) {
    poller_.remove(slot.connection->fd());
    slot.connection.reset();
  }
  if (slot.state == State::kConnecting || slot.state == State::kGreeting) --connecting_;
  if (retryable(error)) {
    last_retry_reason_ = std::string(reason) + ": " + std::strerror(error);
    slot.state = State::kWaiting;
    slot.retry_at = now_ns() + kRetryPauseNs;
    waiting_.push_back(index);
    return;
  }
  slot.state = State::kFailed;
  ++failed;
  if (first_failure.empty()) {
    first_failure = std::string(reason);
    if (error != 0) first_failure += std::string(": ") + std::strerror(error);
  }
}

std::size_t ConnectionFarm::open_all() {
  const std::uint64_t deadline = now_ns() + seconds_to_ns(options_.connect_timeout_s);
  for (std::size_t i = 0; i < slots_.size(); ++i) waiting_.push_back(i);
  std::size_t open = 0;
  while (open + failed < slots_.size() && now_ns() < deadline) {
    while (connecting_ < kConnectsInFlight && !waiting_.empty() &&
           slots_[waiting_.front()].retry_at <= now_ns()) {
      const std::size_t index = waiting_.front();
      waiting_.pop_front();
      start(index);
    }
    for (const epoll_event& event : poller_.wait(kPollNs)) {
      const std::size_t index = event.data.u64;
      Slot& slot = slots_[index];
      if (slot.state == State::kConnecting) {
        if (const int error = connect_result(slot.connection->fd()); error != 0) {
          fail_or_retry(index, error, "connect");
          continue;
        }
        slot.state = State::kGreeting;
        poller_.modify(slot.connection->fd(), index, EPOLLIN);
        try {
          slot.connection->send({kPing});  // a few bytes: an empty socket buffer takes them
        } catch (const std::system_error& error) {
          fail_or_retry(index, error.code().value(), "PING");
        }
        continue;
      }
      if (slot.state != State::kGreeting) continue;
      std::optional<Reply> answer;
      if (!slot.connection->receive(buffer_, [&](Reply&& reply) { answer = std::move(reply); })) {
        // Closed before answering: a reset under load is retried, a clean close is a refusal.
        fail_or_retry(index, errno == ECONNRESET ? ECONNRESET : 0,
                      "the server closed the connection before answering PING");
      } else if (answer && answer->type == '+') {
        slot.state = State::kOpen;
        --connecting_;
        ++open;
      } else if (answer) {
        fail_or_retry(index, 0, "PING answered -" + answer->error);
      }
    }
  }
  for (Slot& slot : slots_) {
    if (slot.state == State::kOpen || slot.state == State::kFailed) continue;
    if (slot.connection) poller_.remove(slot.connection->fd());
    slot.connection.reset();
    slot.state = State::kFailed;
    ++failed;
    if (first_failure.empty()) {
      first_failure = "not open within --connect-timeout (last retry after " +
                      last_retry_reason_ + ")";
    }
  }
  return open;
}

void ConnectionFarm::send_next(std::size_t index) {
  Slot& slot = slots_[index];
  templates_[next_template_++ % templates_.size()].render(slot.request, random_,
                                                          options_.keyspace);
  slot.sent = now_ns();
  if (!slot.connection->send({slot.request})) {
    poller_.modify(slot.connection->fd(), index, EPOLLIN | EPOLLOUT);
  }
}

void ConnectionFarm::load() {
  for (const std::string& command : options_.commands) {
    templates_.emplace_back(CommandTemplate::split(command), options_.data_size);
  }
  const std::uint64_t measure_from = now_ns() + seconds_to_ns(options_.warmup_s);
  const std::uint64_t end = measure_from + seconds_to_ns(options_.duration_s);
  std::size_t busy = 0;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].state != State::kOpen) continue;
    send_next(i);
    ++busy;
  }
  while (busy > 0) {
    if (now_ns() > end + kDrainNs) {
      throw std::runtime_error(std::to_string(busy) + " requests without a reply 10 s after " +
                               "the end of the run");
    }
    for (const epoll_event& event : poller_.wait(kPollNs)) {
      const std::size_t index = event.data.u64;
      Slot& slot = slots_[index];
      if ((event.events & EPOLLOUT) && slot.connection->flush()) {
        poller_.modify(slot.connection->fd(), index, EPOLLIN);
      }
      if (!(event.events & (EPOLLIN | EPOLLERR | EPOLLHUP))) continue;
      const bool open = slot.connection->receive(buffer_, [&](Reply&& reply) {
        const std::uint64_t done = now_ns();
        if (reply.type == '-') errors.add(reply.error);
        if (slot.sent >= measure_from && done <= end) {
          latency.record(done - slot.sent);
          ++requests;
        }
        if (done < end) {
          send_next(index);
        } else {
          --busy;
        }
      });
      if (!open) throw std::runtime_error("the server closed a connection under load");
    }
  }
}

}  // namespace

int run_conns(const Options& options) {
  ConnectionFarm farm(options);
  const std::uint64_t opening = now_ns();
  const std::size_t open = farm.open_all();
  const double open_seconds = static_cast<double>(now_ns() - opening) / 1e9;
  if (open == 0) throw std::runtime_error("no connection opened: " + farm.first_failure);
  farm.load();

  JsonObject json;
  json.text("mode", "conns")
      .count("connections_requested", options.connections)
      .count("connections_open", open)
      .count("connections_failed", farm.failed)
      .number("open_seconds", open_seconds)
      .number("duration_s", options.duration_s)
      .count("requests", farm.requests)
      .number("rps", static_cast<double>(farm.requests) / options.duration_s);
  if (!farm.first_failure.empty()) json.text("first_failure", farm.first_failure);
  const int status = farm.errors.finish(json, options.allow_errors);
  json.object("latency", latency_json(farm.latency));
  std::printf("%s\n", json.str().c_str());
  return status;
}

}  // namespace shardcache::loadgen
