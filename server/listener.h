// Listener: accepts clients on one address for one shard. Every shard binds its own socket to
// the same address with SO_REUSEPORT, so the kernel spreads new connections over the threads
// and a connection lives on the thread that accepted it.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <string>

namespace shardcache::server {

class Shard;

class Listener {
 public:
  // Binds and listens; throws boost::system::system_error on failure.
  Listener(Shard& shard, const boost::asio::ip::tcp::endpoint& endpoint, int backlog);
  void start();
  void close();
  int port() const;

 private:
  void accept_next();
  void on_accept(boost::asio::ip::tcp::socket socket);
  // Answers and closes a client that may not connect (maxclients, protected mode).
  void refuse(boost::asio::ip::tcp::socket& socket, const std::string& reply);

  Shard& shard_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace shardcache::server
