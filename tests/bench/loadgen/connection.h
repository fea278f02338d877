// One RESP connection of the load generator: requests written from buffers the caller owns (a
// 32 MiB value is never copied), replies read into the caller's reusable buffer and scanned for
// their ends.
#pragma once

#include <array>
#include <cerrno>
#include <cstddef>
#include <initializer_list>
#include <span>
#include <string_view>
#include <system_error>
#include <unistd.h>

#include "resp.h"

namespace shardcache::loadgen {

class Connection {
 public:
  explicit Connection(int fd) : fd_(fd) {}
  ~Connection();
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&&) = delete;
  Connection(const Connection&) = delete;

  int fd() const { return fd_; }

  // Queues `parts` (at most 4, nothing else queued) and writes what the socket takes now. The
  // parts must stay valid until written. Returns true when all is written; otherwise the caller
  // waits for EPOLLOUT and calls flush(). Throws std::system_error if the connection broke.
  bool send(std::initializer_list<std::string_view> parts);
  bool flush();
  bool writing() const { return next_ < count_; }

  // Reads what the socket holds (one read of at most buffer.size() bytes) and calls
  // on_reply(Reply&&) for every reply that completes. Returns false when the connection ended:
  // errno is then 0 if the server closed it, else the read error (ECONNRESET ...).
  template <typename OnReply>
  bool receive(std::span<char> buffer, OnReply&& on_reply) {
    const ssize_t got = ::read(fd_, buffer.data(), buffer.size());
    if (got == 0) {
      errno = 0;
      return false;
    }
    if (got < 0) return errno == EAGAIN || errno == EINTR;
    std::string_view data(buffer.data(), static_cast<std::size_t>(got));
    while (!data.empty()) {
      data.remove_prefix(scanner_.scan(data));
      if (scanner_.ready()) on_reply(scanner_.take());
    }
    return true;
  }

 private:
  int fd_;
  std::array<std::string_view, 4> parts_{};
  std::size_t next_ = 0;   // first part not fully written
  std::size_t count_ = 0;  // parts queued
  ReplyScanner scanner_;
};

}  // namespace shardcache::loadgen
