// Each command family declares the commands it implements (handler, route, merge) here.
#pragma once

#include <vector>

#include "server/command_table.h"

namespace shardcache::server {

std::vector<CommandBinding> connection_bindings();  // PING ECHO QUIT RESET HELLO AUTH SELECT
std::vector<CommandBinding> client_bindings();      // CLIENT ...
std::vector<CommandBinding> client_tracking_bindings();  // CLIENT TRACKING CACHING GETREDIR ...
std::vector<CommandBinding> server_bindings();      // TIME DBSIZE FLUSH* SHUTDOWN DEBUG ...
std::vector<CommandBinding> config_bindings();      // CONFIG ...
std::vector<CommandBinding> info_bindings();        // INFO
std::vector<CommandBinding> introspection_bindings();  // COMMAND ... SLOWLOG LATENCY
std::vector<CommandBinding> string_bindings();      // GET SET MGET
std::vector<CommandBinding> key_bindings();         // DEL EXISTS MEMORY USAGE
std::vector<CommandBinding> hash_bindings();        // H*
std::vector<CommandBinding> list_bindings();        // L* R* BL* BR*
std::vector<CommandBinding> set_bindings();         // S* (not SET, SCAN, SELECT)
std::vector<CommandBinding> zset_bindings();        // Z* BZ*
std::vector<CommandBinding> transaction_bindings(); // MULTI EXEC DISCARD WATCH UNWATCH
std::vector<CommandBinding> pubsub_bindings();      // (P|S)(UN)SUBSCRIBE (S)PUBLISH PUBSUB

}  // namespace shardcache::server
