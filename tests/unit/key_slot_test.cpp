// Expected slots were read from Debian's redis-server 7.0.15 (`CLUSTER KEYSLOT`, cluster mode).
#include <catch2/catch.hpp>

#include "cluster/key_slot.h"

using shardcache::cluster::crc16;
using shardcache::cluster::key_hash_slot;

TEST_CASE("crc16 is Redis's XMODEM variant", "[slot]") {
  // The check value of CRC-16/XMODEM, also asserted by Redis's own crc16 test.
  REQUIRE(crc16("123456789") == 0x31C3);
}

TEST_CASE("key_hash_slot matches redis-server's CLUSTER KEYSLOT", "[slot]") {
  struct Case { const char* key; int slot; };
  const Case cases[] = {
      {"foo", 12182},          {"bar", 5061},          {"{user1000}.following", 3443},
      {"foo{}{bar}", 8363},    {"foo{{bar}}zap", 4015}, {"foo{bar}{zap}", 5061},
      {"", 0},                 {"a{b}c", 3300},        {"{}", 15257},
      {"123456789", 12739},    {"{{}}", 4092},
  };
  for (const auto& c : cases) {
    INFO("key: " << c.key);
    CHECK(key_hash_slot(c.key) == c.slot);
  }
}

TEST_CASE("keys sharing a hash tag share a slot", "[slot]") {
  REQUIRE(key_hash_slot("{user1000}.following") == key_hash_slot("{user1000}.followers"));
  REQUIRE(key_hash_slot("{bar}anything") == key_hash_slot("bar"));
}
