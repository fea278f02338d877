// How the container families (hash, list, set, sorted set) open a key: for reading (a keyspace
// hit or miss, as Redis's lookupKeyRead), for writing (lookupKeyWrite: no hit/miss counted), or
// for writing with creation of an empty container. Each refuses a key of another type with
// WRONGTYPE. A change is closed with commit(), which goes through the keyspace's mutation door.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "server/command_context.h"
#include "server/commands/lookup.h"
#include "server/shard.h"
#include "storage/container.h"
#include "storage/keyspace.h"

namespace shardcache::server {

// A key opened as container type T: both null when the key does not exist.
template <class T>
struct Opened {
  storage::Entry* entry = nullptr;
  T* value = nullptr;
  explicit operator bool() const { return entry != nullptr; }
};

// The opened key, or nullopt after replying WRONGTYPE. T has `static constexpr
// storage::ValueType kType`.
template <class T>
std::optional<Opened<T>> opened_as(CommandContext& ctx, storage::Entry* entry) {
  if (entry == nullptr) return Opened<T>{};
  if (entry->type() != T::kType) {
    ctx.reply.error(kErrWrongType);
    return std::nullopt;
  }
  return Opened<T>{entry, static_cast<T*>(entry->container())};
}

template <class T>
std::optional<Opened<T>> open_read(CommandContext& ctx, std::string_view key) {
  return opened_as<T>(ctx, lookup_read(ctx.shard, ctx.db, key));
}

template <class T>
std::optional<Opened<T>> open_write(CommandContext& ctx, std::string_view key) {
  return opened_as<T>(ctx, ctx.shard.db(ctx.db).find(key));
}

// As open_write, but an absent key gets a new empty T (built from `make`), which commit()
// deletes again if the command leaves it empty.
template <class T, class Make>
std::optional<Opened<T>> open_or_create(CommandContext& ctx, std::string_view key, Make make) {
  auto opened = open_write<T>(ctx, key);
  if (!opened || *opened) return opened;
  std::unique_ptr<T> created = make();
  T* value = created.get();
  storage::Entry* entry = ctx.shard.db(ctx.db).set_container(key, std::move(created));
  return Opened<T>{entry, value};
}

// Closes a change to an opened key; `effect` is what a replica would run to make the same change
// (usually the command's own arguments). The Opened must not be used afterwards.
template <class T>
void commit(CommandContext& ctx, const Opened<T>& opened,
            std::span<const std::string_view> effect) {
  ctx.shard.db(ctx.db).commit(opened.entry, effect);
}

// The configured compact-encoding thresholds.
inline storage::EncodingLimits encoding_limits(const config::Config& config) {
  storage::EncodingLimits limits;
  limits.hash_max_listpack_entries = static_cast<std::size_t>(config.hash_max_listpack_entries);
  limits.hash_max_listpack_value = static_cast<std::size_t>(config.hash_max_listpack_value);
  limits.set_max_intset_entries = static_cast<std::size_t>(config.set_max_intset_entries);
  limits.set_max_listpack_entries = static_cast<std::size_t>(config.set_max_listpack_entries);
  limits.set_max_listpack_value = static_cast<std::size_t>(config.set_max_listpack_value);
  limits.zset_max_listpack_entries = static_cast<std::size_t>(config.zset_max_listpack_entries);
  limits.zset_max_listpack_value = static_cast<std::size_t>(config.zset_max_listpack_value);
  limits.list_max_listpack_size = config.list_max_listpack_size;
  return limits;
}

inline storage::EncodingLimits encoding_limits(CommandContext& ctx) {
  return encoding_limits(ctx.shard.config());
}

}  // namespace shardcache::server
