// The load generator's output: one JSON object on stdout.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "histogram.h"

namespace shardcache::loadgen {

// Builds one JSON object, keys in insertion order.
class JsonObject {
 public:
  JsonObject& number(std::string_view key, double value);  // non-finite values become null
  JsonObject& count(std::string_view key, std::uint64_t value);
  JsonObject& text(std::string_view key, std::string_view value);
  JsonObject& object(std::string_view key, const JsonObject& value);

  std::string str() const { return "{" + body_ + "}"; }

 private:
  void key(std::string_view name);

  std::string body_;
};

// Error replies seen during a run: counted, the first one's text kept for the message.
class ErrorTally {
 public:
  void add(std::string_view error);

  // Adds "errors" (and "first_error") to `json`. Returns the exit status: 1, with a message on
  // stderr, if there were errors and they were not allowed; else 0.
  int finish(JsonObject& json, bool allowed) const;

 private:
  std::uint64_t count_ = 0;
  std::string first_;
};

// count, mean_us, p50_us, p99_us, p999_us and max_us of a nanosecond histogram.
JsonObject latency_json(const Histogram& histogram);

}  // namespace shardcache::loadgen
