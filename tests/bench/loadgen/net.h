// Sockets and epoll for the load generator (IPv4, TCP, non-blocking).
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace shardcache::loadgen {

struct Endpoint {
  std::string host = "127.0.0.1";  // a dotted IPv4 address
  std::uint16_t port = 6379;
};

// Raises the soft RLIMIT_NOFILE to the hard limit (10,000 connections need 10,000 descriptors);
// returns the soft limit now in force.
std::uint64_t raise_open_file_limit();

// A non-blocking TCP socket with TCP_NODELAY whose connect() has been started. Returns the fd,
// or -1 with errno set when socket() or connect() failed outright (EINPROGRESS is not a failure:
// the caller waits for writability and reads the outcome with connect_result()).
int start_connect(const Endpoint& endpoint);

// The outcome of a started connect once the socket is writable: 0 or an errno value.
int connect_result(int fd);

// Connects, waiting up to `timeout_ms`, retrying refused attempts; throws std::runtime_error
// with the reason if no connection could be made. The returned socket is non-blocking.
int connect_with_retry(const Endpoint& endpoint, int timeout_ms);

// Closes with an RST instead of a FIN (SO_LINGER 0), so that runs opening 10,000 connections
// again and again leave no sockets in TIME_WAIT holding local ports.
void close_abortive(int fd);

// epoll, level-triggered. Each fd is registered with a caller-chosen 64-bit tag.
class Poller {
 public:
  Poller();
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  void add(int fd, std::uint64_t tag, std::uint32_t events);
  void modify(int fd, std::uint64_t tag, std::uint32_t events);
  void remove(int fd);

  // Waits up to `timeout_ns` (nanosecond resolution, via epoll_pwait2; negative = forever) and
  // returns the ready events, valid until the next call.
  std::span<const epoll_event> wait(std::int64_t timeout_ns);

 private:
  int fd_;
  std::vector<epoll_event> events_;
};

}  // namespace shardcache::loadgen
