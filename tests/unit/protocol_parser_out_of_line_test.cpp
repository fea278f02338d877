// RequestParser with bulk payloads taken out of line (pending_payload, take_payload_out_of_line):
// a caller that receives large payloads into buffers of its own gets the same commands as one
// that feeds every byte through the input, however the stream is split.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/request_parser.h"

using shardcache::protocol::Limits;
using shardcache::protocol::ParseStatus;
using shardcache::protocol::RequestParser;

namespace {

using namespace std::string_literals;

using Command = std::vector<std::string>;

struct Outcome {
  std::vector<Command> commands;
  ParseStatus last = ParseStatus::kIncomplete;
  std::string error;
  std::size_t out_of_line = 0;  // arguments that were views of a caller's payload buffer

  bool same_commands(const Outcome& other) const {
    return commands == other.commands && last == other.last && error == other.error;
  }
};

std::string bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}

std::string multibulk(const Command& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& arg : args) out += bulk(arg);
  return out;
}

// Parses `input` as a connection that gets it in reads ending at `cuts`, and receives every
// payload of at least `min_payload` bytes into a buffer of its own once the parser waits for
// it: the bytes of it already in the input move there, the rest go straight there.
Outcome parse_taking_payloads(std::string_view input, std::vector<std::size_t> cuts,
                              std::size_t min_payload) {
  const Limits limits;  // the parser keeps a pointer to it
  RequestParser parser(limits);
  Outcome out;
  std::string buffer;
  std::vector<std::unique_ptr<std::string>> payloads;  // of the command being parsed
  std::size_t filled = 0;                              // of payloads.back()
  const auto filling = [&] { return !payloads.empty() && filled < payloads.back()->size(); };
  cuts.push_back(input.size());
  std::size_t read_start = 0;
  for (const std::size_t read_end : cuts) {
    std::string_view bytes = input.substr(read_start, read_end - read_start);
    read_start = read_end;
    while (!bytes.empty()) {
      if (filling()) {
        const std::size_t n = std::min(bytes.size(), payloads.back()->size() - filled);
        payloads.back()->replace(filled, n, bytes.substr(0, n));
        filled += n;
        bytes.remove_prefix(n);
      } else {
        buffer.append(bytes);
        bytes = {};
      }
      while (!filling()) {
        out.last = parser.parse(buffer, false);
        if (out.last == ParseStatus::kError) {
          out.error = parser.error();
          return out;
        }
        if (out.last == ParseStatus::kCommand) {
          Command command;
          for (std::string_view arg : parser.args()) {
            for (const auto& payload : payloads) {
              if (arg.data() == payload->data() && arg.size() == payload->size()) {
                ++out.out_of_line;
              }
            }
            command.emplace_back(arg);
          }
          out.commands.push_back(std::move(command));
          payloads.clear();
          buffer.erase(0, parser.consumed());
          continue;
        }
        buffer.erase(0, parser.consumed());
        const auto pending = parser.pending_payload();
        if (!pending || pending->length < min_payload) break;
        REQUIRE(pending->offset <= buffer.size());
        const std::size_t have = std::min(buffer.size() - pending->offset, pending->length);
        REQUIRE(have < pending->length + 2);
        auto payload = std::make_unique<std::string>(pending->length, '?');
        payload->replace(0, have, buffer, pending->offset, have);
        buffer.erase(pending->offset, have);
        parser.take_payload_out_of_line(*payload);
        payloads.push_back(std::move(payload));
        filled = have;
        // A payload already whole goes on parsing (its "\r\n" may be here too).
      }
    }
  }
  return out;
}

Outcome parse_whole(std::string_view input) {
  return parse_taking_payloads(input, {}, std::string::npos);
}

// A stream mixing small and large arguments: PING, a SET with a large value, an MSET with two,
// empty commands, a large argument at the end of a command and one in the middle.
std::string mixed_stream() {
  std::string large_a(40, 'a'), large_b(33, 'b'), large_c(64, '\0');
  large_a[0] = '\r';
  large_b[32] = '\n';
  return "PING\r\n" + multibulk({"SET", "k", large_a}) + "*0\r\n" +
         multibulk({"MSET", "x", large_b, "y", "small", "z", large_c}) +
         multibulk({"ECHO", large_a}) + multibulk({"SET", large_b, "v"}) +
         multibulk({"GET", "k"});
}

}  // namespace

