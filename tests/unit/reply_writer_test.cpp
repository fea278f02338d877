// ReplyWriter: the bytes of every reply type, in RESP2 and RESP3.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <string>

#include "protocol/reply_writer.h"

using shardcache::protocol::ReplyWriter;

namespace {

using namespace std::string_literals;

// What `write` appends to a buffer that already holds something, in protocol `resp`.
std::string written(int resp, const std::function<void(ReplyWriter&)>& write) {
  std::string out = "before";
  ReplyWriter writer(out, resp);
  write(writer);
  REQUIRE(out.rfind("before", 0) == 0);
  return out.substr(6);
}

// Checks what `write` produces in RESP2 and in RESP3.
void check(const std::function<void(ReplyWriter&)>& write, const std::string& resp2,
           const std::string& resp3) {
  CHECK(written(2, write) == resp2);
  CHECK(written(3, write) == resp3);
}

}  // namespace

TEST_CASE("writer encodes simple strings and errors", "[protocol]") {
  check([](ReplyWriter& w) { w.simple("PONG"); }, "+PONG\r\n", "+PONG\r\n");
  check([](ReplyWriter& w) { w.ok(); }, "+OK\r\n", "+OK\r\n");
  check([](ReplyWriter& w) { w.simple(""); }, "+\r\n", "+\r\n");
  check([](ReplyWriter& w) { w.error("ERR unknown command"); }, "-ERR unknown command\r\n",
        "-ERR unknown command\r\n");
  check([](ReplyWriter& w) { w.error("WRONGTYPE a\r\nb\nc\r"); }, "-WRONGTYPE a  b c \r\n",
        "-WRONGTYPE a  b c \r\n");
}

TEST_CASE("writer encodes integers", "[protocol]") {
  check([](ReplyWriter& w) { w.integer(0); }, ":0\r\n", ":0\r\n");
  check([](ReplyWriter& w) { w.integer(-42); }, ":-42\r\n", ":-42\r\n");
  check([](ReplyWriter& w) { w.integer(INT64_MAX); }, ":9223372036854775807\r\n",
        ":9223372036854775807\r\n");
  check([](ReplyWriter& w) { w.integer(INT64_MIN); }, ":-9223372036854775808\r\n",
        ":-9223372036854775808\r\n");
}

TEST_CASE("writer encodes bulk strings and nulls", "[protocol]") {
  check([](ReplyWriter& w) { w.bulk("hello"); }, "$5\r\nhello\r\n", "$5\r\nhello\r\n");
  check([](ReplyWriter& w) { w.bulk(""); }, "$0\r\n\r\n", "$0\r\n\r\n");
  check([](ReplyWriter& w) { w.bulk("a\r\n\0b"s); }, "$5\r\na\r\n\0b\r\n"s, "$5\r\na\r\n\0b\r\n"s);
  const std::string big(100000, 'x');
  check([&](ReplyWriter& w) { w.bulk(big); }, "$100000\r\n" + big + "\r\n",
        "$100000\r\n" + big + "\r\n");
  check([](ReplyWriter& w) { w.null(); }, "$-1\r\n", "_\r\n");
  check([](ReplyWriter& w) { w.null_array(); }, "*-1\r\n", "_\r\n");
}

TEST_CASE("writer encodes aggregate headers", "[protocol]") {
  check([](ReplyWriter& w) { w.array(0); }, "*0\r\n", "*0\r\n");
  check([](ReplyWriter& w) { w.array(12345); }, "*12345\r\n", "*12345\r\n");
  check([](ReplyWriter& w) { w.map(3); }, "*6\r\n", "%3\r\n");
  check([](ReplyWriter& w) { w.map(0); }, "*0\r\n", "%0\r\n");
  check([](ReplyWriter& w) { w.set(2); }, "*2\r\n", "~2\r\n");
  check([](ReplyWriter& w) { w.push(3); }, "*3\r\n", ">3\r\n");
  check(
      [](ReplyWriter& w) {
        w.map(1);
        w.bulk("k");
        w.array(2);
        w.integer(1);
        w.null();
      },
      "*2\r\n$1\r\nk\r\n*2\r\n:1\r\n$-1\r\n", "%1\r\n$1\r\nk\r\n*2\r\n:1\r\n_\r\n");
}

