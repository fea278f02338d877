// libFuzzer target for RequestParser. Whatever the bytes, the parser must stay in bounds, never
// consume more than it was given, keep its bytes_needed() promise, and find the same commands and
// end state whether the bytes arrive in one read or in many. When it resumes a command left
// incomplete, each call must give what a fresh parser gives for the same bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/request_parser.h"

using shardcache::protocol::Limits;
using shardcache::protocol::ParseStatus;
using shardcache::protocol::RequestParser;

// Unlike assert(), never compiled out.
#define FUZZ_CHECK(cond)                                                          \
  do {                                                                            \
    if (!(cond)) {                                                                \
      std::fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond);     \
      std::abort();                                                               \
    }                                                                             \
  } while (0)

namespace {

using Command = std::vector<std::string>;

struct Outcome {
  std::vector<Command> commands;
  ParseStatus last = ParseStatus::kIncomplete;
  std::string error;
  std::size_t leftover = 0;  // bytes never consumed

  bool operator==(const Outcome&) const = default;
};

// One parse() call, with the invariants that hold for any input. `parser` may be resuming a
// command that its last call left incomplete.
ParseStatus checked_parse(const Limits& limits, RequestParser& parser, std::string_view input,
                          bool auth_required) {
  const ParseStatus status = parser.parse(input, auth_required);
  RequestParser fresh(limits);
  FUZZ_CHECK(fresh.parse(input, auth_required) == status);
  FUZZ_CHECK(fresh.consumed() == parser.consumed());
  FUZZ_CHECK(fresh.bytes_needed() == parser.bytes_needed());
  FUZZ_CHECK(fresh.args() == parser.args());
  if (status == ParseStatus::kError) FUZZ_CHECK(fresh.error() == parser.error());
  FUZZ_CHECK(parser.consumed() <= input.size());
  switch (status) {
    case ParseStatus::kCommand: {
      FUZZ_CHECK(!parser.args().empty());
      std::size_t arg_bytes = 0;
      for (const auto arg : parser.args()) arg_bytes += arg.size();
      FUZZ_CHECK(arg_bytes < parser.consumed());  // arguments come from the consumed bytes
      break;
    }
    case ParseStatus::kIncomplete: {
      FUZZ_CHECK(parser.bytes_needed() == 0 || parser.bytes_needed() > input.size());
      // Only empty commands were consumed: what is left is an incomplete command, or nothing.
      const std::size_t skipped = parser.consumed();
      const std::size_t needed = parser.bytes_needed();
      const std::string_view rest = input.substr(skipped);
      if (!rest.empty()) {
        RequestParser again(limits);
        FUZZ_CHECK(again.parse(rest, auth_required) == ParseStatus::kIncomplete);
        FUZZ_CHECK(again.consumed() == 0);
        FUZZ_CHECK(again.bytes_needed() == (needed == 0 ? 0 : needed - skipped));
      }
      break;
    }
    case ParseStatus::kError:
      FUZZ_CHECK(parser.error().starts_with("Protocol error: "));
      break;
  }
  return status;
}

// Parses `data` as a connection that receives reads ending at `read_ends` (ascending, the last
// one data.size()), keeping unconsumed bytes buffered between reads: the parser resumes the
// command it left incomplete with the same bytes, extended by the read (which may be empty).
Outcome parse_in_reads(const Limits& limits, std::string_view data,
                       const std::vector<std::size_t>& read_ends, bool auth_required) {
  RequestParser parser(limits);
  Outcome out;
  // Each read moves the unconsumed bytes to new memory and frees the old, as a connection may
  // when it compacts its buffer: a parser that kept pointers across calls would read freed memory.
  auto buffer = std::make_unique<std::string>();
  std::size_t needed = 0;  // promised by the last kIncomplete, relative to `buffer`
  std::size_t read_start = 0;
  for (const std::size_t read_end : read_ends) {
    auto moved = std::make_unique<std::string>(*buffer);
    moved->append(data.substr(read_start, read_end - read_start));
    buffer = std::move(moved);
    read_start = read_end;
    while (true) {
      out.last = checked_parse(limits, parser, *buffer, auth_required);
      if (buffer->size() < needed) FUZZ_CHECK(out.last == ParseStatus::kIncomplete);
      needed = 0;
      if (out.last == ParseStatus::kCommand) {
        out.commands.emplace_back(parser.args().begin(), parser.args().end());
      } else if (out.last == ParseStatus::kIncomplete && parser.bytes_needed() != 0) {
        needed = parser.bytes_needed() - parser.consumed();
      }
      buffer->erase(0, parser.consumed());
      if (out.last == ParseStatus::kError) {
        out.error = parser.error();
        out.leftover = buffer->size() + (data.size() - read_start);
        return out;
      }
      if (out.last == ParseStatus::kIncomplete) break;
    }
  }
  out.leftover = buffer->size();
  return out;
}

// splitmix64: a deterministic stream of choices derived from the input itself.
std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::uint64_t fnv1a(std::string_view data) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (const unsigned char c : data) hash = (hash ^ c) * 0x100000001b3ull;
  return hash;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string_view data(reinterpret_cast<const char*>(bytes), size);
  std::uint64_t random = fnv1a(data);

  // Settings drawn from the input too, so both auth modes and a tiny bulk limit get explored.
  const bool auth_required = next_random(random) % 2 == 0;
  Limits limits;
  if (next_random(random) % 4 == 0) limits.max_bulk_len = next_random(random) % 64;

  const Outcome whole = parse_in_reads(limits, data, {size}, auth_required);

  // A few random cut points, some of them twice: a call that brings no new bytes.
  std::vector<std::size_t> read_ends;
  if (size > 0) {
    for (std::uint64_t n = next_random(random) % 8 + 1; n > 0; --n) {
      read_ends.push_back(next_random(random) % size);
      if (next_random(random) % 4 == 0) read_ends.push_back(read_ends.back());
    }
    std::sort(read_ends.begin(), read_ends.end());
  }
  read_ends.push_back(size);
  FUZZ_CHECK(parse_in_reads(limits, data, read_ends, auth_required) == whole);

  // One byte per read, where that stays cheap.
  if (size <= 512) {
    read_ends.clear();
    for (std::size_t end = 1; end <= size; ++end) read_ends.push_back(end);
    FUZZ_CHECK(parse_in_reads(limits, data, read_ends, auth_required) == whole);
  }
  return 0;
}
