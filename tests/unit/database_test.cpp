#include <catch2/catch.hpp>

#include <string>

#include "storage/database.h"

using shardcache::storage::Database;

TEST_CASE("Database stores, overwrites and erases string values", "[storage]") {
  Database db;
  REQUIRE(db.find("k") == nullptr);
  db.set("k", "v1");
  REQUIRE(*db.find("k") == "v1");
  db.set("k", "a longer value that does not fit inline");
  REQUIRE(*db.find("k") == "a longer value that does not fit inline");
  REQUIRE(db.size() == 1);
  REQUIRE(db.erase("k"));
  REQUIRE_FALSE(db.erase("k"));
  REQUIRE(db.size() == 0);
}

TEST_CASE("Database accounting returns to zero when emptied", "[storage]") {
  Database db;
  for (int i = 0; i < 1000; ++i) db.set("key:" + std::to_string(i), std::string(i % 70, 'x'));
  REQUIRE(db.used_bytes() > 1000 * 32);
  for (int i = 0; i < 500; ++i) REQUIRE(db.erase("key:" + std::to_string(i)));
  // Overwrites replace the old value's bytes rather than adding to them.
  for (int i = 500; i < 1000; ++i) db.set("key:" + std::to_string(i), "y");
  for (int i = 500; i < 1000; ++i) REQUIRE(db.erase("key:" + std::to_string(i)));
  REQUIRE(db.used_bytes() == 0);
  db.set("a", "b");
  db.clear();
  REQUIRE(db.used_bytes() == 0);
  REQUIRE(db.size() == 0);
}

TEST_CASE("Database keys are binary safe", "[storage]") {
  Database db;
  const std::string key("a\0b\r\n", 5);
  db.set(key, std::string("\0", 1));
  REQUIRE(db.find(std::string_view("a", 1)) == nullptr);
  REQUIRE(db.find(key)->size() == 1);
}
