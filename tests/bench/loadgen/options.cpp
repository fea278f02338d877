#include "options.h"

#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <stdexcept>
#include <string_view>
#include <type_traits>

namespace shardcache::loadgen {

const char* const kUsage = R"(usage: shardcache-loadgen MODE [--name value ...]

Common:    --host 127.0.0.1 --port 6379 --duration 5 --warmup 1 --seed 1 --connections N
           --allow-errors (count error replies instead of failing)
rate:      open loop: --rate R requests/s over --connections (50), pipeline 1;
           --command "SET key:__rand_int__ __data__" (repeat for round robin; default SET
           then GET), --keyspace 1000000, --data-size 64
large:     SET then GET of --value-size bytes over --keys 4 keys on --connections (1), each
           phase --duration seconds or --ops requests, with a PING every --ping-interval-us 200
conns:     opens --connections (1000) within --connect-timeout 30 s, then each sends
           --command templates closed loop (pipeline 1) for --duration seconds
Output: one JSON object on stdout. Exit status 1 on error replies or failures.
)";

namespace {

template <typename Number>
Number parse_number(std::string_view name, std::string_view text) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    throw std::invalid_argument("--" + std::string(name) + ": not a number: " +
                                std::string(text));
  }
  if constexpr (std::is_floating_point_v<Number>) {
    if (!std::isfinite(value) || value < 0) {
      throw std::invalid_argument("--" + std::string(name) + " must be >= 0");
    }
  }
  return value;
}

}  // namespace

Options parse_options(int argc, char** argv) {
  Options options;
  if (argc < 2) throw std::invalid_argument("no mode given (rate, large or conns)");
  options.mode = argv[1];
  if (options.mode != "rate" && options.mode != "large" && options.mode != "conns") {
    throw std::invalid_argument("unknown mode '" + options.mode + "'");
  }

  using Setter = std::function<void(std::string_view)>;
  const std::map<std::string_view, Setter> setters = {
      {"host", [&](auto v) { options.server.host = v; }},
      {"port", [&](auto v) { options.server.port = parse_number<std::uint16_t>("port", v); }},
      {"duration", [&](auto v) { options.duration_s = parse_number<double>("duration", v); }},
      {"warmup", [&](auto v) { options.warmup_s = parse_number<double>("warmup", v); }},
      {"seed", [&](auto v) { options.seed = parse_number<std::uint64_t>("seed", v); }},
      {"connections",
       [&](auto v) { options.connections = parse_number<std::size_t>("connections", v); }},
      {"command", [&](auto v) { options.commands.emplace_back(v); }},
      {"keyspace", [&](auto v) { options.keyspace = parse_number<std::uint64_t>("keyspace", v); }},
      {"data-size", [&](auto v) { options.data_size = parse_number<std::size_t>("data-size", v); }},
      {"rate", [&](auto v) { options.rate = parse_number<double>("rate", v); }},
      {"value-size",
       [&](auto v) { options.value_size = parse_number<std::size_t>("value-size", v); }},
      {"keys", [&](auto v) { options.keys = parse_number<std::size_t>("keys", v); }},
      {"ops", [&](auto v) { options.ops = parse_number<std::uint64_t>("ops", v); }},
      {"ping-interval-us",
       [&](auto v) { options.ping_interval_us = parse_number<double>("ping-interval-us", v); }},
      {"connect-timeout",
       [&](auto v) { options.connect_timeout_s = parse_number<double>("connect-timeout", v); }},
  };
  for (int i = 2; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--allow-errors") {
      options.allow_errors = true;
      continue;
    }
    if (!flag.starts_with("--") || !setters.contains(flag.substr(2))) {
      throw std::invalid_argument("unknown option '" + std::string(flag) + "'");
    }
    if (i + 1 >= argc) throw std::invalid_argument(std::string(flag) + " needs a value");
    setters.at(flag.substr(2))(argv[++i]);
  }

  if (options.connections == 0) {
    options.connections = options.mode == "rate" ? 50 : options.mode == "large" ? 1 : 1000;
  }
  if (options.commands.empty()) {
    options.commands = {"SET key:__rand_int__ __data__", "GET key:__rand_int__"};
  }
  if (options.keyspace == 0 || options.keys == 0 || options.rate <= 0) {
    throw std::invalid_argument("--keyspace, --keys and --rate must be > 0");
  }
  if (options.duration_s <= 0 && !(options.mode == "large" && options.ops > 0)) {
    throw std::invalid_argument("--duration must be > 0");
  }
  return options;
}

}  // namespace shardcache::loadgen
