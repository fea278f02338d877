#include "server/slowlog.h"

#include <ctime>
#include <fmt/format.h>

namespace shardcache::server {
namespace {

constexpr std::size_t kMaxArgs = 32;
constexpr std::size_t kMaxArgLength = 128;

}  // namespace

void Slowlog::record(std::uint64_t id, std::int64_t duration_us,
                     std::span<const std::string_view> args, const std::string& addr,
                     const std::string& name) {
  SlowlogEntry entry{id, static_cast<std::int64_t>(std::time(nullptr)), duration_us, {}, addr,
                     name};
  const std::size_t kept = std::min(args.size(), kMaxArgs);
  for (std::size_t i = 0; i < kept; ++i) {
    // Redis keeps the last slot for "... (N more arguments)".
    if (kept != args.size() && i == kept - 1) {
      entry.args.push_back(fmt::format("... ({} more arguments)", args.size() - kept + 1));
      break;
    }
    if (args[i].size() > kMaxArgLength) {
      entry.args.push_back(fmt::format("{}... ({} more bytes)", args[i].substr(0, kMaxArgLength),
                                       args[i].size() - kMaxArgLength));
    } else {
      entry.args.emplace_back(args[i]);
    }
  }
  entries_.push_front(std::move(entry));
  if (entries_.size() > kSlowlogMaxLen) entries_.pop_back();
}

}  // namespace shardcache::server
