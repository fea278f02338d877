#include "storage/keyspace.h"

#include <string>

namespace shardcache::storage {

Keyspace::Keyspace(int db_index, const EvictionClock& clock) : db_(db_index), clock_(clock) {}

Keyspace::~Keyspace() {
  table_.release_all([](Entry* e) { Entry::destroy(e); });
}

void Keyspace::record(std::initializer_list<std::string_view> effect, RemovalCause cause) {
  if (sink_ != nullptr) sink_->record(db_, std::span(effect.begin(), effect.size()), cause);
}

void Keyspace::link(Entry* entry) {
  table_.insert(entry);
  if (entry->has_expiry()) expiry_.add(entry);
  entry_bytes_ += entry->allocated_bytes();
}

void Keyspace::unlink_and_free(Entry* entry) {
  if (entry->has_expiry()) expiry_.remove(entry);
  entry_bytes_ -= entry->allocated_bytes();
  Entry::destroy(entry);
}

void Keyspace::drop(Entry* entry, RemovalCause cause) {
  if (entry->has_expiry()) expiry_.remove(entry);
  entry_bytes_ -= entry->allocated_bytes();
  if (cause == RemovalCause::kExpired) ++stats_.expired_keys;
  if (cause == RemovalCause::kEvicted) ++stats_.evicted_keys;
  // Recorded from the entry's own key before it is freed: the caller's key may be a view of it.
  modified(entry->key());
  record({"DEL", entry->key()}, cause);
  Entry::destroy(entry);
}

Entry* Keyspace::find(std::string_view key, bool touch) {
  const std::int64_t now_ms = clock_.now();
  Entry* entry = table_.find(key);
  if (entry == nullptr) return nullptr;
  if (entry->has_expiry() && entry->expire_at_ms() <= now_ms) {
    table_.remove(key);
    drop(entry, RemovalCause::kExpired);
    return nullptr;
  }
  if (touch) clock_.touch(entry, now_ms);
  return entry;
}

std::int64_t Keyspace::string_expiry(const Entry* old, std::int64_t expire_at_ms,
                                     bool keep_ttl) {
  return keep_ttl && old != nullptr ? old->expire_at_ms() : expire_at_ms;
}

// Inlined into both set_string overloads: SET of a small value is the hot path.
[[gnu::always_inline]] inline Entry* Keyspace::install_string(std::string_view key, Entry* old,
                                                              Entry* entry) {
  // Keeps the eviction state of the key it replaces, as Redis's overwrite does not reset LRU
  // when the object is kept; a new key starts fresh.
  entry->set_eviction_bits(old != nullptr ? old->eviction_bits() : clock_.initial_bits(clock_.now()));
  if (old != nullptr) {
    table_.remove(key);
    unlink_and_free(old);
  }
  link(entry);
  modified(entry->key());
  if (sink_ != nullptr) {
    const std::int64_t at = entry->expire_at_ms();
    if (at >= 0) {
      const std::string at_text = std::to_string(at);
      record({"SET", entry->key(), entry->value(), "PXAT", at_text}, RemovalCause::kDeleted);
    } else {
      record({"SET", entry->key(), entry->value()}, RemovalCause::kDeleted);
    }
  }
  return entry;
}

Entry* Keyspace::set_string(std::string_view key, std::string_view value, Encoding encoding,
                            std::int64_t expire_at_ms, bool keep_ttl) {
  // An entry whose TTL has passed is gone (lazy expiry, with its DEL effect, as Redis's
  // lookupKeyWrite): KEEPTTL must not carry its past expiry time onto the new value.
  Entry* old = find(key, false);
  // Created before the old entry is freed: `value` may be a view of it.
  return install_string(key, old, Entry::create(key, value, ValueType::kString, encoding,
                                           string_expiry(old, expire_at_ms, keep_ttl)));
}

Entry* Keyspace::set_string(std::string_view key, ValueRef buffer, Encoding encoding,
                            std::int64_t expire_at_ms, bool keep_ttl) {
  Entry* old = find(key, false);
  return install_string(key, old, Entry::create(key, std::move(buffer), encoding,
                                           string_expiry(old, expire_at_ms, keep_ttl)));
}

Entry* Keyspace::set_container(std::string_view key, std::unique_ptr<Container> container,
                               std::int64_t expire_at_ms) {
  Entry* old = find(key, false);
  // Written only when it differs: a container handed over by RENAME across shards may still be
  // read by the source shard's thread releasing it, and its count is unchanged.
  if (container->accounted_bytes() != container->bytes()) {
    container->set_accounted_bytes(container->bytes());
  }
  Entry* entry = Entry::create(key, container.get(), expire_at_ms);
  container.release();  // the entry owns it now
  entry->set_eviction_bits(old != nullptr ? old->eviction_bits()
                                          : clock_.initial_bits(clock_.now()));
  if (old != nullptr) {
    table_.remove(key);
    unlink_and_free(old);
  }
  link(entry);
  modified(entry->key());
  return entry;
}

void Keyspace::commit(Entry* entry, std::span<const std::string_view> effect) {
  modified(entry->key());
  if (sink_ != nullptr && !effect.empty()) sink_->record(db_, effect, RemovalCause::kDeleted);
  Container* container = entry->container();
  if (container->size() == 0) {
    // The emptied key is deleted, as Redis does (a "del" notification follows the command's).
    record({"DEL", entry->key()}, RemovalCause::kDeleted);
    table_.remove(entry->key());
    unlink_and_free(entry);
    return;
  }
  const std::size_t now_bytes = container->bytes();
  entry_bytes_ = entry_bytes_ - container->accounted_bytes() + now_bytes;
  container->set_accounted_bytes(now_bytes);
  entry->set_encoding(container->encoding());
}

std::unique_ptr<Container> Keyspace::release_container(std::string_view key) {
  Entry* entry = find(key, false);
  if (entry == nullptr || entry->container() == nullptr) return nullptr;
  std::unique_ptr<Container> container(entry->container());
  table_.remove(key);
  if (entry->has_expiry()) expiry_.remove(entry);
  entry_bytes_ -= entry->allocated_bytes();
  modified(entry->key());
  record({"DEL", entry->key()}, RemovalCause::kDeleted);
  Entry::destroy_keeping_container(entry);
  return container;
}

bool Keyspace::remove(std::string_view key, RemovalCause cause) {
  Entry* entry = table_.remove(key);
  if (entry == nullptr) return false;
  drop(entry, cause);
  return true;
}

Entry* Keyspace::detach(std::string_view key) {
  Entry* entry = table_.remove(key);
  if (entry == nullptr) return nullptr;
  if (entry->has_expiry()) expiry_.remove(entry);
  entry_bytes_ -= entry->allocated_bytes();
  modified(entry->key());
  record({"DEL", entry->key()}, RemovalCause::kDeleted);
  return entry;
}

bool Keyspace::set_expiry(std::string_view key, std::int64_t at_ms) {
  const std::int64_t now_ms = clock_.now();
  // A key whose TTL has passed does not exist (lazy expiry, as Redis's lookupKeyWrite): a new
  // TTL must not bring it back.
  Entry* entry = find(key, false);
  if (entry == nullptr) return false;
  if (at_ms >= 0 && at_ms <= now_ms) {
    // A TTL in the past deletes the key (Redis propagates DEL, not the EXPIRE).
    remove(key, RemovalCause::kDeleted);
    return true;
  }
  const bool had = entry->has_expiry();
  if (!had && at_ms < 0) return true;
  const std::size_t before = entry->allocated_bytes();
  if (had && at_ms >= 0) {
    // Same layout: rewrite the time in place by rebuilding the entry at the same heap slot.
    Entry* moved = Entry::with_expiry(entry, at_ms);
    table_.replace(entry, moved);
    expiry_.relink(moved);
    expiry_.update(moved);
    entry = moved;
  } else {
    if (had) expiry_.remove(entry);
    Entry* moved = Entry::with_expiry(entry, at_ms);
    table_.replace(entry, moved);
    if (at_ms >= 0) expiry_.add(moved);
    entry = moved;
  }
  entry_bytes_ = entry_bytes_ - before + entry->allocated_bytes();
  modified(key);
  if (at_ms >= 0) {
    const std::string at_text = std::to_string(at_ms);
    record({"PEXPIREAT", key, at_text}, RemovalCause::kDeleted);
  } else {
    record({"PERSIST", key}, RemovalCause::kDeleted);
  }
  return true;
}

void Keyspace::clear(const std::function<void(std::vector<Entry*>&&)>& dispose) {
  if (observer_ != nullptr) observer_->db_replacing(db_, *this);
  std::vector<Entry*> entries;
  if (dispose) entries.reserve(table_.size());
  table_.release_all([&](Entry* e) {
    if (dispose) {
      entries.push_back(e);
    } else {
      Entry::destroy(e);
    }
  });
  expiry_.clear();
  entry_bytes_ = 0;
  if (dispose && !entries.empty()) dispose(std::move(entries));
  record({"FLUSHDB"}, RemovalCause::kDeleted);
}

std::size_t Keyspace::expire_due(std::size_t budget) {
  const std::int64_t now_ms = clock_.now();
  std::size_t removed = 0;
  while (removed < budget && !expiry_.empty() && expiry_.soonest_ms() <= now_ms) {
    Entry* entry = expiry_.soonest();
    table_.remove(entry->key());  // compares against the entry's own key while it is linked
    drop(entry, RemovalCause::kExpired);
    ++removed;
  }
  return removed;
}

std::int64_t Keyspace::average_ttl_ms() const {
  const std::int64_t now_ms = clock_.now();
  // The heap's first slots are the soonest to expire; a fixed stride over the whole array
  // samples the rest. Enough for a statistic, and O(1) per call.
  const std::size_t n = expiry_.size();
  if (n == 0) return 0;
  const std::size_t samples = std::min<std::size_t>(n, 64);
  const std::size_t stride = n / samples;
  std::int64_t total = 0;
  for (std::size_t i = 0; i < samples; ++i) {
    const std::int64_t left = expiry_.at_slot(i * stride)->expire_at_ms() - now_ms;
    total += left > 0 ? left : 0;
  }
  return total / static_cast<std::int64_t>(samples);
}

void Keyspace::maintain(std::size_t rehash_buckets) {
  if (!table_.rehash_step(rehash_buckets)) table_.maybe_shrink();
}

void Keyspace::swap_contents(Keyspace& other) {
  if (observer_ != nullptr) observer_->db_replacing(db_, *this);
  if (other.observer_ != nullptr) other.observer_->db_replacing(other.db_, other);
  std::swap(table_, other.table_);
  std::swap(expiry_, other.expiry_);
  std::swap(entry_bytes_, other.entry_bytes_);
}

}  // namespace shardcache::storage
