// RESP2 for the load generator: requests built from command templates, and a reply scanner that
// finds where each reply ends without keeping its payload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "random.h"

namespace shardcache::loadgen {

// Appends "*<count>\r\n" / "$<length>\r\n" / a whole bulk string to `out`.
void append_array_header(std::string& out, std::size_t count);
void append_bulk_header(std::string& out, std::size_t length);
void append_bulk(std::string& out, std::string_view bytes);

// A request with placeholders, as redis-benchmark takes them: every "__rand_int__" inside a word
// becomes a 12-digit zero-padded number drawn uniformly from [0, keyspace), a fresh one per
// occurrence and per request; a word that is exactly "__data__" becomes `data_size` bytes 'x'.
// The RESP bytes are built once; render() copies them and writes the digits in place.
class CommandTemplate {
 public:
  static constexpr std::size_t kRandDigits = 12;

  CommandTemplate(const std::vector<std::string>& words, std::size_t data_size);

  // Splits a command line on spaces ("SET key:__rand_int__ __data__").
  static std::vector<std::string> split(std::string_view line);

  // Replaces `out` with one encoded request. keyspace > 0.
  void render(std::string& out, Random& random, std::uint64_t keyspace) const;

  std::string_view name() const { return name_; }

 private:
  std::string encoded_;
  std::vector<std::size_t> digit_offsets_;  // where each 12-digit number goes in encoded_
  std::string name_;                        // the command word, for reports
};

// What the scanner saw of one complete top-level reply.
struct Reply {
  char type = 0;               // '+', '-', ':', '$' or '*'
  std::int64_t length = 0;     // '$': payload bytes (-1 for nil); '*': element count
  std::string error;           // '-': the error text (without "-"), at most 200 bytes
};

// Incremental RESP2 reply scanner. Bytes may arrive in pieces of any size; bulk payloads are
// skipped by counting (never copied), so a 32 MiB GET reply costs no memory here. Only header
// lines (at most 1 MiB each) are held between calls. Throws std::runtime_error on bytes that
// are not RESP2.
class ReplyScanner {
 public:
  // Consumes bytes from the front of `data`, stopping right after the first reply that
  // completes (then ready() is true). Returns how many bytes it consumed.
  std::size_t scan(std::string_view data);

  bool ready() const { return ready_; }

  // The completed reply; the scanner then starts on the next one. Requires ready().
  Reply take();

 private:
  void on_line(std::string_view line);
  void finish_value();

  std::string line_;                   // a header line split across reads
  std::uint64_t skip_ = 0;             // bulk payload + CRLF still to pass over
  std::vector<std::int64_t> pending_;  // elements still due in each open array, outermost first
  bool started_ = false;               // the top-level reply's header has been seen
  bool ready_ = false;
  Reply reply_;
};

}  // namespace shardcache::loadgen
