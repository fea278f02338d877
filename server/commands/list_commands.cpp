// The list family's commands (being written).
#include "server/commands/families.h"

namespace shardcache::server {

std::vector<CommandBinding> list_bindings() { return {}; }

}  // namespace shardcache::server