TEST_CASE("writer encodes doubles as Redis's %.17g", "[protocol]") {
  check([](ReplyWriter& w) { w.dbl(1.5); }, "$3\r\n1.5\r\n", ",1.5\r\n");
  check([](ReplyWriter& w) { w.dbl(0.1); }, "$19\r\n0.10000000000000001\r\n",
        ",0.10000000000000001\r\n");
  check([](ReplyWriter& w) { w.dbl(3); }, "$1\r\n3\r\n", ",3\r\n");
  check([](ReplyWriter& w) { w.dbl(-0.0); }, "$2\r\n-0\r\n", ",-0\r\n");
  check([](ReplyWriter& w) { w.dbl(1e22); }, "$5\r\n1e+22\r\n", ",1e+22\r\n");
  const double inf = std::numeric_limits<double>::infinity();
  check([&](ReplyWriter& w) { w.dbl(inf); }, "$3\r\ninf\r\n", ",inf\r\n");
  check([&](ReplyWriter& w) { w.dbl(-inf); }, "$4\r\n-inf\r\n", ",-inf\r\n");
  check([](ReplyWriter& w) { w.dbl(std::nan("")); }, "$3\r\nnan\r\n", ",nan\r\n");
  check([](ReplyWriter& w) { w.dbl(-std::nan("")); }, "$3\r\nnan\r\n", ",nan\r\n");

  SECTION("matches snprintf for finite values") {
    for (const double value : {1.0 / 3, -2.5e-310, 123456789012345678.0, 1e16, 1e17,
                               std::numeric_limits<double>::max(),
                               std::numeric_limits<double>::min(),
                               std::numeric_limits<double>::denorm_min(), 0.0, 42.0, -7.125}) {
      char expected[64];
      const int len = std::snprintf(expected, sizeof(expected), "%.17g", value);
      INFO(expected);
      CHECK(written(3, [&](ReplyWriter& w) { w.dbl(value); }) ==
            "," + std::string(expected, static_cast<std::size_t>(len)) + "\r\n");
    }
  }
}

TEST_CASE("writer encodes booleans, verbatim strings and big numbers", "[protocol]") {
  check([](ReplyWriter& w) { w.boolean(true); }, ":1\r\n", "#t\r\n");
  check([](ReplyWriter& w) { w.boolean(false); }, ":0\r\n", "#f\r\n");
  check([](ReplyWriter& w) { w.verbatim("hello"); }, "$5\r\nhello\r\n", "=9\r\ntxt:hello\r\n");
  check([](ReplyWriter& w) { w.verbatim("# a\r\n", "mkd"); }, "$5\r\n# a\r\n\r\n",
        "=9\r\nmkd:# a\r\n\r\n");
  check([](ReplyWriter& w) { w.verbatim(""); }, "$0\r\n\r\n", "=4\r\ntxt:\r\n");
  check([](ReplyWriter& w) { w.big_number("-123456789012345678901234567890"); },
        "$31\r\n-123456789012345678901234567890\r\n", "(-123456789012345678901234567890\r\n");
}

TEST_CASE("writer follows set_resp and appends raw bytes", "[protocol]") {
  std::string out;
  ReplyWriter writer(out);
  REQUIRE(writer.resp() == 2);
  writer.null();
  writer.set_resp(3);
  REQUIRE(writer.resp() == 3);
  writer.null();
  writer.raw("+x\r\n");
  REQUIRE(&writer.buffer() == &out);
  REQUIRE(out == "$-1\r\n_\r\n+x\r\n");
}
