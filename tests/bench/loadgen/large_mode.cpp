// large: throughput of SET and GET with large values, and what they do to other clients.
//
// Each of --connections data connections runs closed loop (one request outstanding) over
// --keys keys "large:<i>": first a SET phase, then a GET phase, each --duration seconds or
// --ops requests. GB/s = value bytes moved / the phase's wall time. Alongside, one probe
// connection sends PING, waits for the reply, and sends the next one --ping-interval-us after
// the previous send (at once if that time has passed); its latency distribution shows how long
// a large value keeps the server from serving a small request.
//
// The value is built once and written from that one buffer (writev of header, value, CRLF);
// GET replies are read into one reusable buffer and only scanned for their end.
#include <cstdio>
#include <stdexcept>
#include <string>
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
constexpr std::uint64_t kDrainNs = 30'000'000'000;
constexpr std::int64_t kPollNs = 100'000'000;

struct PhaseResult {
  std::uint64_t ops = 0;
  double seconds = 0;
  Histogram ping;
};

class LargeValueRun {
 public:
  explicit LargeValueRun(const Options& options);

  // One phase: SETs (set == true) or GETs until `ops` requests (if > 0) or `duration_ns` have
  // been issued, waiting for every reply. `probe` runs the PING probe alongside.
  PhaseResult phase(bool set, std::uint64_t ops, std::uint64_t duration_ns, bool probe);

  ErrorTally errors;

 private:
  bool issue(std::size_t index, bool set, std::uint64_t ops, std::uint64_t deadline);
  void send_on(std::size_t index, std::initializer_list<std::string_view> parts);
  void check_reply(const Reply& reply, bool set);

  const Options& options_;
  const std::string value_;
  std::vector<std::string> set_heads_;  // "*3 SET <key> $<size>" up to the value
  std::vector<std::string> gets_;
  std::vector<Connection> data_;        // poller tags 0 .. n-1; the probe's tag is n
  Connection probe_;
  Poller poller_;
  std::vector<char> buffer_;
  std::uint64_t issued_ = 0;
};

LargeValueRun::LargeValueRun(const Options& options)
    : options_(options),
      value_(options.value_size, 'x'),
      probe_(connect_with_retry(options.server, 5000)),
      buffer_(512 * 1024) {
  for (std::size_t key = 0; key < options.keys; ++key) {
    const std::string name = "large:" + std::to_string(key);
    std::string& head = set_heads_.emplace_back();
    append_array_header(head, 3);
    append_bulk(head, "SET");
    append_bulk(head, name);
    append_bulk_header(head, options.value_size);
    std::string& get = gets_.emplace_back();
    append_array_header(get, 2);
    append_bulk(get, "GET");
    append_bulk(get, name);
  }
  data_.reserve(options.connections);
  for (std::size_t i = 0; i < options.connections; ++i) {
    data_.emplace_back(connect_with_retry(options.server, 5000));
    poller_.add(data_.back().fd(), i, EPOLLIN);
  }
  poller_.add(probe_.fd(), data_.size(), EPOLLIN);
}

void LargeValueRun::send_on(std::size_t index, std::initializer_list<std::string_view> parts) {
  Connection& connection = index < data_.size() ? data_[index] : probe_;
  if (!connection.send(parts)) poller_.modify(connection.fd(), index, EPOLLIN | EPOLLOUT);
}

bool LargeValueRun::issue(std::size_t index, bool set, std::uint64_t ops, std::uint64_t deadline) {
  if (ops > 0 ? issued_ >= ops : now_ns() >= deadline) return false;
  const std::size_t key = issued_++ % options_.keys;
  if (set) {
    send_on(index, {set_heads_[key], value_, "\r\n"});
  } else {
    send_on(index, {gets_[key]});
  }
  return true;
}

