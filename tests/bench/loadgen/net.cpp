#include "net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "clock.h"

namespace shardcache::loadgen {

namespace {

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

std::uint64_t raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) throw_errno("getrlimit");
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) throw_errno("setrlimit");
  }
  return limit.rlim_cur;
}

int start_connect(const Endpoint& endpoint) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(endpoint.port);
  if (inet_pton(AF_INET, endpoint.host.c_str(), &address.sin_addr) != 1) {
    throw std::invalid_argument("not an IPv4 address: " + endpoint.host);
  }
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 &&
      errno != EINPROGRESS) {
    const int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

int connect_result(int fd) {
  int error = 0;
  socklen_t size = sizeof error;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) return errno;
  return error;
}

int connect_with_retry(const Endpoint& endpoint, int timeout_ms) {
  const std::uint64_t deadline = now_ns() + std::uint64_t(timeout_ms) * 1'000'000u;
  int error = 0;
  while (now_ns() < deadline) {
    const int fd = start_connect(endpoint);
    if (fd < 0) {
      error = errno;
    } else {
      pollfd waiting{fd, POLLOUT, 0};
      const int left_ms = static_cast<int>((deadline - std::min(deadline, now_ns())) / 1'000'000);
      error = poll(&waiting, 1, left_ms) == 1 ? connect_result(fd) : ETIMEDOUT;
      if (error == 0) return fd;
      close(fd);
    }
    usleep(10'000);
  }
  throw std::runtime_error("cannot connect to " + endpoint.host + ":" +
                           std::to_string(endpoint.port) + ": " + std::strerror(error));
}

void close_abortive(int fd) {
  const linger abort{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
  close(fd);
}

Poller::Poller() : fd_(epoll_create1(EPOLL_CLOEXEC)), events_(1024) {
  if (fd_ < 0) throw_errno("epoll_create1");
}

Poller::~Poller() { close(fd_); }

void Poller::add(int fd, std::uint64_t tag, std::uint32_t events) {
  epoll_event event{events, {.u64 = tag}};
  if (epoll_ctl(fd_, EPOLL_CTL_ADD, fd, &event) != 0) throw_errno("epoll_ctl ADD");
}

void Poller::modify(int fd, std::uint64_t tag, std::uint32_t events) {
  epoll_event event{events, {.u64 = tag}};
  if (epoll_ctl(fd_, EPOLL_CTL_MOD, fd, &event) != 0) throw_errno("epoll_ctl MOD");
}

void Poller::remove(int fd) { epoll_ctl(fd_, EPOLL_CTL_DEL, fd, nullptr); }

std::span<const epoll_event> Poller::wait(std::int64_t timeout_ns) {
  timespec timeout{};
  if (timeout_ns >= 0) {
    timeout.tv_sec = timeout_ns / 1'000'000'000;
    timeout.tv_nsec = timeout_ns % 1'000'000'000;
  }
  const int n = epoll_pwait2(fd_, events_.data(), static_cast<int>(events_.size()),
                             timeout_ns >= 0 ? &timeout : nullptr, nullptr);
  if (n < 0 && errno != EINTR) throw_errno("epoll_pwait2");
  return {events_.data(), static_cast<std::size_t>(std::max(n, 0))};
}

}  // namespace shardcache::loadgen