TEST_CASE("Out-of-line payloads give the same commands as the input, split anywhere",
          "[protocol][parser]") {
  const std::string input = mixed_stream();
  const Outcome whole = parse_whole(input);
  REQUIRE(whole.last == ParseStatus::kIncomplete);
  REQUIRE(whole.commands.size() == 6);
  REQUIRE(whole.out_of_line == 0);
  // A payload is taken out of line when a read ends after its count line and before the end of
  // the "\r\n" after it: len + 2 cut positions for each of the five large ones.
  std::size_t taken_total = 0;
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    INFO("split at " << cut);
    const Outcome taken = parse_taking_payloads(input, {cut}, 32);
    REQUIRE(taken.same_commands(whole));
    taken_total += taken.out_of_line;
  }
  CHECK(taken_total == 2 * (40 + 2) + 2 * (33 + 2) + (64 + 2));
  std::vector<std::size_t> every_byte;
  for (std::size_t cut = 1; cut < input.size(); ++cut) every_byte.push_back(cut);
  const Outcome byte_by_byte = parse_taking_payloads(input, every_byte, 32);
  REQUIRE(byte_by_byte.same_commands(whole));
  CHECK(byte_by_byte.out_of_line == 5);  // large_a twice, large_b twice, large_c
}

TEST_CASE("pending_payload reports the payload being waited for, from the unconsumed input",
          "[protocol][parser]") {
  const Limits limits;  // the parser keeps a pointer to it
  RequestParser parser(limits);
  // Empty commands before it are consumed: the offset counts from after them.
  const std::string head = "*0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\n";
  REQUIRE(parser.parse(head, false) == ParseStatus::kIncomplete);
  REQUIRE(parser.consumed() == 4);
  const std::string command_head = head.substr(4);
  auto pending = parser.pending_payload();
  REQUIRE(pending);
  CHECK(pending->offset == command_head.size());
  CHECK(pending->length == 100);

  // Still waiting: the same answer, whatever part of the payload has arrived.
  REQUIRE(parser.parse(command_head + std::string(60, 'v'), false) == ParseStatus::kIncomplete);
  CHECK(parser.consumed() == 0);
  pending = parser.pending_payload();
  REQUIRE(pending);
  CHECK(pending->offset == command_head.size());

  const std::string payload(100, 'v');
  parser.take_payload_out_of_line(payload);
  CHECK_FALSE(parser.pending_payload());
  // Without the two bytes after the payload the command is not complete.
  REQUIRE(parser.parse(command_head + "\r", false) == ParseStatus::kIncomplete);
  CHECK(parser.bytes_needed() == command_head.size() + 2);
  const std::string rest = command_head + "\r\n*1\r\n$4\r\nPING\r\n";  // args view it
  REQUIRE(parser.parse(rest, false) == ParseStatus::kCommand);
  CHECK(parser.consumed() == command_head.size() + 2);
  REQUIRE(parser.args().size() == 3);
  CHECK(parser.args()[1] == "k");
  CHECK(parser.args()[2].data() == payload.data());
  CHECK(parser.args()[2].size() == 100);
  CHECK_FALSE(parser.pending_payload());
}

TEST_CASE("pending_payload is empty while a count line or nothing is awaited",
          "[protocol][parser]") {
  const Limits limits;  // the parser keeps a pointer to it
  RequestParser parser(limits);
  REQUIRE(parser.parse("*2\r\n$4\r\nECHO\r\n$1", false) == ParseStatus::kIncomplete);
  CHECK_FALSE(parser.pending_payload());
  REQUIRE(parser.parse("*2\r\n$4\r\nECHO\r\n$1\r\nx\r\n", false) == ParseStatus::kCommand);
  CHECK_FALSE(parser.pending_payload());
  REQUIRE(parser.parse("PING", false) == ParseStatus::kIncomplete);  // inline
  CHECK_FALSE(parser.pending_payload());
}

TEST_CASE("Limits are checked before a payload is offered", "[protocol][parser]") {
  Limits limits;
  limits.max_bulk_len = 1000;
  RequestParser parser(limits);
  REQUIRE(parser.parse("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1001\r\n", false) == ParseStatus::kError);
  CHECK(parser.error() == "Protocol error: invalid bulk length");
  CHECK_FALSE(parser.pending_payload());
}

TEST_CASE("reset forgets a payload taken out of line", "[protocol][parser]") {
  const Limits limits;  // the parser keeps a pointer to it
  RequestParser parser(limits);
  const std::string head = "*2\r\n$4\r\nECHO\r\n$40\r\n";
  REQUIRE(parser.parse(head, false) == ParseStatus::kIncomplete);
  const std::string payload(40, 'p');
  parser.take_payload_out_of_line(payload);
  parser.reset();
  REQUIRE(parser.parse("*1\r\n$4\r\nPING\r\n", false) == ParseStatus::kCommand);
  REQUIRE(parser.args().size() == 1);
  CHECK(parser.args()[0] == "PING");
}
