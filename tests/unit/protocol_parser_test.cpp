// RequestParser: Redis 7's request parsing, byte for byte, whatever way the input is split.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/request_parser.h"

using shardcache::protocol::kMaxInlineSize;
using shardcache::protocol::Limits;
using shardcache::protocol::ParseStatus;
using shardcache::protocol::RequestParser;

namespace {

using namespace std::string_literals;  // "...\0..."s keeps embedded NULs

using Command = std::vector<std::string>;
using Commands = std::vector<Command>;

// Everything a connection gets out of a byte stream: the commands, then how it stopped.
struct Outcome {
  Commands commands;
  ParseStatus last = ParseStatus::kIncomplete;
  std::string error;
  std::size_t leftover = 0;  // unconsumed bytes at the end

  bool operator==(const Outcome&) const = default;
};

Command to_command(const std::vector<std::string_view>& args) {
  return Command(args.begin(), args.end());
}

// Parses `input` as a connection that received all of it in one read.
Outcome parse_whole(std::string_view input, bool auth_required = false,
                    const Limits& limits = Limits{}) {
  RequestParser parser(limits);
  Outcome out;
  std::size_t pos = 0;
  while (true) {
    out.last = parser.parse(input.substr(pos), auth_required);
    REQUIRE(parser.consumed() <= input.size() - pos);
    pos += parser.consumed();
    if (out.last != ParseStatus::kCommand) break;
    REQUIRE_FALSE(parser.args().empty());
    out.commands.push_back(to_command(parser.args()));
  }
  if (out.last == ParseStatus::kError) out.error = parser.error();
  out.leftover = input.size() - pos;
  return out;
}

// Parses `input` as a connection that receives it in reads ending at `cuts` (ascending), keeping
// unconsumed bytes in its buffer. Checks the bytes_needed() promise on the way.
Outcome parse_in_reads(std::string_view input, const std::vector<std::size_t>& cuts,
                       bool auth_required = false) {
  const Limits limits;
  RequestParser parser(limits);
  Outcome out;
  // Each read moves the unconsumed bytes to new memory and frees the old, as a connection may
  // when it compacts its buffer: a parser that kept pointers across calls would read freed memory.
  auto buffer = std::make_unique<std::string>();
  std::size_t needed = 0;  // from the last kIncomplete
  std::size_t read_start = 0;
  std::vector<std::size_t> read_ends = cuts;
  read_ends.push_back(input.size());
  for (const std::size_t read_end : read_ends) {
    auto moved = std::make_unique<std::string>(*buffer);
    moved->append(input.substr(read_start, read_end - read_start));
    buffer = std::move(moved);
    read_start = read_end;
    while (true) {
      out.last = parser.parse(*buffer, auth_required);
      if (buffer->size() < needed) REQUIRE(out.last == ParseStatus::kIncomplete);
      REQUIRE(parser.consumed() <= buffer->size());
      if (out.last == ParseStatus::kError) {
        out.error = parser.error();
        buffer->erase(0, parser.consumed());  // empty commands skipped before the bad one
        out.leftover = buffer->size() + (input.size() - read_start);
        return out;
      }
      if (out.last == ParseStatus::kCommand) out.commands.push_back(to_command(parser.args()));
      needed = out.last == ParseStatus::kIncomplete ? parser.bytes_needed() : 0;
      if (needed != 0) {
        REQUIRE(needed > buffer->size());
        needed -= parser.consumed();
      }
      buffer->erase(0, parser.consumed());
      if (out.last == ParseStatus::kIncomplete) break;
    }
  }
  out.leftover = buffer->size();
  return out;
}

// Every single split point, then one byte per read, must give what one read gives.
void check_split_invariance(std::string_view input, bool auth_required = false) {
  const Outcome whole = parse_whole(input, auth_required);
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    INFO("split at " << cut);
    REQUIRE(parse_in_reads(input, {cut}, auth_required) == whole);
  }
  std::vector<std::size_t> every_byte;
  for (std::size_t cut = 1; cut < input.size(); ++cut) every_byte.push_back(cut);
  REQUIRE(parse_in_reads(input, every_byte, auth_required) == whole);
}

std::string multibulk(const Command& command) {
  std::string out = "*" + std::to_string(command.size()) + "\r\n";
  for (const auto& arg : command) out += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
  return out;
}

