// The hash family's commands (being written).
#include "server/commands/families.h"

namespace shardcache::server {

std::vector<CommandBinding> hash_bindings() { return {}; }

}  // namespace shardcache::server
