// What the server knows about one client: identity, protocol, selected database and the
// switches that connection-level commands (HELLO, SELECT, CLIENT ...) turn.
#pragma once

#include <cstdint>
#include <string>

namespace shardcache::server {

struct CommandSpec;

struct ClientState {
  std::uint64_t id = 0;
  std::string name;      // CLIENT SETNAME
  std::string lib_name;  // CLIENT SETINFO LIB-NAME
  std::string lib_ver;   // CLIENT SETINFO LIB-VER
  std::string addr;      // peer "ip:port"
  std::string laddr;     // local "ip:port"
  int fd = -1;
  int resp = 2;
  int db = 0;
  // As Redis: a client is authenticated from the start when the default user has no password
  // at connect time; setting requirepass later does not lock out connected clients.
  bool authenticated = false;
  bool reply_off = false;     // CLIENT REPLY OFF
  bool skip_next = false;     // CLIENT REPLY SKIP was the last command
  bool skip_current = false;  // the reply of the command now running is dropped
  bool no_evict = false;
  bool no_touch = false;
  std::int64_t created_ms = 0;
  std::int64_t last_interaction_ms = 0;
  const CommandSpec* last_command = nullptr;
};

}  // namespace shardcache::server
