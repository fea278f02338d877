// rate: open-loop load at a fixed request rate.
//
// Request k is due at start + k / rate, whatever happened to the earlier ones, and its latency
// runs from that due time to its reply. A due request takes the connection idle longest; when
// all are busy it waits, and the wait counts as latency: a server that stalls is charged for
// every request it delayed, not only the one it was serving (no coordinated omission). Each
// connection has at most one request outstanding (pipeline 1).
//
// When the next request is due within kSpinNs the loop polls without sleeping: waking from a
// sleep costs the loadgen several microseconds per request (more on a VM) and would make the
// sends late; the loadgen owns its core in the benchmarks, so it may spin on it.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
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

// Replies still missing this long after the last request was due fail the run.
constexpr std::uint64_t kDrainNs = 10'000'000'000;
constexpr std::int64_t kPollNs = 100'000'000;
constexpr std::uint64_t kSpinNs = 200'000;

struct Client {
  Connection connection;
  std::string request;  // the request in flight (written from here)
  std::uint64_t due = 0;
};

}  // namespace

int run_rate(const Options& options) {
  std::vector<CommandTemplate> templates;
  for (const std::string& command : options.commands) {
    templates.emplace_back(CommandTemplate::split(command), options.data_size);
  }

  Poller poller;
  std::vector<Client> clients;
  clients.reserve(options.connections);
  std::deque<std::size_t> idle;
  for (std::size_t i = 0; i < options.connections; ++i) {
    clients.push_back({Connection(connect_with_retry(options.server, 5000)), {}, 0});
    poller.add(clients.back().connection.fd(), i, EPOLLIN);
    idle.push_back(i);
  }

  Random random(options.seed);
  std::vector<char> buffer(256 * 1024);
  Histogram latency;
  ErrorTally errors;
  const double interval_ns = 1e9 / options.rate;
  const std::uint64_t start = now_ns();
  const std::uint64_t measure_from = start + seconds_to_ns(options.warmup_s);
  const std::uint64_t end = measure_from + seconds_to_ns(options.duration_s);
  const auto due_time = [&](std::uint64_t k) {
    return start + static_cast<std::uint64_t>(static_cast<double>(k) * interval_ns);
  };

  std::uint64_t next = 0;  // the next request to send
  std::uint64_t in_flight = 0, measured = 0, last_reply = measure_from, max_backlog = 0;
  for (;;) {
    const std::uint64_t now = now_ns();
    while (!idle.empty() && due_time(next) <= now && due_time(next) < end) {
      const std::size_t index = idle.front();
      idle.pop_front();
      Client& client = clients[index];
      templates[next % templates.size()].render(client.request, random, options.keyspace);
      client.due = due_time(next);
      ++next;
      ++in_flight;
      if (!client.connection.send({client.request})) {
        poller.modify(client.connection.fd(), index, EPOLLIN | EPOLLOUT);
      }
    }
    const bool all_sent = due_time(next) >= end;
    if (!all_sent && due_time(next) <= now) {
      // Requests due but waiting for a connection: how far the server (or the loadgen) lags.
      const auto due_by_now = static_cast<std::uint64_t>((now - start) / interval_ns) + 1;
      max_backlog = std::max(max_backlog, due_by_now - next);
    }
    if (all_sent && in_flight == 0) break;
    if (all_sent && now > end + kDrainNs) {
      throw std::runtime_error(std::to_string(in_flight) + " requests without a reply 10 s " +
                               "after the end of the run");
    }
    std::int64_t timeout = kPollNs;
    if (!all_sent && !idle.empty()) {
      const std::uint64_t wait = due_time(next) - std::min(due_time(next), now);
      timeout = wait <= kSpinNs ? 0 : static_cast<std::int64_t>(wait - kSpinNs);
    }

    for (const epoll_event& event : poller.wait(timeout)) {
      const std::size_t index = event.data.u64;
      Client& client = clients[index];
      if ((event.events & EPOLLOUT) && client.connection.flush()) {
        poller.modify(client.connection.fd(), index, EPOLLIN);
      }
      if (!(event.events & (EPOLLIN | EPOLLERR | EPOLLHUP))) continue;
      const bool open = client.connection.receive(buffer, [&](Reply&& reply) {
        const std::uint64_t done = now_ns();
        if (reply.type == '-') errors.add(reply.error);
        if (client.due >= measure_from) {
          latency.record(done - client.due);
          ++measured;
          last_reply = done;
        }
        --in_flight;
        idle.push_back(index);
      });
      if (!open) throw std::runtime_error("the server closed a connection");
    }
  }

  const double seconds = static_cast<double>(last_reply - measure_from) / 1e9;
  JsonObject json;
  json.text("mode", "rate")
      .number("target_rps", options.rate)
      .number("achieved_rps", seconds > 0 ? measured / seconds : 0)
      .count("connections", options.connections)
      .number("duration_s", options.duration_s)
      .count("requests", measured)
      .count("max_backlog", max_backlog);
  const int status = errors.finish(json, options.allow_errors);
  json.object("latency", latency_json(latency));
  std::printf("%s\n", json.str().c_str());
  return status;
}

}  // namespace shardcache::loadgen
