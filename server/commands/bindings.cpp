#include "server/commands/families.h"

namespace shardcache::server {

std::vector<CommandBinding> all_command_bindings() {
  std::vector<CommandBinding> all;
  for (auto family : {connection_bindings, client_bindings, server_bindings, config_bindings,
                      info_bindings, introspection_bindings, string_bindings, key_bindings,
                      hash_bindings, list_bindings, set_bindings, zset_bindings,
                      transaction_bindings, pubsub_bindings, client_tracking_bindings}) {
    auto bindings = family();
    all.insert(all.end(), bindings.begin(), bindings.end());
  }
  return all;
}

}  // namespace shardcache::server
