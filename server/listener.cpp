#include "server/listener.h"

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "server/clock.h"
#include "server/connection.h"
#include "server/server.h"
#include "server/shard.h"

namespace shardcache::server {
namespace {

// Redis 7.0's text, byte for byte.
constexpr const char* kProtectedModeReply =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from the "
    "loopback interface. If you want to connect from external computers to Redis you may adopt "
    "one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG "
    "SET protected-mode no' from the loopback interface by connecting to Redis from the same "
    "host the server is running, however MAKE SURE Redis is not publicly accessible from "
    "internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively "
    "you can just disable the protected mode by editing the Redis configuration file, and "
    "setting the protected mode option to 'no', and then restarting the server. 3) If you "
    "started the server manually just for testing, restart it with the '--protected-mode no' "
    "option. 4) Setup a an authentication password for the default user. NOTE: You only need to "
    "do one of the above things in order for the server to start accepting connections from the "
    "outside.\r\n";

std::string endpoint_text(const boost::asio::ip::tcp::endpoint& ep) {
  const auto address = ep.address();
  if (address.is_v6() && !address.to_v6().is_v4_mapped()) {
    return fmt::format("{}:{}", address.to_string(), ep.port());
  }
  const auto v4 = address.is_v6()
                      ? boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6())
                      : address.to_v4();
  return fmt::format("{}:{}", v4.to_string(), ep.port());
}

// Redis counts only 127.0.0.1 and ::1 as local for protected mode (not all of 127/8).
bool is_loopback_peer(const boost::asio::ip::address& address) {
  if (address.is_v4()) return address.to_v4() == boost::asio::ip::address_v4::loopback();
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6) ==
           boost::asio::ip::address_v4::loopback();
  }
  return v6.is_loopback();
}

}  // namespace

Listener::Listener(Shard& shard, const boost::asio::ip::tcp::endpoint& endpoint, int backlog)
    : shard_(shard), acceptor_(shard.io()) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(boost::asio::socket_base::reuse_address(true));
  const int one = 1;
  ::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  if (endpoint.address().is_v6()) acceptor_.set_option(boost::asio::ip::v6_only(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(backlog);
}

int Listener::port() const { return acceptor_.local_endpoint().port(); }

void Listener::start() { accept_next(); }

void Listener::close() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

void Listener::accept_next() {
  acceptor_.async_accept([this](const boost::system::error_code& ec,
                                boost::asio::ip::tcp::socket socket) {
    if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) on_accept(std::move(socket));
    accept_next();
  });
}

void Listener::refuse(boost::asio::ip::tcp::socket& socket, const std::string& reply) {
  ++shard_.stats().rejected_connections;
  boost::system::error_code ignored;
  // Best effort, as Redis: the reply fits the socket buffer of a fresh connection.
  boost::asio::write(socket, boost::asio::buffer(reply), ignored);
  socket.close(ignored);
}

void Listener::on_accept(boost::asio::ip::tcp::socket socket) {
  Server& server = shard_.server();
  const config::Config& config = shard_.config();
  boost::system::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  if (ec) return;
  ++shard_.stats().total_connections_received;
  if (!server.admit_client()) {
    refuse(socket, "-ERR max number of clients reached\r\n");
    return;
  }
  if (config.protected_mode && config.requirepass.empty() && !is_loopback_peer(peer.address())) {
    server.release_client();
    spdlog::warn("Denied connection from {}: protected mode", endpoint_text(peer));
    refuse(socket, kProtectedModeReply);
    return;
  }
  socket.set_option(boost::asio::ip::tcp::no_delay(true), ec);
  if (config.tcp_keepalive > 0) {
    socket.set_option(boost::asio::socket_base::keep_alive(true), ec);
    const int idle = config.tcp_keepalive;
    const int interval = std::max(idle / 3, 1);
    const int count = 3;
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval));
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count));
  }

  ClientState state;
  state.id = server.next_client_id();
  state.addr = endpoint_text(peer);
  state.laddr = endpoint_text(socket.local_endpoint(ec));
  state.fd = socket.native_handle();
  state.created_ms = state.last_interaction_ms = unix_time_ms();
  state.authenticated = config.requirepass.empty();
  auto conn = std::make_shared<Connection>(shard_, std::move(socket), std::move(state));
  shard_.add_connection(conn);
  conn->start();
}

}  // namespace shardcache::server
