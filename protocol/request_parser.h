// RequestParser: turns the bytes a client sent into commands (argument vectors).
//
// Understands RESP multibulk requests ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") and inline commands
// ("GET k\n", with Redis's quoting rules), exactly as Redis 7's processMultibulkBuffer and
// processInlineBuffer do, including their error texts.
//
// The caller keeps unconsumed bytes and calls parse() again when more arrive. Two things keep a
// large command from being rescanned on every read:
// - a kIncomplete result tells how many bytes the buffer must hold before another attempt can make
//   progress (the end of a bulk argument), so a large value is not looked at until it is all there;
// - the parser remembers how far it got into a multibulk command and resumes there, so a command
//   with many arguments (a huge MSET) costs time linear in its size. Inline commands are at most
//   kMaxInlineSize bytes and are simply parsed again.
//
// A large bulk payload need not pass through the input at all: when the parser waits for one
// (pending_payload()), the caller may take it out of line (take_payload_out_of_line) and receive
// it straight into a buffer of its own; the input then goes on with the two bytes that follow
// the payload. Such an argument is a view of the caller's buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
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
  //
  // Contract: after kIncomplete, the next call must be given the same unconsumed bytes (those
  // after the consumed() ones, so starting with the same command), unchanged, possibly followed
  // by more. They may have moved in memory: the parser keeps offsets, not pointers. It goes on
  // where it stopped and does not read what it had parsed again. Any other input needs reset()
  // first. After kCommand or kError any input may follow.
  //
  // So each '*' or '$' count line is checked once, against the limits and `auth_required` of the
  // call that reads it whole, as Redis does; a later change of `auth_required` does not apply to
  // the lines of the command already read.
  ParseStatus parse(std::string_view input, bool auth_required);

  // Forgets the command that the last kIncomplete left unfinished, if any.
  void reset();
  // Whether the last kIncomplete left a multibulk command unfinished.
  bool in_command() const { return multibulk_len_ > 0; }

  // A bulk payload the parser waits for: where it starts, counted from the front of the input
  // the next parse() call gets (the bytes after consumed()), and its length.
  struct PendingPayload {
    std::size_t offset;
    std::size_t length;
  };
  // After kIncomplete: the payload of the bulk argument being read, once its count line is
  // read and until the payload is taken out of line or complete; nothing otherwise.
  std::optional<PendingPayload> pending_payload() const;
  // After kIncomplete with a pending_payload(): `payload` (of its length, in storage the caller
  // keeps unchanged until the command is done with) is that argument. The next input must be
  // the same unconsumed bytes up to the payload's offset, then what follows the payload in the
  // stream (its "\r\n" first): the payload's own bytes are left out.
  void take_payload_out_of_line(std::string_view payload);

  // The arguments of the last kCommand. Views point into `input`, into storage owned by the
  // parser, or into payloads taken out of line; they stay valid until the next parse() call or
  // until `input` (or a payload's storage) changes.
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
  // incomplete(), remembering how far the multibulk command in `input` got: `count` arguments in
  // all, those before `pos` read, and at `pos` a count line, or a payload of `bulk_len` bytes.
  ParseStatus suspend(std::string_view input, std::int64_t count, std::size_t pos,
                      std::int64_t bulk_len, std::size_t needed);
  ParseStatus fail(std::string message);

  // An argument of the multibulk command being parsed, counted from the command's first byte,
  // or, taken out of line, at `external`.
  struct ArgSpan {
    std::size_t offset;
    std::size_t length;
    const char* external = nullptr;
  };

  const Limits* limits_;
  std::vector<std::string_view> args_;
  // How far the multibulk command that the last kIncomplete left unfinished had got.
  std::int64_t multibulk_len_ = 0;  // its argument count; 0 when there is no such command
  std::vector<ArgSpan> arg_spans_;  // its arguments read so far
  std::size_t arg_pos_ = 0;         // where its next bulk count line, or payload, starts
  // The length of that payload; -1 when a count line is next, kPayloadTakenOut when the payload
  // was taken out of line and the two bytes that follow it are next.
  std::int64_t bulk_len_ = -1;
  static constexpr std::int64_t kPayloadTakenOut = -2;
  // Unescaped inline arguments, back to back. Reserved to the line's length before splitting,
  // so it never reallocates under the views in args_.
  std::string inline_storage_;
  std::size_t consumed_ = 0;
  std::size_t bytes_needed_ = 0;
  std::string error_;
};

}  // namespace shardcache::protocol
