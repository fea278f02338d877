#include "report.h"

#include <cmath>
#include <cstdio>

namespace shardcache::loadgen {

namespace {

void append_quoted(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace

void JsonObject::key(std::string_view name) {
  if (!body_.empty()) body_ += ", ";
  append_quoted(body_, name);
  body_ += ": ";
}

JsonObject& JsonObject::number(std::string_view name, double value) {
  key(name);
  if (!std::isfinite(value)) {
    body_ += "null";
    return *this;
  }
  char digits[32];
  std::snprintf(digits, sizeof digits, "%.9g", value);
  body_ += digits;
  return *this;
}

JsonObject& JsonObject::count(std::string_view name, std::uint64_t value) {
  key(name);
  body_ += std::to_string(value);
  return *this;
}

JsonObject& JsonObject::text(std::string_view name, std::string_view value) {
  key(name);
  append_quoted(body_, value);
  return *this;
}

JsonObject& JsonObject::object(std::string_view name, const JsonObject& value) {
  key(name);
  body_ += value.str();
  return *this;
}

void ErrorTally::add(std::string_view error) {
  if (count_++ == 0) first_ = error;
}

int ErrorTally::finish(JsonObject& json, bool allowed) const {
  json.count("errors", count_);
  if (count_ == 0) return 0;
  json.text("first_error", first_);
  if (allowed) return 0;
  std::fprintf(stderr, "shardcache-loadgen: %llu error replies, the first: -%s\n",
               static_cast<unsigned long long>(count_), first_.c_str());
  return 1;
}

JsonObject latency_json(const Histogram& histogram) {
  const auto us = [](double ns) { return ns / 1000.0; };
  JsonObject json;
  json.count("count", histogram.count())
      .number("mean_us", us(histogram.mean()))
      .number("p50_us", us(histogram.percentile(0.50)))
      .number("p99_us", us(histogram.percentile(0.99)))
      .number("p999_us", us(histogram.percentile(0.999)))
      .number("max_us", us(histogram.max()));
  return json;
}

}  // namespace shardcache::loadgen
