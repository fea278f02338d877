#include <catch2/catch.hpp>

#include "storage/glob.h"

using shardcache::storage::glob_match;

TEST_CASE("glob_match follows Redis's stringmatchlen", "[glob]") {
  CHECK(glob_match("*", ""));
  CHECK(glob_match("*", "anything"));
  CHECK(glob_match("h?llo", "hello"));
  CHECK_FALSE(glob_match("h?llo", "hllo"));
  CHECK(glob_match("h*llo", "heeeello"));
  CHECK(glob_match("h[ae]llo", "hallo"));
  CHECK_FALSE(glob_match("h[ae]llo", "hillo"));
  CHECK(glob_match("h[^e]llo", "hallo"));
  CHECK_FALSE(glob_match("h[^e]llo", "hello"));
  CHECK(glob_match("h[a-b]llo", "hbllo"));
  CHECK(glob_match("h[b-a]llo", "hallo"));  // reversed ranges are accepted
  CHECK(glob_match("h\\*llo", "h*llo"));
  CHECK_FALSE(glob_match("h\\*llo", "hello"));
  CHECK(glob_match("max*", "maxmemory-policy"));
  CHECK_FALSE(glob_match("max*", "hz"));
  CHECK(glob_match("MAX*", "maxmemory", true));
  CHECK_FALSE(glob_match("MAX*", "maxmemory", false));
  CHECK(glob_match("*a*b", "xxaxxb"));
  CHECK_FALSE(glob_match("*a*b", "xxaxxc"));
}

TEST_CASE("glob_match is fast on pathological patterns", "[glob]") {
  const std::string text(10000, 'a');
  CHECK_FALSE(glob_match("*a*a*a*a*a*a*a*a*a*a*a*b", text));
}
