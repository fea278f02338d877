#include "protocol/request_parser.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>

namespace shardcache::protocol {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// isspace() in the C locale, which Redis keeps for LC_CTYPE.
bool is_c_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool is_hex_digit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hex_digit_value(char c) {
  if (is_digit(c)) return c - '0';
  return (c | 0x20) - 'a' + 10;
}

// Redis's string2ll(): an optional '-', then "0" alone or digits without a leading zero, nothing
// else ("+1", " 1", "01", "-0" and "" are refused), fitting a long long, under 21 characters.
bool string_to_int64(const char* s, std::size_t len, std::int64_t& value) {
  constexpr std::size_t kLongStrSize = 21;
  if (len == 0 || len >= kLongStrSize) return false;
  if (len == 1 && s[0] == '0') {
    value = 0;
    return true;
  }
  std::size_t i = 0;
  const bool negative = s[0] == '-';
  if (negative && ++i == len) return false;
  if (s[i] < '1' || s[i] > '9') return false;
  std::uint64_t v = 0;
  for (; i < len; ++i) {
    if (!is_digit(s[i])) return false;
    const auto digit = static_cast<std::uint64_t>(s[i] - '0');
    if (v > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
    v = v * 10 + digit;
  }
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (negative) {
    if (v > kMax + 1) return false;
    value = static_cast<std::int64_t>(0 - v);  // two's complement, exact for v == kMax + 1
  } else {
    if (v > kMax) return false;
    value = static_cast<std::int64_t>(v);
  }
  return true;
}

bool contains_nul(const char* p, std::size_t len) { return std::memchr(p, '\0', len) != nullptr; }

// What reading a "*<n>\r\n" or "$<n>\r\n" line found.
struct CountLine {
  enum Outcome { kNumber, kIncomplete, kTooBig, kWrongType, kNotNumber } outcome;
  std::int64_t value = 0;  // kNumber
  std::size_t next = 0;    // kNumber: where the line's successor starts
};

// Redis locates the '\r' with strchr(), which stops at a NUL byte: a NUL before the '\r' hides it
// for good, and the line stays incomplete until the buffer outgrows kMaxInlineSize.
CountLine line_not_found(std::string_view in, std::size_t pos) {
  return {in.size() - pos > kMaxInlineSize ? CountLine::kTooBig : CountLine::kIncomplete};
}

// Reads the count line at `pos`, which must start with `type`, the general way (see below).
// Kept out of line so that the fast path stays a leaf function without register saves.
[[gnu::noinline]] CountLine read_count_line_slow(std::string_view in, std::size_t pos, char type) {
  const char* const line = in.data() + pos;
  const char* const end = in.data() + in.size();
  const std::size_t window = std::min(in.size() - pos, kMaxInlineSize + 1);
  const auto* cr = static_cast<const char*>(std::memchr(line, '\r', window));
  if (cr == nullptr) return line_not_found(in, pos);
  const auto line_len = static_cast<std::size_t>(cr - line);
  // A line that passes the checks below holds no NUL; one that fails may, and then strchr()
  // would not have reached this '\r' at all.
  const auto unless_hidden = [&](CountLine::Outcome outcome) {
    return contains_nul(line, line_len) ? line_not_found(in, pos) : CountLine{outcome};
  };
  if (end - cr < 2) return unless_hidden(CountLine::kIncomplete);
  if (*line != type) return unless_hidden(CountLine::kWrongType);
  std::int64_t value = 0;
  if (!string_to_int64(line + 1, line_len - 1, value)) return unless_hidden(CountLine::kNotNumber);
  return {CountLine::kNumber, value, pos + line_len + 2};
}

// Reads the count line at `pos`, which must start with `type`. Like Redis it takes the first '\r'
// as the line end and skips the byte after it unchecked. The '\r' is only looked for in the first
// kMaxInlineSize + 1 bytes: that is where Redis, fed one byte at a time, gives up, and it keeps the
// result independent of how the input was split.
inline CountLine read_count_line(std::string_view in, std::size_t pos, char type) {
  // Fast path for the usual line: up to 18 digits (never overflowing), no leading zero, '\r'.
  // Count lines were a seventh of a pipelined GET's instructions, so it tests each byte once:
  // the shortest line ("$0\r\n") is 4 bytes, and the digit loop stops at the 18th digit or the
  // buffer's end. Anything else takes the general path.
  const char* const line = in.data() + pos;
  const char* const end = in.data() + in.size();
  if (end - line >= 4 && *line == type) {
    const char* p = line + 1;
    auto digit = static_cast<unsigned>(static_cast<unsigned char>(*p) - '0');
    if (digit <= 9 && (digit != 0 || p[1] == '\r')) {
      std::int64_t v = digit;
      const char* const limit = std::min(end, line + 19);
      while (++p < limit &&
             (digit = static_cast<unsigned>(static_cast<unsigned char>(*p) - '0')) <= 9) {
        v = v * 10 + digit;
      }
      if (end - p >= 2 && *p == '\r') {
        return {CountLine::kNumber, v, static_cast<std::size_t>(p + 2 - in.data())};
      }
    }
  }
  return read_count_line_slow(in, pos, type);
}

char unescape(char c) {
  switch (c) {
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'b': return '\b';
    case 'a': return '\a';
    default: return c;
  }
}

}  // namespace

ParseStatus RequestParser::parse(std::string_view input, bool auth_required) {
  consumed_ = 0;
  bytes_needed_ = 0;
  while (consumed_ < input.size()) {
    const std::string_view rest = input.substr(consumed_);
    const ParseStatus status = multibulk_len_ > 0 || rest[0] == '*'
                                   ? parse_multibulk(rest, auth_required)
                                   : parse_inline(rest);
    // An empty command was consumed without arguments: go on to the next one.
    if (status != ParseStatus::kCommand || !args_.empty()) return status;
  }
  return incomplete(0);
}

std::optional<RequestParser::PendingPayload> RequestParser::pending_payload() const {
  if (multibulk_len_ == 0 || bulk_len_ < 0) return std::nullopt;
  return PendingPayload{arg_pos_, static_cast<std::size_t>(bulk_len_)};
}

void RequestParser::take_payload_out_of_line(std::string_view payload) {
  arg_spans_.push_back({0, payload.size(), payload.data()});
  bulk_len_ = kPayloadTakenOut;
}

void RequestParser::reset() {
  multibulk_len_ = 0;
  arg_spans_.clear();
  arg_pos_ = 0;
  bulk_len_ = -1;
}

ParseStatus RequestParser::parse_multibulk(std::string_view input, bool auth_required) {
  args_.clear();
  // Progress lives in locals while parsing, and in members only between calls.
  std::int64_t count = multibulk_len_;
  std::size_t pos = arg_pos_;
  std::int64_t bulk_len = bulk_len_;
  if (count == 0) {
    const CountLine head = read_count_line(input, 0, '*');
    switch (head.outcome) {
      case CountLine::kNumber: break;
      case CountLine::kIncomplete: return incomplete(0);
      case CountLine::kTooBig: return fail("Protocol error: too big mbulk count string");
      case CountLine::kWrongType:  // the caller saw the '*'
      case CountLine::kNotNumber: return fail("Protocol error: invalid multibulk length");
    }
    if (head.value > kMaxMultibulkLen) return fail("Protocol error: invalid multibulk length");
    if (auth_required && head.value > kUnauthMaxMultibulkLen) {
      return fail("Protocol error: unauthenticated multibulk length");
    }
    if (head.value <= 0) {  // an empty command: only the line is consumed
      consumed_ += head.next;
      return ParseStatus::kCommand;
    }
    count = head.value;
    pos = head.next;
    // Like Redis, size the argument array by the count only up to 1024: the count is untrusted.
    args_.reserve(static_cast<std::size_t>(std::min<std::int64_t>(count, 1024)));
  } else if (bulk_len == kPayloadTakenOut) {
    // Resuming after a payload taken out of line: it is in arg_spans_ already, and Redis skips
    // the two bytes after it unchecked.
    if (input.size() - pos < 2) return suspend(input, count, pos, bulk_len, pos + 2);
    pos += 2;
    bulk_len = -1;
  }
  for (auto i = static_cast<std::int64_t>(arg_spans_.size()); i < count; ++i) {
    if (bulk_len < 0) {
      const CountLine bulk = read_count_line(input, pos, '$');
      switch (bulk.outcome) {
        case CountLine::kNumber: break;
        case CountLine::kIncomplete: return suspend(input, count, pos, -1, 0);
        case CountLine::kTooBig: return fail("Protocol error: too big bulk count string");
        case CountLine::kWrongType: {
          // Redis replies with addReplyErrorFormat(), which turns CR and LF into spaces.
          const char got = input[pos] == '\r' || input[pos] == '\n' ? ' ' : input[pos];
          return fail(std::string("Protocol error: expected '$', got '") + got + "'");
        }
        case CountLine::kNotNumber: return fail("Protocol error: invalid bulk length");
      }
      if (bulk.value < 0 || static_cast<std::uint64_t>(bulk.value) > limits_->max_bulk_len) {
        return fail("Protocol error: invalid bulk length");
      }
      if (auth_required && bulk.value > kUnauthMaxBulkLen) {
        return fail("Protocol error: unauthenticated bulk length");
      }
      bulk_len = bulk.value;
      pos = bulk.next;
    }
    const auto len = static_cast<std::size_t>(bulk_len);
    if (input.size() - pos < len + 2) return suspend(input, count, pos, bulk_len, pos + len + 2);
    args_.emplace_back(input.data() + pos, len);
    pos += len + 2;  // Redis skips the two bytes after the payload without checking for "\r\n"
    bulk_len = -1;
  }

  if (!arg_spans_.empty()) {
    // Resumed: the arguments that earlier calls read go in front of this call's.
    args_.insert(args_.begin(), arg_spans_.size(), std::string_view());
    for (std::size_t i = 0; i < arg_spans_.size(); ++i) {
      const ArgSpan& span = arg_spans_[i];
      args_[i] = span.external != nullptr ? std::string_view(span.external, span.length)
                                          : input.substr(span.offset, span.length);
    }
  }
  consumed_ += pos;
  reset();
  return ParseStatus::kCommand;
}

ParseStatus RequestParser::suspend(std::string_view input, std::int64_t count, std::size_t pos,
                                   std::int64_t bulk_len, std::size_t needed) {
  multibulk_len_ = count;
  arg_pos_ = pos;
  bulk_len_ = bulk_len;
  for (const std::string_view arg : args_) {
    arg_spans_.push_back({static_cast<std::size_t>(arg.data() - input.data()), arg.size()});
  }
  return incomplete(needed);
}

ParseStatus RequestParser::parse_inline(std::string_view input) {
  args_.clear();
  const std::size_t window = std::min(input.size(), kMaxInlineSize + 1);
  const auto* newline = static_cast<const char*>(std::memchr(input.data(), '\n', window));
  // Redis finds the newline with strchr(): a NUL before it hides it (see line_not_found).
  if (newline == nullptr ||
      contains_nul(input.data(), static_cast<std::size_t>(newline - input.data()))) {
    if (input.size() > kMaxInlineSize) return fail("Protocol error: too big inline request");
    return incomplete(0);
  }
  const auto line_end = static_cast<std::size_t>(newline - input.data());
  const std::size_t length = line_end > 0 && input[line_end - 1] == '\r' ? line_end - 1 : line_end;
  if (!split_inline_args(input.substr(0, length))) {
    return fail("Protocol error: unbalanced quotes in request");
  }
  consumed_ += line_end + 1;
  return ParseStatus::kCommand;
}

bool RequestParser::split_inline_args(std::string_view line) {
  // Unescaping never lengthens a token, so the reserve below holds every argument of the line.
  inline_storage_.clear();
  inline_storage_.reserve(line.size());
  const char* p = line.data();
  const char* const end = p + line.size();
  // The line holds no NUL, so '\0' stands for its end as the terminator does in sdssplitargs.
  const auto at = [end](const char* q) { return q < end ? *q : '\0'; };
  // A closing quote must be followed by a space or the end of the line.
  const auto closes = [&](const char* quote) {
    return at(quote + 1) == '\0' || is_c_space(at(quote + 1));
  };

  while (true) {
    while (p < end && is_c_space(*p)) ++p;
    if (p == end) return true;
    const std::size_t start = inline_storage_.size();
    bool in_double_quotes = false;
    bool in_single_quotes = false;
    bool done = false;
    while (!done) {
      const char c = at(p);
      if (in_double_quotes) {
        if (c == '\\' && at(p + 1) == 'x' && is_hex_digit(at(p + 2)) && is_hex_digit(at(p + 3))) {
          const int byte = hex_digit_value(p[2]) * 16 + hex_digit_value(p[3]);
          inline_storage_.push_back(static_cast<char>(byte));
          p += 3;
        } else if (c == '\\' && at(p + 1) != '\0') {
          inline_storage_.push_back(unescape(*++p));
        } else if (c == '"') {
          if (!closes(p)) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          inline_storage_.push_back(c);
        }
      } else if (in_single_quotes) {
        if (c == '\\' && at(p + 1) == '\'') {
          inline_storage_.push_back(*++p);
        } else if (c == '\'') {
          if (!closes(p)) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          inline_storage_.push_back(c);
        }
      } else {
        switch (c) {
          // Only these end an unquoted token; '\v' and '\f' do not, though they separate tokens.
          case ' ': case '\n': case '\r': case '\t': case '\0': done = true; break;
          case '"': in_double_quotes = true; break;
          case '\'': in_single_quotes = true; break;
          default: inline_storage_.push_back(c); break;
        }
      }
      if (p < end) ++p;
    }
    args_.emplace_back(inline_storage_.data() + start, inline_storage_.size() - start);
  }
}

ParseStatus RequestParser::incomplete(std::size_t needed) {
  args_.clear();
  bytes_needed_ = needed == 0 ? 0 : consumed_ + needed;
  return ParseStatus::kIncomplete;
}

ParseStatus RequestParser::fail(std::string message) {
  args_.clear();
  reset();
  error_ = std::move(message);
  return ParseStatus::kError;
}

}  // namespace shardcache::protocol
