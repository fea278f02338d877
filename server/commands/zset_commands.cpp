// The zset family's commands (being written).
#include "server/commands/families.h"

namespace shardcache::server {

std::vector<CommandBinding> zset_bindings() { return {}; }

}  // namespace shardcache::server
