#include "server/commands/zset_family.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "server/ascii.h"
#include "server/blocking.h"
#include "server/commands/arguments.h"
#include "server/commands/container_access.h"
#include "server/shard.h"

namespace shardcache::server {

bool option_is(std::string_view arg, std::string_view word) {
  return iequals(arg.substr(0, arg.find('\0')), word);
}

std::optional<double> parse_score(std::string_view text) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return std::nullopt;
  const std::string copy(text);
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(copy.c_str(), &end);
  if (static_cast<std::size_t>(end - copy.c_str()) != copy.size()) return std::nullopt;
  if (errno == ERANGE && (value == HUGE_VAL || value == -HUGE_VAL || value == 0)) {
    return std::nullopt;
  }
  if (std::isnan(value)) return std::nullopt;
  return value;
}

std::optional<long long> parse_long(std::string_view text) {
  const auto value = parse_int64(text);
  if (!value) return std::nullopt;
  return *value;
}

namespace {

// One bound of zslParseRange: strtod up to the first NUL, all of it consumed, not NaN.
std::optional<double> parse_score_bound(std::string_view text, bool& excluded) {
  std::string copy(text.substr(0, text.find('\0')));
  const char* start = copy.c_str();
  excluded = !copy.empty() && copy[0] == '(';
  if (excluded) ++start;
  char* end = nullptr;
  const double value = std::strtod(start, &end);
  if (*end != '\0' || std::isnan(value)) return std::nullopt;
  return value;
}

bool parse_lex_bound(std::string_view text, LexRange::Kind& kind, std::string& value,
                     bool& excluded) {
  if (text.empty()) return false;
  switch (text[0]) {
    case '+':
    case '-':
      if (text.size() > 1 && text[1] != '\0') return false;
      excluded = true;
      kind = text[0] == '+' ? LexRange::kPosInf : LexRange::kNegInf;
      return true;
    case '(':
    case '[':
      excluded = text[0] == '(';
      kind = LexRange::kValue;
      value.assign(text.substr(1));
      return true;
    default:
      return false;
  }
}

// sdscmplex: the infinities compare below / above every string and equal to themselves.
int compare_lex(LexRange::Kind kind_a, std::string_view a, LexRange::Kind kind_b,
                std::string_view b) {
  if (kind_a == kind_b && kind_a != LexRange::kValue) return 0;
  if (kind_a == LexRange::kNegInf || kind_b == LexRange::kPosInf) return -1;
  if (kind_a == LexRange::kPosInf || kind_b == LexRange::kNegInf) return 1;
  return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

}  // namespace

std::optional<ScoreRange> parse_score_range(std::string_view min, std::string_view max) {
  ScoreRange range;
  const auto lo = parse_score_bound(min, range.minex);
  if (!lo) return std::nullopt;
  const auto hi = parse_score_bound(max, range.maxex);
  if (!hi) return std::nullopt;
  range.min = *lo;
  range.max = *hi;
  return range;
}

std::optional<LexRange> parse_lex_range(std::string_view min, std::string_view max) {
  LexRange range;
  if (!parse_lex_bound(min, range.min_kind, range.min, range.minex) ||
      !parse_lex_bound(max, range.max_kind, range.max, range.maxex)) {
    return std::nullopt;
  }
  return range;
}

bool LexRange::above_min(std::string_view member) const {
  const int cmp = compare_lex(kValue, member, min_kind, min);
  return minex ? cmp > 0 : cmp >= 0;
}

bool LexRange::below_max(std::string_view member) const {
  const int cmp = compare_lex(kValue, member, max_kind, max);
  return maxex ? cmp < 0 : cmp <= 0;
}

bool LexRange::always_empty() const {
  const int cmp = compare_lex(min_kind, min, max_kind, max);
  return cmp > 0 || (cmp == 0 && (minex || maxex));
}

std::pair<std::size_t, std::size_t> ranks_in(const ZSet& zset, const ScoreRange& range) {
  if (range.min > range.max || (range.min == range.max && (range.minex || range.maxex))) {
    return {0, 0};
  }
  const std::size_t first =
      zset.count_while([&](std::string_view, double score) { return !range.above_min(score); });
  const std::size_t last =
      zset.count_while([&](std::string_view, double score) { return range.below_max(score); });
  return {first, last};
}

std::pair<std::size_t, std::size_t> ranks_in(const ZSet& zset, const LexRange& range) {
  if (range.always_empty()) return {0, 0};
  const std::size_t first =
      zset.count_while([&](std::string_view member, double) { return !range.above_min(member); });
  const std::size_t last =
      zset.count_while([&](std::string_view member, double) { return range.below_max(member); });
  return {first, last};
}

std::vector<Scored> copy_ranks(const ZSet& zset, std::size_t start, std::size_t end,
                               bool reverse) {
  std::vector<Scored> items;
  if (start >= end) return items;
  items.reserve(end - start);
  zset.visit(start, end, reverse, [&](std::string_view member, double score) {
    items.push_back(Scored{std::string(member), score});
    return true;
  });
  return items;
}

void reply_scored(protocol::ReplyWriter& reply, const std::vector<Scored>& items,
                  bool withscores) {
  const bool nested = withscores && reply.resp() > 2;
  reply.array(withscores && !nested ? items.size() * 2 : items.size());
  for (const Scored& item : items) {
    if (nested) reply.array(2);
    reply.bulk(item.member);
    if (withscores) reply.dbl(item.score);
  }
}

void store_scored(Shard& shard, int db, const std::string& dst, const std::vector<Scored>& items,
                  std::size_t size_hint, std::size_t longest_hint,
                  const std::vector<std::string>& effect) {
  storage::Keyspace& keyspace = shard.db(db);
  if (items.empty()) {
    keyspace.remove(dst);
    return;
  }
  const storage::EncodingLimits limits = encoding_limits(shard.config());
  auto zset = ZSet::make_for(size_hint, longest_hint, limits);
  for (const Scored& item : items) zset->set(item.member, item.score, limits);
  storage::Entry* entry = keyspace.set_container(dst, std::move(zset));
  const std::vector<std::string_view> views(effect.begin(), effect.end());
  keyspace.commit(entry, views);
  blocking::signal_key_ready(shard, db, dst);
}

std::string score_text(double score) {
  if (std::isinf(score)) return score > 0 ? "inf" : "-inf";
  char buf[64];
  const int n = std::snprintf(buf, sizeof(buf), "%.17g", score);
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace shardcache::server