void LargeValueRun::check_reply(const Reply& reply, bool set) {
  if (reply.type == '-') {
    errors.add(reply.error);
  } else if (set ? reply.type != '+'
                 : reply.type != '$' || reply.length != static_cast<std::int64_t>(value_.size())) {
    throw std::runtime_error(std::string(set ? "SET" : "GET") + " reply of type '" +
                             reply.type + "' and length " + std::to_string(reply.length) +
                             ", expected " + (set ? "+OK" : std::to_string(value_.size())));
  }
}

PhaseResult LargeValueRun::phase(bool set, std::uint64_t ops, std::uint64_t duration_ns,
                                 bool probe) {
  PhaseResult result;
  issued_ = 0;
  const std::uint64_t start = now_ns();
  const std::uint64_t deadline = start + duration_ns;
  const auto interval = static_cast<std::uint64_t>(options_.ping_interval_us * 1000);
  std::size_t busy = 0;
  for (std::size_t i = 0; i < data_.size(); ++i) busy += issue(i, set, ops, deadline);
  std::uint64_t last_reply = start, ping_sent = 0;
  bool ping_waiting = false;

  while (busy > 0 || ping_waiting) {
    std::uint64_t now = now_ns();
    if (probe && busy > 0 && !ping_waiting && now >= ping_sent + interval) {
      ping_sent = now;
      ping_waiting = true;
      send_on(data_.size(), {kPing});
    }
    if (now > deadline + kDrainNs && ops == 0) {
      throw std::runtime_error("replies still missing 30 s after the end of the phase");
    }
    const std::int64_t timeout = probe && busy > 0 && !ping_waiting
                                     ? static_cast<std::int64_t>(ping_sent + interval - now)
                                     : kPollNs;
    for (const epoll_event& event : poller_.wait(timeout)) {
      const std::size_t index = event.data.u64;
      Connection& connection = index < data_.size() ? data_[index] : probe_;
      if ((event.events & EPOLLOUT) && connection.flush()) {
        poller_.modify(connection.fd(), index, EPOLLIN);
      }
      if (!(event.events & (EPOLLIN | EPOLLERR | EPOLLHUP))) continue;
      const bool open = connection.receive(buffer_, [&](Reply&& reply) {
        now = now_ns();
        if (index == data_.size()) {
          if (reply.type != '+') throw std::runtime_error("PING did not get +PONG");
          result.ping.record(now - ping_sent);
          ping_waiting = false;
          return;
        }
        check_reply(reply, set);
        ++result.ops;
        last_reply = now;
        if (!issue(index, set, ops, deadline)) --busy;
      });
      if (!open) throw std::runtime_error("the server closed a connection");
    }
  }
  result.seconds = static_cast<double>(last_reply - start) / 1e9;
  return result;
}

JsonObject phase_json(const PhaseResult& result, std::size_t value_size) {
  const double bytes = static_cast<double>(result.ops) * value_size;
  JsonObject json;
  json.count("ops", result.ops)
      .number("seconds", result.seconds)
      .number("gbps", result.seconds > 0 ? bytes / result.seconds / 1e9 : 0)
      .object("ping", latency_json(result.ping));
  return json;
}

}  // namespace

int run_large(const Options& options) {
  LargeValueRun run(options);
  const std::uint64_t duration = seconds_to_ns(options.duration_s);
  // Every key exists before GETs start, and both servers have allocated for the values once.
  run.phase(true, options.keys, 0, false);
  const PhaseResult sets = run.phase(true, options.ops, duration, true);
  const PhaseResult gets = run.phase(false, options.ops, duration, true);

  JsonObject json;
  json.text("mode", "large")
      .count("value_size", options.value_size)
      .count("keys", options.keys)
      .count("connections", options.connections)
      .number("ping_interval_us", options.ping_interval_us)
      .object("set", phase_json(sets, options.value_size))
      .object("get", phase_json(gets, options.value_size));
  const int status = run.errors.finish(json, options.allow_errors);
  std::printf("%s\n", json.str().c_str());
  return status;
}

}  // namespace shardcache::loadgen
