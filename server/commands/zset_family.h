// What the files of the SORTED SET family (zset_*.cpp) share: Redis's parsing of scores and of
// score and lex ranges (with its error texts), the rank interval a range covers, the reply
// shapes of scored members, and each file's bindings (zset_bindings() joins them).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/reply_writer.h"
#include "server/command_table.h"
#include "storage/zset_value.h"

namespace shardcache::server {

struct CommandContext;
class Shard;
using ZSet = storage::ZSetValue;

inline constexpr const char* kErrNotFloat = "ERR value is not a valid float";
inline constexpr const char* kErrScoreRange = "ERR min or max is not a float";
inline constexpr const char* kErrLexRange = "ERR min or max not valid string range item";
inline constexpr const char* kErrNan = "ERR resulting score is not a number (NaN)";

// An option word as Redis's strcasecmp sees it (bytes after a NUL do not count).
bool option_is(std::string_view arg, std::string_view word);

// Redis's getDoubleFromObject: a whole strtod number, no leading space, not NaN, no overflow.
std::optional<double> parse_score(std::string_view text);
// Redis's getLongFromObject (string2ll).
std::optional<long long> parse_long(std::string_view text);

// A score interval, "(" marking an excluded bound (zslParseRange).
struct ScoreRange {
  double min = 0, max = 0;
  bool minex = false, maxex = false;
  bool above_min(double score) const { return minex ? score > min : score >= min; }
  bool below_max(double score) const { return maxex ? score < max : score <= max; }
};
std::optional<ScoreRange> parse_score_range(std::string_view min, std::string_view max);

// A lex interval: "[x" inclusive, "(x" exclusive, "-" and "+" the infinities
// (zslParseLexRange).
struct LexRange {
  enum Kind { kNegInf, kValue, kPosInf };
  Kind min_kind = kValue, max_kind = kValue;
  std::string min, max;
  bool minex = false, maxex = false;
  bool above_min(std::string_view member) const;
  bool below_max(std::string_view member) const;
  // Redis's zslIsInLexRange test for intervals that are always empty.
  bool always_empty() const;
};
std::optional<LexRange> parse_lex_range(std::string_view min, std::string_view max);

// The rank interval [first, last) of the members inside a range (first >= last: none).
std::pair<std::size_t, std::size_t> ranks_in(const ZSet& zset, const ScoreRange& range);
std::pair<std::size_t, std::size_t> ranks_in(const ZSet& zset, const LexRange& range);

// A member and its score, copied out of a set (the set may change or go after).
struct Scored {
  std::string member;
  double score;
};
// Members of ranks [start, end), from end - 1 down when `reverse`.
std::vector<Scored> copy_ranks(const ZSet& zset, std::size_t start, std::size_t end,
                               bool reverse);

// An array of members, with their scores if `withscores`: flat pairs in RESP2, [member, score]
// arrays in RESP3, as Redis's zrange result handler.
void reply_scored(protocol::ReplyWriter& reply, const std::vector<Scored>& items,
                  bool withscores);

// Replaces `dst` in `shard`'s database `db` with a sorted set of `items` (ZRANGESTORE,
// ZUNIONSTORE ...), no TTL; deleted when `items` is empty. `effect` is the command's arguments.
// The set starts in the encoding Redis picks for `size_hint` members of at most `longest_hint`
// bytes and the items are added in order, converting on the way as ZADD would: this matters
// because a listpack stores -0 as 0 (ZRANGESTORE BYSCORE/BYLEX starts from a listpack whatever
// its size, rank ranges from their length, ZUNIONSTORE ... from the final size).
void store_scored(Shard& shard, int db, const std::string& dst, const std::vector<Scored>& items,
                  std::size_t size_hint, std::size_t longest_hint,
                  const std::vector<std::string>& effect);

// Formats a score as Redis's addReplyDouble (%.17g, inf, -inf) for effect records.
std::string score_text(double score);

std::vector<CommandBinding> zset_basic_bindings();   // ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK ...
std::vector<CommandBinding> zset_range_bindings();   // ZRANGE* ZREVRANGE* ZREMRANGEBY* ZRANGESTORE
std::vector<CommandBinding> zset_pop_bindings();     // ZPOPMIN ZPOPMAX ZMPOP ZRANDMEMBER
std::vector<CommandBinding> zset_setop_bindings();   // ZUNION ZINTER ZDIFF *STORE ZINTERCARD
std::vector<CommandBinding> zset_scan_bindings();    // ZSCAN
std::vector<CommandBinding> zset_blocking_bindings();  // BZPOPMIN BZPOPMAX BZMPOP

}  // namespace shardcache::server