std::string parse_error(std::string_view input, bool auth_required = false,
                        const Limits& limits = Limits{}) {
  const Outcome out = parse_whole(input, auth_required, limits);
  REQUIRE(out.last == ParseStatus::kError);
  return out.error;
}

Commands inline_args(std::string_view line) {
  const Outcome out = parse_whole(line);
  REQUIRE(out.last == ParseStatus::kIncomplete);
  REQUIRE(out.leftover == 0);
  return out.commands;
}

}  // namespace

TEST_CASE("parser reads one multibulk command as views into the input", "[protocol]") {
  const Limits limits;
  RequestParser parser(limits);
  const std::string input = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\nextra";
  REQUIRE(parser.parse(input, false) == ParseStatus::kCommand);
  REQUIRE(parser.consumed() == input.size() - 5);
  REQUIRE(to_command(parser.args()) == Command{"SET", "k", "value"});
  for (const auto arg : parser.args()) {
    REQUIRE(arg.data() >= input.data());
    REQUIRE(arg.data() + arg.size() <= input.data() + input.size());
  }
}

TEST_CASE("parser reuses its argument array between commands", "[protocol]") {
  const Limits limits;
  RequestParser parser(limits);
  const std::string first = multibulk({"SET", "key", "value"});
  const std::string second = multibulk({"GET", "other"});
  REQUIRE(parser.parse(first, false) == ParseStatus::kCommand);
  const auto* storage = parser.args().data();
  REQUIRE(parser.parse(second, false) == ParseStatus::kCommand);
  REQUIRE(parser.parse(first, false) == ParseStatus::kCommand);
  REQUIRE(parser.args().data() == storage);
}

TEST_CASE("parser gives the same commands for every split of a pipeline", "[protocol]") {
  SECTION("multibulk with binary arguments") {
    const std::string input = multibulk({"SET", "key", "a\r\nb\0c\r\n"s}) + multibulk({"GET", ""}) +
                              multibulk({"*2\r\n$1\r\n", "$3\r\n\r\n"}) + multibulk({"PING"});
    check_split_invariance(input);
    REQUIRE(parse_whole(input).commands.size() == 4);
  }
  SECTION("inline with quoting") {
    const std::string input =
        "PING\r\nSET k \"a b\\r\\n\"\n\r\n   \nGET 'x y' \"\\x41\\x4g\"\r\nECHO\t\"\"\n";
    check_split_invariance(input);
    REQUIRE(parse_whole(input).commands ==
            Commands{{"PING"}, {"SET", "k", "a b\r\n"}, {"GET", "x y", "Ax4g"}, {"ECHO", ""}});
  }
  SECTION("mixed, with empty commands") {
    const std::string input = "*0\r\n" + multibulk({"A", "1"}) + "\r\nB 2\r\n*-1\r\n\n" +
                              multibulk({"C"}) + "*-5\r\nD\n";
    check_split_invariance(input);
    REQUIRE(parse_whole(input).commands == Commands{{"A", "1"}, {"B", "2"}, {"C"}, {"D"}});
  }
  SECTION("ending in a protocol error") {
    const std::string input = multibulk({"SET", "k", "v"}) + "*2\r\n$1\r\na\r\n:1\r\n";
    check_split_invariance(input);
    const Outcome out = parse_whole(input);
    REQUIRE(out.commands.size() == 1);
    REQUIRE(out.error == "Protocol error: expected '$', got ':'");
  }
  SECTION("unauthenticated limits") {
    check_split_invariance(multibulk({"AUTH", "pw"}) + "*11\r\n", true);
    check_split_invariance("*1\r\n$16385\r\n", true);
  }
}

TEST_CASE("parser reports kIncomplete for every strict prefix of a command", "[protocol]") {
  const std::string input = multibulk({"SET", "k\r\n", std::string(100, 'x')});
  const Limits limits;
  RequestParser parser(limits);
  for (std::size_t len = 0; len < input.size(); ++len) {
    INFO("prefix " << len);
    const std::string_view prefix = std::string_view(input).substr(0, len);
    REQUIRE(parser.parse(prefix, false) == ParseStatus::kIncomplete);
    REQUIRE(parser.consumed() == 0);
  }
  REQUIRE(parser.parse(input, false) == ParseStatus::kCommand);
  REQUIRE(parser.consumed() == input.size());
}

