// The load generator's parts that decide what it reports: reply boundaries, request encoding and
// latency percentiles. A binary of its own (the project's unit_tests cover the server's libraries).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <limits>
#include <string>
#include <vector>

#include "histogram.h"
#include "report.h"
#include "resp.h"

using namespace shardcache::loadgen;

namespace {

// Feeds `bytes` to a scanner in pieces of `piece` bytes; returns the replies in order.
std::vector<Reply> scan_all(const std::string& bytes, std::size_t piece) {
  ReplyScanner scanner;
  std::vector<Reply> replies;
  for (std::size_t at = 0; at < bytes.size(); at += piece) {
    std::string_view chunk = std::string_view(bytes).substr(at, piece);
    while (!chunk.empty()) {
      chunk.remove_prefix(scanner.scan(chunk));
      if (scanner.ready()) replies.push_back(scanner.take());
    }
  }
  CHECK_FALSE(scanner.ready());
  return replies;
}

}  // namespace

TEST_CASE("ReplyScanner finds the end of every reply type, in pieces of any size") {
  const std::string big(100'000, 'v');
  const std::string stream =
      "+OK\r\n-ERR wrong \"type\"\r\n:42\r\n$-1\r\n$0\r\n\r\n$5\r\nhe\r\no\r\n" +
      ("$100000\r\n" + big + "\r\n") +
      "*3\r\n$1\r\na\r\n*2\r\n:1\r\n*0\r\n$-1\r\n*-1\r\n*0\r\n+PONG\r\n";
  for (std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{4096},
                            stream.size()}) {
    const std::vector<Reply> replies = scan_all(stream, piece);
    REQUIRE(replies.size() == 11);
    CHECK(replies[0].type == '+');
    CHECK(replies[1].type == '-');
    CHECK(replies[1].error == "ERR wrong \"type\"");
    CHECK(replies[2].type == ':');
    CHECK((replies[3].type == '$' && replies[3].length == -1));
    CHECK((replies[4].type == '$' && replies[4].length == 0));
    CHECK(replies[5].length == 5);  // a payload holding CRLF is skipped by its length
    CHECK(replies[6].length == 100'000);
    CHECK((replies[7].type == '*' && replies[7].length == 3));  // nested arrays end together
    CHECK((replies[8].type == '*' && replies[8].length == -1));
    CHECK((replies[9].type == '*' && replies[9].length == 0));
    CHECK(replies[10].type == '+');
  }
}

TEST_CASE("ReplyScanner stops after each complete reply") {
  ReplyScanner scanner;
  const std::string two = ":1\r\n:2\r\n";
  CHECK(scanner.scan(two) == 4);
  REQUIRE(scanner.ready());
  scanner.take();
  CHECK(scanner.scan(std::string_view(two).substr(4)) == 4);
  CHECK(scanner.ready());
}

TEST_CASE("ReplyScanner rejects what is not RESP2") {
  ReplyScanner scanner;
  CHECK_THROWS(scanner.scan("%1\r\n"));  // a RESP3 map
  ReplyScanner lengths;
  CHECK_THROWS(lengths.scan("$abc\r\n"));
  ReplyScanner no_cr;
  CHECK_THROWS(no_cr.scan("+OK\n"));
}

TEST_CASE("CommandTemplate encodes RESP with fresh placeholders per occurrence") {
  const CommandTemplate mget(CommandTemplate::split("MGET  k:__rand_int__ k:__rand_int__"), 0);
  CHECK(mget.name() == "MGET");
  Random random(3);
  std::string out;
  mget.render(out, random, 1'000'000);
  REQUIRE(out.size() == std::string("*3\r\n$4\r\nMGET\r\n$14\r\nk:000000000000\r\n"
                                    "$14\r\nk:000000000000\r\n").size());
  CHECK(out.starts_with("*3\r\n$4\r\nMGET\r\n$14\r\nk:"));
  const std::string first = out.substr(out.find("k:") + 2, 12);
  const std::string second = out.substr(out.rfind("k:") + 2, 12);
  CHECK(first != second);
  CHECK(std::stoull(first) < 1'000'000);
  CHECK(first.find_first_not_of("0123456789") == std::string::npos);

  const CommandTemplate set(CommandTemplate::split("SET key __data__"), 5);
  set.render(out, random, 10);
  CHECK(out == "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nxxxxx\r\n");
}

TEST_CASE("Histogram percentiles are within 1% above the exact ones") {
  Histogram histogram;
  CHECK(histogram.percentile(0.5) == 0);
  for (std::uint64_t v = 1; v <= 100'000; ++v) histogram.record(v * 1000);  // 1 us .. 100 ms
  CHECK(histogram.count() == 100'000);
  CHECK(histogram.max() == 100'000'000);
  CHECK(histogram.mean() == Approx(50'000'500.0));
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const double exact = q * 100'000 * 1000;
    const double got = static_cast<double>(histogram.percentile(q));
    CHECK(got >= exact);
    CHECK(got <= exact * 1.008);
  }
  CHECK(histogram.percentile(1.0) == 100'000'000);

  Histogram small;
  for (std::uint64_t v : {3, 3, 200, 255}) small.record(v);  // exact below 256
  CHECK(small.percentile(0.5) == 3);
  CHECK(small.percentile(0.75) == 200);
  Histogram huge;
  huge.record(~std::uint64_t{0});
  CHECK(huge.percentile(0.5) == ~std::uint64_t{0});
}

TEST_CASE("JsonObject writes valid JSON for odd text and numbers") {
  JsonObject inner;
  inner.count("n", 3);
  JsonObject json;
  json.text("error", "ERR \"x\"\\\n")
      .number("rate", 1.5)
      .number("bad", std::numeric_limits<double>::quiet_NaN())
      .object("in", inner);
  CHECK(json.str() ==
        R"({"error": "ERR \"x\"\\\u000a", "rate": 1.5, "bad": null, "in": {"n": 3}})");
}
