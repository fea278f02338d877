// The command table: one declarative description per command (and per subcommand of a container
// command such as CLIENT or CONFIG). It drives dispatch, the arity and unknown-command errors,
// key extraction for routing, command statistics and COMMAND INFO/DOCS/LIST/COUNT/GETKEYS.
//
// The Redis-visible metadata (arity, flags, key positions, ACL categories, docs) is generated from
// Redis 7 itself (scripts/gen-command-metadata.py → command_metadata.inc) so that clients that
// read COMMAND see what they would see from Redis. What is ours — the handler, where it runs and
// how the replies of several shards merge — is bound by each command family.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shardcache::server {

struct CommandContext;
using CommandHandler = void (*)(CommandContext&);

// Redis's command flags that the server acts on.
enum CommandFlag : std::uint32_t {
  kFlagWrite = 1u << 0,
  kFlagReadonly = 1u << 1,
  kFlagDenyOom = 1u << 2,
  kFlagAdmin = 1u << 3,
  kFlagFast = 1u << 4,
  kFlagNoAuth = 1u << 5,
  kFlagPubSub = 1u << 6,
  kFlagNoScript = 1u << 7,
  kFlagLoading = 1u << 8,
  kFlagStale = 1u << 9,
  kFlagBlocking = 1u << 10,
  kFlagMovableKeys = 1u << 11,
  kFlagNoMulti = 1u << 12,
};

// Where a command runs.
enum class Route {
  kHome,       // on the client's home thread, with access to the connection (PING, CLIENT, INFO)
  kKeys,       // on the shard owning its keys; split over shards when they span several
  kAllShards,  // on every shard, replies merged (DBSIZE, FLUSHALL)
};

// How the replies of a command split over several shards become one reply.
enum class Merge {
  kNone,         // keys must all live in one shard
  kSumIntegers,  // DEL, EXISTS, DBSIZE: add the integer replies
  kArrayByKey,   // MGET: each shard answers an array for its keys; reassemble in request order
  kAllOk,        // FLUSHALL: +OK when every shard said +OK, else the first error
};

// Redis's description of one command, as generated into command_metadata.inc.
struct CommandMetadata {
  const char* name;  // full name, "get" or "client|list"
  int arity;         // > 0: exactly that many arguments (name included); < 0: at least -arity
  const char* flags;           // space separated, as COMMAND INFO prints them
  int first_key, last_key, key_step;
  const char* acl_categories;  // space separated, "@read @string @fast"
  const char* tips;            // space separated
  std::string_view key_specs;  // RESP3 encoded
  const char* summary;
  const char* since;
  const char* group;
  const char* complexity;
  // RESP3 name/value pairs of the optional doc fields (doc_flags, history, ...) and their count.
  std::string_view doc_extra;
  int doc_extra_fields;
  std::string_view arguments;  // RESP3 encoded doc arguments, empty if none
  std::vector<CommandMetadata> subcommands;
};

struct CommandSpec {
  const CommandMetadata* meta = nullptr;
  std::string name;  // lower case full name
  int arity = 0;
  std::uint32_t flags = 0;
  int first_key = 0, last_key = 0, key_step = 0;
  CommandHandler handler = nullptr;
  Route route = Route::kHome;
  Merge merge = Merge::kNone;
  const CommandSpec* parent = nullptr;
  std::vector<std::unique_ptr<CommandSpec>> subcommands;
  std::size_t id = 0;  // dense index over all specs, subcommands included (for statistics)

  bool has_flag(CommandFlag f) const { return (flags & f) != 0; }
  bool is_container() const { return !subcommands.empty(); }
  bool arity_ok(std::size_t argc) const {
    return arity > 0 ? argc == static_cast<std::size_t>(arity)
                     : argc >= static_cast<std::size_t>(-arity);
  }
  // Positions of the key arguments in `args` (an empty result for commands without keys).
  std::vector<std::size_t> key_positions(std::size_t argc) const;
  // Calls fn(position) for each of them, without allocating (dispatch does it per command).
  template <typename Fn>
  void for_each_key_position(std::size_t argc, Fn&& fn) const {
    if (first_key <= 0) return;
    // A negative last key counts from the end (-1 is the last argument).
    const long last = last_key < 0 ? static_cast<long>(argc) + last_key : last_key;
    for (long i = first_key; i <= last && i < static_cast<long>(argc); i += key_step) {
      fn(static_cast<std::size_t>(i));
    }
  }
};

// Binding of one command's behaviour, declared by a command family.
struct CommandBinding {
  std::string_view name;  // full name as in the metadata
  CommandHandler handler;
  Route route;
  Merge merge = Merge::kNone;
};

class CommandTable {
 public:
  // The process-wide table, built once from the metadata and every family's bindings.
  static const CommandTable& instance();

  // Finds a top-level command, case-insensitively.
  const CommandSpec* find(std::string_view name) const;
  // Finds a subcommand of a container command, case-insensitively.
  static const CommandSpec* find_subcommand(const CommandSpec& container, std::string_view sub);
  // Resolves args[0] (and args[1] for containers) as Redis's lookupCommand does.
  const CommandSpec* lookup(std::span<const std::string_view> args) const;

  const std::vector<std::unique_ptr<CommandSpec>>& top_level() const { return commands_; }
  // Every spec by id, subcommands included.
  const std::vector<const CommandSpec*>& by_id() const { return by_id_; }

 private:
  CommandTable();
  std::vector<std::unique_ptr<CommandSpec>> commands_;  // sorted by name
  std::vector<const CommandSpec*> by_id_;
  // Lower-case name → top-level command: dispatch looks every request up here, so it is an
  // open-addressing table hashed while the name is lower-cased (std::unordered_map's lookup was a
  // twentieth of a pipelined GET's instructions). A power of two, at most a quarter full.
  static constexpr std::size_t kNameSlots = 1024;
  std::vector<const CommandSpec*> by_name_ = std::vector<const CommandSpec*>(kNameSlots);
};

// Every binding of every command family.
std::vector<CommandBinding> all_command_bindings();

}  // namespace shardcache::server