TEST_CASE("parser reads a command with many arguments in linear time", "[protocol]") {
  // A huge MSET: 200,000 one-byte arguments, arriving in 16 KiB reads.
  constexpr std::size_t kArgs = 200000;
  constexpr std::size_t kReadSize = 16 * 1024;
  std::string input = "*" + std::to_string(kArgs) + "\r\n";
  std::string expected;  // the arguments, back to back
  for (std::size_t i = 0; i < kArgs; ++i) {
    expected += static_cast<char>('a' + i % 26);
    input += "$1\r\n" + expected.substr(i) + "\r\n";
  }
  const Limits limits;
  RequestParser parser(limits);
  std::string buffer;
  std::size_t scribbled = 0;
  ParseStatus status = ParseStatus::kIncomplete;
  for (std::size_t read = 0; read < input.size(); read += kReadSize) {
    buffer.append(input, read, kReadSize);
    status = parser.parse(buffer, false);
    if (status != ParseStatus::kIncomplete) break;
    REQUIRE(parser.consumed() == 0);
    // Out of contract, on purpose: turning every '$' the parser has got past into '!' (all but
    // the last, partial arguments) shows that no later call reads them again, so each call reads
    // only about what the last read brought, not the command from its start.
    for (; scribbled + 16 < buffer.size(); ++scribbled) {
      if (buffer[scribbled] == '$') buffer[scribbled] = '!';
    }
  }
  REQUIRE(status == ParseStatus::kCommand);
  REQUIRE(parser.consumed() == input.size());
  REQUIRE(parser.args().size() == kArgs);
  std::string got;
  for (const auto arg : parser.args()) got += arg;
  REQUIRE(got == expected);
}

TEST_CASE("parser resumes a command whose bytes moved to another buffer", "[protocol]") {
  const Limits limits;
  RequestParser parser(limits);
  const std::string set = multibulk({"SET", "key", std::string(100, 'v')});
  const std::string input = "*0\r\n" + set + multibulk({"GET", "key"});
  // Stop inside a count line, inside a payload, and between two arguments.
  for (const std::size_t first_read : {4 + 6, 4 + 20, 4 + 22}) {
    INFO("first read " << first_read);
    auto buffer = std::make_unique<std::string>(input.substr(0, first_read));
    REQUIRE(parser.parse(*buffer, false) == ParseStatus::kIncomplete);
    REQUIRE(parser.consumed() == 4);
    // The connection keeps the unconsumed bytes somewhere else and frees the old buffer.
    auto moved = std::make_unique<std::string>(buffer->substr(4) + input.substr(first_read));
    buffer.reset();
    REQUIRE(parser.parse(*moved, false) == ParseStatus::kCommand);
    REQUIRE(parser.consumed() == set.size());
    REQUIRE(to_command(parser.args()) == Command{"SET", "key", std::string(100, 'v')});
    for (const auto arg : parser.args()) {
      REQUIRE(arg.data() >= moved->data());
      REQUIRE(arg.data() + arg.size() <= moved->data() + moved->size());
    }
    REQUIRE(parser.parse(std::string_view(*moved).substr(set.size()), false) ==
            ParseStatus::kCommand);
    REQUIRE(to_command(parser.args()) == Command{"GET", "key"});
  }
}

TEST_CASE("parser forgets a command left incomplete on reset()", "[protocol]") {
  const Limits limits;
  RequestParser parser(limits);
  REQUIRE(parser.parse("*3\r\n$3\r\nSET\r\n$1\r\nk", false) == ParseStatus::kIncomplete);
  parser.reset();
  REQUIRE(parser.parse("PING\r\n", false) == ParseStatus::kCommand);
  REQUIRE(to_command(parser.args()) == Command{"PING"});
  REQUIRE(parser.parse("*2\r\n$4\r\nECHO\r\n$10\r\n", false) == ParseStatus::kIncomplete);
  parser.reset();
  const std::string get = multibulk({"GET", "k"});
  REQUIRE(parser.parse(get, false) == ParseStatus::kCommand);
  REQUIRE(to_command(parser.args()) == Command{"GET", "k"});
}

