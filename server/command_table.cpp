#include "server/command_table.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <stdexcept>

#include "server/ascii.h"

namespace shardcache::server {
namespace {

// FNV-1a over the lower-cased name, one byte at a time as find() lowers it.
constexpr std::size_t kNameHashSeed = 14695981039346656037ull;
inline std::size_t name_hash_step(std::size_t hash, char c) {
  return (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
}
std::size_t name_hash(std::string_view lower_name) {
  std::size_t hash = kNameHashSeed;
  for (char c : lower_name) hash = name_hash_step(hash, c);
  return hash;
}

const CommandMetadata kMetadata[] = {
#include "server/command_metadata.inc"
};

std::uint32_t parse_flags(std::string_view text) {
  static const std::map<std::string_view, CommandFlag> kNames = {
      {"write", kFlagWrite},       {"readonly", kFlagReadonly}, {"denyoom", kFlagDenyOom},
      {"admin", kFlagAdmin},       {"fast", kFlagFast},         {"no_auth", kFlagNoAuth},
      {"pubsub", kFlagPubSub},     {"noscript", kFlagNoScript}, {"loading", kFlagLoading},
      {"stale", kFlagStale},       {"blocking", kFlagBlocking}, {"movablekeys", kFlagMovableKeys},
      {"no_multi", kFlagNoMulti},
  };
  std::uint32_t flags = 0;
  for (std::string_view word : split_words(text)) {
    if (auto it = kNames.find(word); it != kNames.end()) flags |= it->second;
  }
  return flags;
}

// Builds the spec of a command (and its subcommands) that a family binds; nullptr when neither
// the command nor any of its subcommands is bound (metadata for work not landed yet).
std::unique_ptr<CommandSpec> make_spec(const CommandMetadata& meta, const CommandSpec* parent,
                                       const std::map<std::string_view, CommandBinding>& bindings,
                                       std::vector<const CommandSpec*>& by_id) {
  auto spec = std::make_unique<CommandSpec>();
  spec->meta = &meta;
  spec->name = meta.name;
  spec->arity = meta.arity;
  spec->flags = parse_flags(meta.flags);
  spec->first_key = meta.first_key;
  spec->last_key = meta.last_key;
  spec->key_step = meta.key_step;
  spec->parent = parent;
  for (const auto& sub : meta.subcommands) {
    if (auto child = make_spec(sub, spec.get(), bindings, by_id)) {
      spec->subcommands.push_back(std::move(child));
    }
  }
  if (auto it = bindings.find(spec->name); it != bindings.end()) {
    spec->handler = it->second.handler;
    spec->route = it->second.route;
    spec->merge = it->second.merge;
  } else if (spec->subcommands.empty()) {
    return nullptr;
  }
  spec->id = by_id.size();
  by_id.push_back(spec.get());
  return spec;
}

}  // namespace

std::vector<std::size_t> CommandSpec::key_positions(std::size_t argc) const {
  std::vector<std::size_t> positions;
  for_each_key_position(argc, [&](std::size_t p) { positions.push_back(p); });
  return positions;
}

CommandTable::CommandTable() {
  std::map<std::string_view, CommandBinding> bindings;
  for (const auto& binding : all_command_bindings()) bindings.emplace(binding.name, binding);
  for (const auto& meta : kMetadata) {
    if (auto spec = make_spec(meta, nullptr, bindings, by_id_)) commands_.push_back(std::move(spec));
  }
  std::sort(commands_.begin(), commands_.end(),
            [](const auto& a, const auto& b) { return a->name < b->name; });
  assert(commands_.size() * 4 <= kNameSlots);
  for (const auto& spec : commands_) {
    std::size_t slot = name_hash(spec->name) & (kNameSlots - 1);
    while (by_name_[slot] != nullptr) slot = (slot + 1) & (kNameSlots - 1);
    by_name_[slot] = spec.get();
  }
  std::size_t bound = 0;
  for (const CommandSpec* spec : by_id_) bound += spec->handler != nullptr;
  // A binding without metadata is a build mistake: its command would be unreachable.
  if (bound != bindings.size()) throw std::logic_error("a binding names no known command");
}

const CommandTable& CommandTable::instance() {
  static const CommandTable table;
  return table;
}

const CommandSpec* CommandTable::find(std::string_view name) const {
  // Command names are short; lower-case into a stack buffer to avoid allocating per request.
  char lowered[32];
  if (name.size() > sizeof(lowered)) return nullptr;
  std::size_t hash = kNameHashSeed;
  for (std::size_t i = 0; i < name.size(); ++i) {
    lowered[i] = ascii_lower(name[i]);
    hash = name_hash_step(hash, lowered[i]);
  }
  const std::string_view wanted(lowered, name.size());
  for (std::size_t slot = hash & (kNameSlots - 1);; slot = (slot + 1) & (kNameSlots - 1)) {
    const CommandSpec* spec = by_name_[slot];
    if (spec == nullptr || spec->name == wanted) return spec;
  }
}

const CommandSpec* CommandTable::find_subcommand(const CommandSpec& container,
                                                 std::string_view sub) {
  const std::size_t prefix = container.name.size() + 1;
  for (const auto& spec : container.subcommands) {
    if (iequals(std::string_view(spec->name).substr(prefix), sub)) return spec.get();
  }
  return nullptr;
}

const CommandSpec* CommandTable::lookup(std::span<const std::string_view> args) const {
  const CommandSpec* spec = find(args[0]);
  if (spec == nullptr || !spec->is_container() || args.size() == 1) return spec;
  return find_subcommand(*spec, args[1]);
}

}  // namespace shardcache::server
