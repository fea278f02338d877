#include "storage/expiry_index.h"

namespace shardcache::storage {

void ExpiryIndex::place(std::size_t index, Slot slot) {
  slots_[index] = slot;
  slot.entry->set_expiry_slot(static_cast<std::uint32_t>(index));
}

void ExpiryIndex::sift_up(std::size_t index) {
  const Slot moving = slots_[index];
  while (index > 0) {
    const std::size_t parent = (index - 1) / 2;
    if (slots_[parent].at <= moving.at) break;
    place(index, slots_[parent]);
    index = parent;
  }
  place(index, moving);
}

void ExpiryIndex::sift_down(std::size_t index) {
  const Slot moving = slots_[index];
  const std::size_t n = slots_.size();
  while (true) {
    std::size_t child = 2 * index + 1;
    if (child >= n) break;
    if (child + 1 < n && slots_[child + 1].at < slots_[child].at) ++child;
    if (slots_[child].at >= moving.at) break;
    place(index, slots_[child]);
    index = child;
  }
  place(index, moving);
}

std::size_t ExpiryIndex::count_due(std::int64_t now_ms, std::size_t limit) const {
  std::size_t due = 0;
  std::vector<std::size_t> stack;
  if (!slots_.empty()) stack.push_back(0);
  while (!stack.empty() && due < limit) {
    const std::size_t i = stack.back();
    stack.pop_back();
    if (slots_[i].at > now_ms) continue;
    ++due;
    for (std::size_t child = 2 * i + 1; child <= 2 * i + 2 && child < slots_.size(); ++child) {
      stack.push_back(child);
    }
  }
  return due;
}

void ExpiryIndex::add(Entry* entry) {
  slots_.push_back(Slot{entry->expire_at_ms(), entry});
  sift_up(slots_.size() - 1);
}

void ExpiryIndex::remove(Entry* entry) {
  const std::size_t index = entry->expiry_slot();
  const Slot last = slots_.back();
  slots_.pop_back();
  if (index == slots_.size()) return;  // it was the last slot
  place(index, last);
  update(last.entry);
}

void ExpiryIndex::update(Entry* entry) {
  const std::size_t index = entry->expiry_slot();
  slots_[index] = Slot{entry->expire_at_ms(), entry};
  if (index > 0 && slots_[(index - 1) / 2].at > slots_[index].at) {
    sift_up(index);
  } else {
    sift_down(index);
  }
}

}  // namespace shardcache::storage