TEST_CASE("parser checks each count line with the auth state of the call that reads it",
          "[protocol]") {
  const Limits limits;
  RequestParser parser(limits);
  SECTION("lines read before authentication was required are not checked again") {
    const std::string head = "*11\r\n$20000\r\n";
    REQUIRE(parser.parse(head, false) == ParseStatus::kIncomplete);
    const std::string input = head + std::string(20000, 'x') + "\r\n" + "$1\r\na\r\n";
    REQUIRE(parser.parse(input, true) == ParseStatus::kIncomplete);
  }
  SECTION("a line read after is") {
    const std::string head = "*11\r\n$1\r\na\r\n";
    REQUIRE(parser.parse(head, false) == ParseStatus::kIncomplete);
    REQUIRE(parser.parse(head + "$16385\r\n", true) == ParseStatus::kError);
    REQUIRE(parser.error() == "Protocol error: unauthenticated bulk length");
  }
}

TEST_CASE("parser handles thousands of pipelined commands in one buffer", "[protocol]") {
  std::string input;
  Commands expected;
  for (int i = 0; i < 5000; ++i) {
    Command command{"SET", "key:" + std::to_string(i),
                    std::string(static_cast<std::size_t>(i % 97), 'v')};
    if (i % 3 == 0) {
      input += "SET " + command[1] + " x" + std::to_string(i) + "\r\n";  // inline, now and then
      command[2] = "x" + std::to_string(i);
    } else {
      input += multibulk(command);
    }
    expected.push_back(command);
  }
  const Outcome out = parse_whole(input);
  REQUIRE(out.last == ParseStatus::kIncomplete);
  REQUIRE(out.leftover == 0);
  REQUIRE(out.commands == expected);
  REQUIRE(parse_in_reads(input, {1000, 16384, 16385, 40000}) == out);
}

TEST_CASE("parser skips empty commands", "[protocol]") {
  const Limits limits;
  RequestParser parser(limits);
  SECTION("alone they are consumed with kIncomplete") {
    const std::string input = "*0\r\n*-1\r\n\r\n\n  \t \r\n*-9223372036854775808\r\n";
    REQUIRE(parser.parse(input, false) == ParseStatus::kIncomplete);
    REQUIRE(parser.consumed() == input.size());
  }
  SECTION("before a command they are consumed with it") {
    const std::string input = "*0\r\n\r\n" + multibulk({"PING"});
    REQUIRE(parser.parse(input, false) == ParseStatus::kCommand);
    REQUIRE(parser.consumed() == input.size());
    REQUIRE(to_command(parser.args()) == Command{"PING"});
  }
  SECTION("before a partial command only they are consumed") {
    REQUIRE(parser.parse("*0\r\n*1\r\n$4\r\nPI", false) == ParseStatus::kIncomplete);
    REQUIRE(parser.consumed() == 4);
  }
}

TEST_CASE("parser tells how many bytes finish a bulk argument", "[protocol]") {
  const Limits limits;
  RequestParser parser(limits);
  SECTION("inside the payload") {
    REQUIRE(parser.parse("*2\r\n$3\r\nGET\r\n$10\r\nab", false) == ParseStatus::kIncomplete);
    REQUIRE(parser.bytes_needed() == 13 + 5 + 10 + 2);
  }
  SECTION("counted from the front, past skipped empty commands") {
    REQUIRE(parser.parse("*0\r\n*1\r\n$1000000\r\n", false) == ParseStatus::kIncomplete);
    REQUIRE(parser.consumed() == 4);
    REQUIRE(parser.bytes_needed() == 4 + 4 + 10 + 1000000 + 2);
  }
  SECTION("payload there but not the two bytes after it") {
    REQUIRE(parser.parse("*1\r\n$3\r\nabc\r", false) == ParseStatus::kIncomplete);
    REQUIRE(parser.bytes_needed() == 13);
  }
  SECTION("unknown inside a count line or an inline command") {
    REQUIRE(parser.parse("*1\r\n$12", false) == ParseStatus::kIncomplete);
    REQUIRE(parser.bytes_needed() == 0);
    parser.reset();  // what follows is not the same command
    REQUIRE(parser.parse("*1\r", false) == ParseStatus::kIncomplete);
    REQUIRE(parser.bytes_needed() == 0);
    parser.reset();
    REQUIRE(parser.parse("GET k", false) == ParseStatus::kIncomplete);
    REQUIRE(parser.bytes_needed() == 0);
  }
}

