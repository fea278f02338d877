// LCS: Redis's dynamic programme over a (len(a)+1) x (len(b)+1) table of uint32 lengths, walked
// back from the end to build the common subsequence and its matching ranges. The walk, its range
// bookkeeping and the errors follow lcsCommand step by step, so that the ranges reported (which
// of several equally long subsequences, and how it is cut into ranges) are Redis's.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <vector>

#include "server/ascii.h"
#include "server/commands/arguments.h"
#include "server/commands/string_family.h"
#include "server/commands/string_lcs.h"

namespace shardcache::server {
namespace {

struct LcsOptions {
  bool len = false;
  bool idx = false;
  bool with_match_len = false;
  std::int64_t min_match_len = 0;
};

std::optional<LcsOptions> parse_lcs_options(protocol::ReplyWriter& reply,
                                            std::span<const std::string_view> words) {
  LcsOptions options;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string_view word = option_word(words[i]);
    if (iequals(word, "idx")) {
      options.idx = true;
    } else if (iequals(word, "len")) {
      options.len = true;
    } else if (iequals(word, "withmatchlen")) {
      options.with_match_len = true;
    } else if (iequals(word, "minmatchlen") && i + 1 < words.size()) {
      const auto n = parse_int64(words[++i]);
      if (!n) {
        reply.error(kErrNotInteger);
        return std::nullopt;
      }
      options.min_match_len = *n < 0 ? 0 : *n;
    } else {
      reply.error(kErrSyntax);
      return std::nullopt;
    }
  }
  if (options.idx && options.len) {
    reply.error("ERR If you want both the length and indexes, please just use IDX.");
    return std::nullopt;
  }
  return options;
}

// The table: at(i, j) is the LCS length of a[0..i) and b[0..j).
class LcsTable {
 public:
  LcsTable(std::string_view a, std::string_view b, std::unique_ptr<std::uint32_t[]> cells)
      : width_(static_cast<std::uint64_t>(b.size()) + 1), cells_(std::move(cells)) {
    for (std::uint64_t i = 0; i <= a.size(); ++i) {
      for (std::uint64_t j = 0; j <= b.size(); ++j) {
        if (i == 0 || j == 0) {
          at(i, j) = 0;
        } else if (a[i - 1] == b[j - 1]) {
          at(i, j) = at(i - 1, j - 1) + 1;
        } else {
          at(i, j) = std::max(at(i - 1, j), at(i, j - 1));
        }
      }
    }
  }
  std::uint32_t& at(std::uint64_t i, std::uint64_t j) { return cells_[j + i * width_]; }

 private:
  std::uint64_t width_;
  std::unique_ptr<std::uint32_t[]> cells_;
};

// Allocates the table's cells, or replies Redis's error: over proto-max-bulk-len, or failed.
std::unique_ptr<std::uint32_t[]> allocate_cells(protocol::ReplyWriter& reply, std::uint64_t alen,
                                                std::uint64_t blen, std::uint64_t max_bytes) {
  const std::uint64_t cells = (alen + 1) * (blen + 1);  // < 2^64: both lengths are < 2^32
  if (cells <= std::numeric_limits<std::uint64_t>::max() / sizeof(std::uint32_t)) {
    if (cells * sizeof(std::uint32_t) > max_bytes) {
      reply.error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
      return nullptr;
    }
    std::unique_ptr<std::uint32_t[]> allocated(new (std::nothrow) std::uint32_t[cells]);
    if (allocated) return allocated;
  }
  reply.error("ERR Insufficient memory, failed allocating transient memory for LCS");
  return nullptr;
}

struct LcsMatch {
  std::uint32_t a_start, a_end, b_start, b_end;
};

struct LcsResult {
  std::string sequence;          // the common subsequence, unless only its length was asked
  std::vector<LcsMatch> ranges;  // with IDX: the ranges, last first, as Redis emits them
};

// Redis's walk back from (alen, blen). Lengths are uint32 as in Redis (strings are shorter than
// 2^32 - 1 bytes here).
LcsResult walk_back(LcsTable& table, std::string_view a, std::string_view b,
                    const LcsOptions& options) {
  LcsResult result;
  const auto alen = static_cast<std::uint32_t>(a.size());
  const auto blen = static_cast<std::uint32_t>(b.size());
  std::uint32_t idx = table.at(alen, blen);
  const bool compute = options.idx || !options.len;
  if (compute) result.sequence.assign(idx, '\0');
  // a_start == alen: no range is open.
  std::uint32_t a_start = alen, a_end = 0, b_start = 0, b_end = 0;
  std::uint32_t i = alen, j = blen;
  while (compute && i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      result.sequence[idx - 1] = a[i - 1];
      if (a_start == alen) {
        a_start = a_end = i - 1;
        b_start = b_end = j - 1;
      } else if (a_start == i && b_start == j) {
        --a_start;  // the match extends the open range backwards
        --b_start;
      } else {
        emit = true;
      }
      // A match on the first byte of either string ends the walk: close the range now.
      if (a_start == 0 || b_start == 0) emit = true;
      --idx;
      --i;
      --j;
    } else {
      if (table.at(i - 1, j) > table.at(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      if (a_start != alen) emit = true;
    }
    const std::uint32_t match_len = a_end - a_start + 1;
    if (emit) {
      if (options.idx && (options.min_match_len == 0 || match_len >= options.min_match_len)) {
        result.ranges.push_back({a_start, a_end, b_start, b_end});
      }
      a_start = alen;
    }
  }
  return result;
}

void reply_ranges(protocol::ReplyWriter& reply, const LcsResult& result, std::uint32_t length,
                  bool with_match_len) {
  reply.map(2);
  reply.bulk("matches");
  reply.array(result.ranges.size());
  for (const LcsMatch& m : result.ranges) {
    reply.array(with_match_len ? 3 : 2);
    reply.array(2);
    reply.integer(m.a_start);
    reply.integer(m.a_end);
    reply.array(2);
    reply.integer(m.b_start);
    reply.integer(m.b_end);
    if (with_match_len) reply.integer(m.a_end - m.a_start + 1);
  }
  reply.bulk("len");
  reply.integer(length);
}

}  // namespace

void reply_lcs(protocol::ReplyWriter& reply, const LcsValue& a, const LcsValue& b,
               std::span<const std::string_view> options, std::uint64_t proto_max_bulk_len) {
  // Not WRONGTYPE: Redis's own message, checked before the options.
  if (a.wrong_type || b.wrong_type) {
    reply.error("ERR The specified keys must contain string values");
    return;
  }
  const auto parsed = parse_lcs_options(reply, options);
  if (!parsed) return;
  constexpr std::uint64_t kMaxLength = std::numeric_limits<std::uint32_t>::max() - 1;
  if (a.value.size() >= kMaxLength || b.value.size() >= kMaxLength) {
    reply.error("ERR String too long for LCS");
    return;
  }
  auto cells = allocate_cells(reply, a.value.size(), b.value.size(), proto_max_bulk_len);
  if (!cells) return;
  LcsTable table(a.value, b.value, std::move(cells));
  const LcsResult result = walk_back(table, a.value, b.value, *parsed);
  const std::uint32_t length = table.at(a.value.size(), b.value.size());
  if (parsed->idx) {
    reply_ranges(reply, result, length, parsed->with_match_len);
  } else if (parsed->len) {
    reply.integer(length);
  } else {
    reply.bulk(result.sequence);
  }
}

}  // namespace shardcache::server
