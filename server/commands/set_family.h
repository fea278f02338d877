// What the files of the SET family (set_*.cpp) share; set_bindings() joins their bindings.
#pragma once

#include <random>
#include <vector>

#include "server/command_table.h"

namespace shardcache::server {

// SPOP and SRANDMEMBER's randomness, one generator per shard thread.
std::mt19937_64& set_random();

std::vector<CommandBinding> set_random_bindings();    // SPOP SRANDMEMBER
std::vector<CommandBinding> set_multikey_bindings();  // SINTER* SUNION* SDIFF* SMOVE

}  // namespace shardcache::server
