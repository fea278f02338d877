// What the files of the HASH family (hash_*.cpp) share: how a hash key is opened and written, and
// each file's bindings (hash_bindings() joins them).
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "server/command_table.h"
#include "server/commands/container_access.h"
#include "storage/hash_value.h"

namespace shardcache::server {

using OpenedHash = Opened<storage::HashValue>;

inline std::optional<OpenedHash> open_hash_read(CommandContext& ctx) {
  return open_read<storage::HashValue>(ctx, ctx.args[1]);
}

inline std::optional<OpenedHash> open_hash_write(CommandContext& ctx) {
  return open_write<storage::HashValue>(ctx, ctx.args[1]);
}

// The hash at args[1], created empty when absent (commit deletes it again if left empty).
inline std::optional<OpenedHash> open_hash_or_create(CommandContext& ctx) {
  return open_or_create<storage::HashValue>(
      ctx, ctx.args[1], [] { return std::make_unique<storage::HashValue>(); });
}

std::vector<CommandBinding> hash_counter_bindings();  // HINCRBY HINCRBYFLOAT
std::vector<CommandBinding> hash_random_bindings();   // HRANDFIELD
std::vector<CommandBinding> hash_scan_bindings();     // HSCAN

}  // namespace shardcache::server