TEST_CASE("parser reports Redis's protocol errors", "[protocol]") {
  SECTION("multibulk count") {
    for (const char* input : {"*\r\n", "*x\r\n", "*+1\r\n", "*01\r\n", "*-0\r\n", "* 1\r\n",
                              "*1 \r\n", "*2147483648\r\n", "*-9223372036854775809\r\n",
                              "*99999999999999999999\r\n"}) {
      INFO(input);
      REQUIRE(parse_error(input) == "Protocol error: invalid multibulk length");
    }
  }
  SECTION("bulk length") {
    for (const char* input : {"*1\r\n$\r\n", "*1\r\n$-1\r\n", "*1\r\n$01\r\n", "*1\r\n$+1\r\n",
                              "*1\r\n$1x\r\n", "*1\r\n$9223372036854775808\r\n",
                              "*1\r\n$536870913\r\n"}) {
      INFO(input);
      REQUIRE(parse_error(input) == "Protocol error: invalid bulk length");
    }
    Limits small;
    small.max_bulk_len = 10;
    REQUIRE(parse_error("*1\r\n$11\r\n", false, small) == "Protocol error: invalid bulk length");
    REQUIRE(parse_whole("*1\r\n$10\r\n0123456789\r\n", false, small).commands.size() == 1);
    REQUIRE(parse_whole("*1\r\n$536870912\r\n").last == ParseStatus::kIncomplete);
  }
  SECTION("missing '$', with CR and LF shown as spaces") {
    REQUIRE(parse_error("*1\r\n:1\r\n") == "Protocol error: expected '$', got ':'");
    REQUIRE(parse_error("*1\r\n\r\n") == "Protocol error: expected '$', got ' '");
    REQUIRE(parse_error("*1\r\n\n$1\r\n") == "Protocol error: expected '$', got ' '");
    REQUIRE(parse_error("*1\r\n\xff\r\n") == "Protocol error: expected '$', got '\xff'");
  }
  SECTION("unbalanced quotes") {
    for (const char* input : {"SET \"a\n", "SET 'a\n", "SET \"a\"b\n", "SET 'a'b\r\n",
                              "SET \"a\\\"\n", "\"\n"}) {
      INFO(input);
      REQUIRE(parse_error(input) == "Protocol error: unbalanced quotes in request");
    }
  }
}

TEST_CASE("parser limits lines without an end to kMaxInlineSize bytes", "[protocol]") {
  const std::string digits(kMaxInlineSize - 1, '1');
  SECTION("multibulk count") {
    REQUIRE(parse_whole("*" + digits).last == ParseStatus::kIncomplete);
    REQUIRE(parse_error("*" + digits + "1") == "Protocol error: too big mbulk count string");
    // A '\r' at the last byte Redis would still have looked at is found.
    REQUIRE(parse_error("*" + digits + "\r\n") == "Protocol error: invalid multibulk length");
    REQUIRE(parse_error("*" + digits + "1\r\n") == "Protocol error: too big mbulk count string");
  }
  SECTION("bulk count") {
    REQUIRE(parse_whole("*1\r\n$" + digits).last == ParseStatus::kIncomplete);
    REQUIRE(parse_error("*1\r\n$" + digits + "1") == "Protocol error: too big bulk count string");
    REQUIRE(parse_error("*1\r\n$" + digits + "\r\n") == "Protocol error: invalid bulk length");
  }
  SECTION("inline") {
    const std::string line = "ECHO " + std::string(kMaxInlineSize - 5, 'a');
    REQUIRE(parse_whole(line).last == ParseStatus::kIncomplete);
    REQUIRE(parse_whole(line + "\n").commands.size() == 1);
    REQUIRE(parse_error(line + "a") == "Protocol error: too big inline request");
    REQUIRE(parse_error(line + "a\n") == "Protocol error: too big inline request");
  }
}

TEST_CASE("parser applies Redis's limits before authentication", "[protocol]") {
  REQUIRE(parse_error("*11\r\n", true) == "Protocol error: unauthenticated multibulk length");
  REQUIRE(parse_whole("*11\r\n", false).last == ParseStatus::kIncomplete);
  REQUIRE(parse_whole(multibulk(Command(10, "a")), true).commands.size() == 1);
  REQUIRE(parse_error("*1\r\n$16385\r\n", true) == "Protocol error: unauthenticated bulk length");
  REQUIRE(parse_whole(multibulk({std::string(16384, 'x')}), true).commands.size() == 1);
  // An invalid length is reported as such even then.
  REQUIRE(parse_error("*2147483648\r\n", true) == "Protocol error: invalid multibulk length");
  REQUIRE(parse_error("*1\r\n$536870913\r\n", true) == "Protocol error: invalid bulk length");
  // Inline commands have no such limits.
  REQUIRE(parse_whole("a b c d e f g h i j k l\n", true).commands.size() == 1);
}

