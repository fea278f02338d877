// RequestParser: turns the bytes a client sent into commands (argument vectors).
//
// Understands RESP multibulk requests ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") and inline commands
// ("GET k\n", with Redis's quoting rules), exactly as Redis 7's processMultibulkBuffer and
// processInlineBuffer do, including their error texts.
//
// The parser is stateless between commands: the caller keeps unconsumed bytes and calls parse()
// again when more arrive. To avoid rescanning a large bulk argument on every read, a kIncomplete
// result tells how many bytes the buffer must hold before another attempt can make progress.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/limits.h"

namespace shardcache::protocol {

enum class ParseStatus {
  kCommand,     // one command parsed: args() holds it, consumed() bytes may be dropped
  kIncomplete,  // the buffer ends inside a command; consumed() bytes (blank lines) may be dropped
  kError,       // protocol error: reply "-ERR " + error() and close the connection
};

class RequestParser {
 public:
  explicit RequestParser(const Limits& limits) : limits_(&limits) {}

  // Parses the first command in `input`. Empty commands ("*0\r\n", "*-1\r\n", blank inline
  // lines) are skipped and counted in consumed(). `auth_required` applies Redis's stricter
  // limits for clients that have not authenticated yet.
  ParseStatus parse(std::string_view input, bool auth_required);

  // The arguments of the last kCommand. Views point into `input` or into storage owned by the
  // parser; they stay valid until the next parse() call or until `input` changes.
  const std::vector<std::string_view>& args() const { return args_; }
  // Bytes at the front of `input` that the last call used up.
  std::size_t consumed() const { return consumed_; }
  // After kIncomplete: the total buffer size (from the front of `input`) needed before calling
  // parse() again can complete the command; 0 if unknown (wait for any new byte).
  std::size_t bytes_needed() const { return bytes_needed_; }
  // After kError: the message, without the "-ERR " prefix, e.g.
  // "Protocol error: invalid multibulk length".
  const std::string& error() const { return error_; }

 private:
  ParseStatus parse_multibulk(std::string_view input, bool auth_required);
  ParseStatus parse_inline(std::string_view input);
  // Splits one inline line into args_ as Redis's sdssplitargs does; false on unbalanced quotes.
  bool split_inline_args(std::string_view line);
  // `needed` counts from the front of the command being parsed; 0 means unknown.
  ParseStatus incomplete(std::size_t needed);
  ParseStatus fail(std::string message);

  const Limits* limits_;
  std::vector<std::string_view> args_;
  // Unescaped inline arguments, back to back. Reserved to the line's length before splitting,
  // so it never reallocates under the views in args_.
  std::string inline_storage_;
  std::size_t consumed_ = 0;
  std::size_t bytes_needed_ = 0;
  std::string error_;
};

}  // namespace shardcache::protocol
