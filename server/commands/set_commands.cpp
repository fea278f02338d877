// The set family's commands (being written).
#include "server/commands/families.h"

namespace shardcache::server {

std::vector<CommandBinding> set_bindings() { return {}; }

}  // namespace shardcache::server