TEST_CASE("parser splits inline arguments as sdssplitargs does", "[protocol]") {
  REQUIRE(inline_args("a b\tc\r\n") == Commands{{"a", "b", "c"}});
  REQUIRE(inline_args("  a  \n") == Commands{{"a"}});
  REQUIRE(inline_args("a\r\r\n") == Commands{{"a"}});
  SECTION("double quotes unescape") {
    REQUIRE(inline_args("\"\\n\\r\\t\\b\\a\\\\\\\"\\q\"\n") ==
            Commands{{"\n\r\t\b\a\\\"q"}});
    REQUIRE(inline_args("\"\\x41\\x7e\\xFf\\x4\\xg1\"\n") ==
            Commands{{"A~\xff" "x4xg1"}});
    REQUIRE(inline_args("\"\\x00\"\n") == Commands{{"\0"s}});
  }
  SECTION("single quotes only unescape \\'") {
    REQUIRE(inline_args("'a\\'b\\n\"'\n") == Commands{{"a'b\\n\""}});
  }
  SECTION("quotes may start inside a token and must end it") {
    REQUIRE(inline_args("ab\"c d\"\n") == Commands{{"abc d"}});
    REQUIRE(inline_args("\"\" ''\n") == Commands{{"", ""}});
    REQUIRE(inline_args("\"a\"\t'b'\v\"c\"\f\n") == Commands{{"a", "b", "c"}});
  }
  SECTION("vertical tab and form feed separate tokens only before them") {
    REQUIRE(inline_args("\va\vb \fc\n") == Commands{{"a\vb", "c"}});
  }
}

TEST_CASE("parser is as loose as Redis after a line or a payload", "[protocol]") {
  // Redis skips the two bytes after a '\r' or a payload without checking them.
  REQUIRE(parse_whole("*2\r\n$4\r\nECHOXY$1\r\naZZ").commands == Commands{{"ECHO", "a"}});
  REQUIRE(parse_whole("*1\rX$4\r\nPING\r\n").commands == Commands{{"PING"}});
}

TEST_CASE("parser treats a NUL before a line end as Redis's strchr does", "[protocol]") {
  // Redis finds line ends with strchr(), so a NUL hides the end: the connection waits until the
  // buffer outgrows kMaxInlineSize.
  for (const std::string& input : {"ECHO a\0b\r\nPING\r\n"s, "*1\0\r\n$4\r\nPING\r\n"s,
                                  "*1\r\nX\0\r\n"s, "*1\r\n$4\0\r\nPING\r\n"s, "*1\r\n\0\r\n"s}) {
    INFO(input);
    const Outcome out = parse_whole(input);
    REQUIRE(out.commands.empty());
    REQUIRE(out.last == ParseStatus::kIncomplete);
  }
  const std::string line_ends(kMaxInlineSize, '\n');
  const std::string crs(kMaxInlineSize, '\r');
  REQUIRE(parse_error("a\0"s + line_ends) == "Protocol error: too big inline request");
  REQUIRE(parse_error("*1\0"s + crs) == "Protocol error: too big mbulk count string");
  REQUIRE(parse_error("*1\r\n$\0"s + crs) == "Protocol error: too big bulk count string");
  // Inside a payload a NUL is just a byte.
  REQUIRE(parse_whole("*1\r\n$3\r\n\0\r\0\r\n"s).commands == Commands{{"\0\r\0"s}});
}

TEST_CASE("parser accepts counts exactly as string2ll does", "[protocol]") {
  REQUIRE(parse_whole("*2147483647\r\n").last == ParseStatus::kIncomplete);
  REQUIRE(parse_whole("*1\r\n$0\r\n\r\n").commands == Commands{{""}});
  REQUIRE(parse_whole("*1\r\n$00\r\n\r\n").last == ParseStatus::kError);
  // 18 digits take the fast path, longer ones the general one.
  REQUIRE(parse_whole("*1\r\n$100000000000000000\r\n").last == ParseStatus::kError);
  REQUIRE(parse_whole("*1\r\n$1000000000000000000\r\n").last == ParseStatus::kError);
  Limits unlimited;
  unlimited.max_bulk_len = UINT64_MAX;
  REQUIRE(parse_whole("*1\r\n$9223372036854775807\r\n", false, unlimited).last ==
          ParseStatus::kIncomplete);
}
