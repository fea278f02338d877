#include "connection.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <stdexcept>

#include "net.h"

namespace shardcache::loadgen {

Connection::~Connection() {
  if (fd_ >= 0) close_abortive(fd_);
}

Connection::Connection(Connection&& other) noexcept
    : fd_(other.fd_),
      parts_(other.parts_),
      next_(other.next_),
      count_(other.count_),
      scanner_(std::move(other.scanner_)) {
  other.fd_ = -1;
}

bool Connection::send(std::initializer_list<std::string_view> parts) {
  if (writing() || parts.size() > parts_.size()) {
    throw std::logic_error("Connection::send: previous request unwritten or too many parts");
  }
  count_ = 0;
  next_ = 0;
  for (std::string_view part : parts) {
    if (!part.empty()) parts_[count_++] = part;
  }
  return flush();
}

bool Connection::flush() {
  while (writing()) {
    std::array<iovec, 4> vectors{};
    const std::size_t n = count_ - next_;
    for (std::size_t i = 0; i < n; ++i) {
      vectors[i] = {const_cast<char*>(parts_[next_ + i].data()), parts_[next_ + i].size()};
    }
    msghdr message{};
    message.msg_iov = vectors.data();
    message.msg_iovlen = n;
    ssize_t written = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
    if (written < 0) {
      if (errno == EAGAIN) return false;
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "send");
    }
    while (written > 0) {
      std::string_view& part = parts_[next_];
      const std::size_t taken = std::min<std::size_t>(part.size(), written);
      part.remove_prefix(taken);
      written -= static_cast<ssize_t>(taken);
      if (part.empty()) ++next_;
    }
  }
  return true;
}

}  // namespace shardcache::loadgen
