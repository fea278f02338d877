// Tests of config/: the YAML file and command line at startup, and CONFIG GET/SET. Every Redis
// error text asserted here was checked against redis-server 7.0.15.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "config/config_params.h"

using shardcache::config::all_params;
using shardcache::config::apply_yaml_file;
using shardcache::config::Config;
using shardcache::config::ConfigError;
using shardcache::config::EvictionPolicy;
using shardcache::config::get_param;
using shardcache::config::load_config;
using shardcache::config::LogLevel;
using shardcache::config::parse_memory;
using shardcache::config::set_params;

namespace {

// A YAML file in the temp directory that is removed when the test ends.
class TempYaml {
 public:
  explicit TempYaml(const std::string& content) {
    static int counter = 0;
    path_ = (std::filesystem::temp_directory_path() /
             ("shardcache_config_test_" + std::to_string(::getpid()) + "_" +
              std::to_string(counter++) + ".yaml"))
                .string();
    std::ofstream(path_) << content;
  }
  ~TempYaml() { std::filesystem::remove(path_); }
  TempYaml(const TempYaml&) = delete;
  TempYaml& operator=(const TempYaml&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Config load_file(const TempYaml& file) { return load_config({"--config", file.path()}); }

// Every setting as CONFIG GET prints it: two configs with equal maps behave the same.
std::map<std::string, std::string> settings_of(const Config& config) {
  std::map<std::string, std::string> settings;
  for (const auto& param : all_params()) {
    settings[std::string(param.name)] = *get_param(config, param.name);
  }
  return settings;
}

int resolved_thread_count() {
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// Config{} with `threads: 0` resolved as load_config resolves it.
Config resolved_defaults() {
  Config config;
  config.threads = resolved_thread_count();
  return config;
}

}  // namespace

// ---- defaults and the shipped file -----------------------------------------------------------

TEST_CASE("no arguments give Redis's defaults", "[config]") {
  const Config config = load_config({});
  CHECK(settings_of(config) == settings_of(resolved_defaults()));
  CHECK(config.config_file.empty());
  CHECK(*get_param(config, "bind") == "127.0.0.1 -::1");
  CHECK(*get_param(config, "port") == "6379");
  CHECK(*get_param(config, "databases") == "16");
  CHECK(*get_param(config, "maxclients") == "10000");
  CHECK(*get_param(config, "timeout") == "0");
  CHECK(*get_param(config, "tcp-keepalive") == "300");
  CHECK(*get_param(config, "tcp-backlog") == "511");
  CHECK(*get_param(config, "maxmemory") == "0");
  CHECK(*get_param(config, "maxmemory-policy") == "noeviction");
  CHECK(*get_param(config, "maxmemory-samples") == "5");
  CHECK(*get_param(config, "lfu-log-factor") == "10");
  CHECK(*get_param(config, "lfu-decay-time") == "1");
  CHECK(*get_param(config, "requirepass") == "");
  CHECK(*get_param(config, "protected-mode") == "yes");
  CHECK(*get_param(config, "loglevel") == "notice");
  CHECK(*get_param(config, "logfile") == "");
  CHECK(*get_param(config, "proto-max-bulk-len") == "536870912");
  CHECK(*get_param(config, "client-query-buffer-limit") == "1073741824");
  CHECK(*get_param(config, "hz") == "10");
}

TEST_CASE("threads: 0 means one per CPU", "[config]") {
  CHECK(load_config({}).threads == resolved_thread_count());
  CHECK(load_config({"--threads", "0"}).threads == resolved_thread_count());
  CHECK(load_config({"--threads", "3"}).threads == 3);
  CHECK_THROWS_WITH(load_config({"--threads", "1025"}),
                    "command line: --threads: '1025' must be an integer between 0 and 1024");
}

TEST_CASE("the shipped shardcache.yaml loads and holds exactly the defaults", "[config]") {
  const std::string path = SHARDCACHE_SOURCE_DIR "/config/shardcache.yaml";
  const Config config = load_config({"--config", path});
  CHECK(settings_of(config) == settings_of(resolved_defaults()));
  CHECK(config.config_file == path);
}

TEST_CASE("the shipped shardcache.yaml names every setting", "[config]") {
  std::ifstream file(SHARDCACHE_SOURCE_DIR "/config/shardcache.yaml");
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  for (const auto& param : all_params()) {
    INFO(param.name);
    CHECK(text.find("\n" + std::string(param.name) + ":") != std::string::npos);
  }
}

// ---- loading values --------------------------------------------------------------------------

TEST_CASE("a YAML file sets every kind of value", "[config]") {
  const TempYaml file(
      "bind: 0.0.0.0\n"
      "port: 7000\n"
      "maxmemory: 100mb\n"
      "maxmemory-policy: allkeys-lfu\n"
      "protected-mode: no\n"
      "requirepass: \"s3cret word\"\n"
      "loglevel: WARNING\n"
      "proto-max-bulk-len: 2gb\n");
  const Config config = load_file(file);
  CHECK(config.bind == std::vector<std::string>{"0.0.0.0"});
  CHECK(config.port == 7000);
  CHECK(config.maxmemory == 100ull * 1024 * 1024);
  CHECK(config.maxmemory_policy == EvictionPolicy::kAllKeysLfu);
  CHECK_FALSE(config.protected_mode);
  CHECK(config.requirepass == "s3cret word");
  CHECK(config.loglevel == LogLevel::kWarning);
  CHECK(config.proto_max_bulk_len == 2ull * 1024 * 1024 * 1024);
  CHECK(config.config_file == file.path());
}

TEST_CASE("bind takes a YAML list or a space-separated string", "[config]") {
  const std::vector<std::string> both = {"10.0.0.1", "-::1"};
  CHECK(load_file(TempYaml("bind: [10.0.0.1, -::1]\n")).bind == both);
  CHECK(load_file(TempYaml("bind:\n  - 10.0.0.1\n  - -::1\n")).bind == both);
  CHECK(load_file(TempYaml("bind: 10.0.0.1 -::1\n")).bind == both);
  CHECK(load_config({"--bind", "10.0.0.1", "-::1"}).bind == both);
  CHECK(load_config({"--bind", "10.0.0.1 -::1"}).bind == both);
}

TEST_CASE("YAML booleans true/false are accepted besides yes/no", "[config]") {
  CHECK_FALSE(load_file(TempYaml("protected-mode: false\n")).protected_mode);
  CHECK(load_file(TempYaml("protected-mode: True\n")).protected_mode);
  CHECK_FALSE(load_config({"--protected-mode", "no"}).protected_mode);
}

TEST_CASE("an empty value means an empty string for text settings", "[config]") {
  const Config config = load_file(TempYaml("requirepass:\nlogfile: ''\n"));
  CHECK(config.requirepass.empty());
  CHECK(config.logfile.empty());
}

TEST_CASE("an empty or comment-only file keeps the defaults", "[config]") {
  CHECK(settings_of(load_file(TempYaml(""))) == settings_of(resolved_defaults()));
  CHECK(settings_of(load_file(TempYaml("# nothing\n"))) == settings_of(resolved_defaults()));
}

TEST_CASE("hz is accepted up to INT_MAX and brought into 1..500, as Redis does", "[config]") {
  CHECK(load_config({"--hz", "0"}).hz == 1);
  CHECK(load_config({"--hz", "1000"}).hz == 500);
  CHECK(load_config({"--hz", "100"}).hz == 100);
}

TEST_CASE("command-line overrides beat the file wherever --config appears", "[config]") {
  const TempYaml file("port: 7000\nmaxmemory: 1mb\nhz: 20\n");
  const Config before = load_config({"--port", "7001", "--config", file.path(), "--hz", "30"});
  CHECK(before.port == 7001);
  CHECK(before.hz == 30);
  CHECK(before.maxmemory == 1024 * 1024);
  CHECK(load_config({"--port", "7001", "--port", "7002"}).port == 7002);
}

TEST_CASE("command-line values may look like negative numbers or be empty", "[config]") {
  CHECK(load_config({"--requirepass", ""}).requirepass.empty());
  CHECK_THROWS_WITH(load_config({"--timeout", "-1"}),
                    "command line: --timeout: '-1' must be an integer between 0 and 2147483647");
}

// ---- startup errors: one line naming where, the key, the value and what is allowed -----------

TEST_CASE("unknown key in the file", "[config][errors]") {
  const TempYaml file("port: 7000\nmaxmemory_policy: allkeys-lru\n");
  CHECK_THROWS_WITH(load_file(file), file.path() + ":2: unknown setting 'maxmemory_policy'");
}

TEST_CASE("unknown option on the command line", "[config][errors]") {
  CHECK_THROWS_WITH(load_config({"--nosuch", "1"}), "command line: unknown option '--nosuch'");
  CHECK_THROWS_WITH(load_config({"--version"}), "command line: unknown option '--version'");
}

TEST_CASE("wrong YAML type", "[config][errors]") {
  const TempYaml list("\nport: [1, 2]\n");
  CHECK_THROWS_WITH(load_file(list),
                    list.path() + ":2: port: expected an integer between 0 and 65535, got a list");
  const TempYaml map("maxmemory: {a: 1}\n");
  CHECK_THROWS_WITH(load_file(map), map.path() +
                                        ":1: maxmemory: expected a byte count optionally with a "
                                        "unit k, kb, m, mb, g or gb, got a mapping");
  const TempYaml empty("hz:\n");
  CHECK_THROWS_WITH(load_file(empty), empty.path() +
                                          ":1: hz: expected an integer between 0 and 2147483647, "
                                          "got nothing");
  const TempYaml no_addresses("bind: []\n");
  CHECK_THROWS_WITH(load_file(no_addresses),
                    no_addresses.path() + ":1: bind: expected one or more addresses, got an "
                                          "empty list");
}

TEST_CASE("integer that is not a number", "[config][errors]") {
  const TempYaml file("port: 63.79\n");
  CHECK_THROWS_WITH(load_file(file),
                    file.path() + ":1: port: '63.79' must be an integer between 0 and 65535");
}

TEST_CASE("integer out of range", "[config][errors]") {
  CHECK_THROWS_WITH(load_config({"--port", "70000"}),
                    "command line: --port: '70000' must be an integer between 0 and 65535");
  const TempYaml file("databases: 0\n");
  CHECK_THROWS_WITH(load_file(file), file.path() +
                                         ":1: databases: '0' must be an integer between 1 and "
                                         "2147483647");
}

TEST_CASE("bad enum value", "[config][errors]") {
  const TempYaml file("# eviction\n\nmaxmemory-policy: lru\n");
  CHECK_THROWS_WITH(load_file(file),
                    file.path() + ":3: maxmemory-policy: 'lru' must be one of volatile-lru, "
                                  "volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, "
                                  "allkeys-lfu, allkeys-random, noeviction");
  CHECK_THROWS_WITH(load_config({"--loglevel", "loud"}),
                    "command line: --loglevel: 'loud' must be one of debug, verbose, notice, "
                    "warning");
}

TEST_CASE("bad memory unit", "[config][errors]") {
  const TempYaml file("maxmemory: 10zz\n");
  CHECK_THROWS_WITH(load_file(file), file.path() +
                                         ":1: maxmemory: '10zz' must be a byte count optionally "
                                         "with a unit k, kb, m, mb, g or gb");
  CHECK_THROWS_WITH(load_config({"--proto-max-bulk-len", "1000"}),
                    "command line: --proto-max-bulk-len: '1000' must be a byte count between "
                    "1048576 and 9223372036854775807, optionally with a unit k, kb, m, mb, g or "
                    "gb");
}

TEST_CASE("bad boolean", "[config][errors]") {
  CHECK_THROWS_WITH(load_config({"--protected-mode", "maybe"}),
                    "command line: --protected-mode: 'maybe' must be yes or no");
}

TEST_CASE("missing config file", "[config][errors]") {
  CHECK_THROWS_WITH(load_config({"--config", "/nonexistent/shardcache.yaml"}),
                    "/nonexistent/shardcache.yaml: cannot open: No such file or directory");
  const std::string directory = std::filesystem::temp_directory_path().string();
  CHECK_THROWS_WITH(load_config({"--config", directory}),
                    directory + ": cannot read: Is a directory");
}

TEST_CASE("YAML syntax error", "[config][errors]") {
  const TempYaml file("port: 7000\nbind: [127.0.0.1\n");
  CHECK_THROWS_WITH(load_file(file),
                    file.path() + ":3: YAML syntax error: end of sequence flow not found");
}

TEST_CASE("a file that is not a mapping of settings", "[config][errors]") {
  const TempYaml list("- port\n- 7000\n");
  CHECK_THROWS_WITH(load_file(list),
                    list.path() + ":1: expected a mapping of setting names to values");
  const TempYaml two_documents("port: 7000\n---\nport: 7001\n");
  CHECK_THROWS_WITH(load_file(two_documents),
                    two_documents.path() + ":3: only one YAML document is allowed, found 2");
}

TEST_CASE("a setting given twice in the file", "[config][errors]") {
  const TempYaml file("port: 7000\nhz: 10\nport: 7001\n");
  CHECK_THROWS_WITH(load_file(file), file.path() + ":3: port: set twice (first on line 1)");
}

TEST_CASE("malformed command lines", "[config][errors]") {
  CHECK_THROWS_WITH(load_config({"shardcache.yaml"}),
                    "command line: unexpected argument 'shardcache.yaml'; settings are given as "
                    "--KEY VALUE");
  CHECK_THROWS_WITH(load_config({"--port"}), "command line: --port: missing value");
  CHECK_THROWS_WITH(load_config({"--port", "1", "2"}),
                    "command line: --port: expects one value, got 2: '1' '2'");
  CHECK_THROWS_WITH(load_config({"--config"}),
                    "command line: --config: expects one file name, got 0");
  CHECK_THROWS_WITH(load_config({"--config", "a.yaml", "--config", "b.yaml"}),
                    "command line: --config: given more than once");
}

TEST_CASE("a bad file leaves the config it was applied to unchanged", "[config][errors]") {
  Config config;
  const TempYaml file("port: 7000\nmaxmemory: 5mb\nhz: fast\n");
  CHECK_THROWS_AS(apply_yaml_file(config, file.path()), ConfigError);
  CHECK(settings_of(config) == settings_of(Config{}));
}

// ---- memory values -------------------------------------------------------------------------

TEST_CASE("parse_memory reads Redis's units", "[config]") {
  CHECK(parse_memory("0") == 0u);
  CHECK(parse_memory("123") == 123u);
  CHECK(parse_memory("007") == 7u);
  CHECK(parse_memory("1b") == 1u);
  CHECK(parse_memory("1k") == 1000u);
  CHECK(parse_memory("1K") == 1000u);
  CHECK(parse_memory("1kb") == 1024u);
  CHECK(parse_memory("1KB") == 1024u);
  CHECK(parse_memory("1m") == 1000000u);
  CHECK(parse_memory("1mb") == 1048576u);
  CHECK(parse_memory("1g") == 1000000000u);
  CHECK(parse_memory("1gB") == 1073741824u);
  CHECK(parse_memory("18446744073709551615") == 18446744073709551615u);
}

TEST_CASE("parse_memory refuses what Redis refuses, and overflow", "[config]") {
  for (const char* text : {"1t", "10zz", "-1", "+1", "1.5mb", " 1", "1 ", "0x10", "-0"}) {
    INFO(text);
    CHECK_FALSE(parse_memory(text));
  }
  // Redis reads these as 0 or wraps them; refused here, as a typo must not mean "no limit".
  for (const char* text : {"kb", "18446744073709551616", "17179869184gb"}) {
    INFO(text);
    CHECK_FALSE(parse_memory(text));
  }
  // An empty value is 0, as Redis's CONFIG SET maxmemory "" answers OK.
  CHECK(parse_memory("") == 0u);
}

// ---- CONFIG GET -------------------------------------------------------------------------------

TEST_CASE("all_params lists each setting once, with the documented mutability", "[config]") {
  const std::set<std::string> runtime = {
      "maxclients",     "timeout",     "tcp-keepalive",      "maxmemory",
      "maxmemory-policy", "maxmemory-samples", "lfu-log-factor", "lfu-decay-time",
      "requirepass",    "protected-mode", "loglevel",        "proto-max-bulk-len",
      "client-query-buffer-limit", "hz", "hash-max-listpack-entries", "hash-max-listpack-value",
      "set-max-intset-entries", "set-max-listpack-entries", "set-max-listpack-value",
      "zset-max-listpack-entries", "zset-max-listpack-value", "list-max-listpack-size",
      "notify-keyspace-events"};
  const std::set<std::string> startup_only = {"bind",        "port",   "threads", "databases",
                                              "tcp-backlog", "logfile"};
  std::set<std::string> seen;
  for (const auto& param : all_params()) {
    const std::string name(param.name);
    INFO(name);
    CHECK(seen.insert(name).second);
    CHECK(param.mutable_at_runtime == runtime.contains(name));
    CHECK(get_param(Config{}, name).has_value());
  }
  CHECK(seen.size() == runtime.size() + startup_only.size());
}

TEST_CASE("get_param knows only exact lower-case names", "[config]") {
  CHECK_FALSE(get_param(Config{}, "nosuch"));
  CHECK_FALSE(get_param(Config{}, "PORT"));
}

TEST_CASE("get_param prints as Redis's CONFIG GET", "[config]") {
  Config config;
  config.maxmemory = 100ull * 1024 * 1024;
  config.maxmemory_policy = EvictionPolicy::kVolatileTtl;
  config.protected_mode = false;
  config.loglevel = LogLevel::kDebug;
  config.bind = {"0.0.0.0", "::"};
  CHECK(*get_param(config, "maxmemory") == "104857600");
  CHECK(*get_param(config, "maxmemory-policy") == "volatile-ttl");
  CHECK(*get_param(config, "protected-mode") == "no");
  CHECK(*get_param(config, "loglevel") == "debug");
  CHECK(*get_param(config, "bind") == "0.0.0.0 ::");
}

// ---- CONFIG SET -------------------------------------------------------------------------------

TEST_CASE("set_params round-trips through get_param", "[config]") {
  Config config;
  REQUIRE_FALSE(set_params(config, {{"maxmemory", "10MB"},
                                    {"MAXMEMORY-POLICY", "ALLKEYS-LRU"},
                                    {"timeout", "30"},
                                    {"protected-mode", "NO"},
                                    {"loglevel", "WARNING"},
                                    {"requirepass", "a b"},
                                    {"maxmemory-samples", "65"},
                                    {"proto-max-bulk-len", "1mb"}}));
  CHECK(*get_param(config, "maxmemory") == "10485760");
  CHECK(*get_param(config, "maxmemory-policy") == "allkeys-lru");
  CHECK(*get_param(config, "timeout") == "30");
  CHECK(*get_param(config, "protected-mode") == "no");
  CHECK(*get_param(config, "loglevel") == "warning");
  CHECK(*get_param(config, "requirepass") == "a b");
  CHECK(*get_param(config, "maxmemory-samples") == "65");
  CHECK(*get_param(config, "proto-max-bulk-len") == "1048576");

  // Every runtime setting accepts back what CONFIG GET printed.
  const Config printed = config;
  for (const auto& param : all_params()) {
    if (!param.mutable_at_runtime) continue;
    INFO(param.name);
    CHECK_FALSE(set_params(config, {{std::string(param.name), *get_param(printed, param.name)}}));
  }
  CHECK(settings_of(config) == settings_of(printed));
}

TEST_CASE("set_params clamps hz into 1..500 as Redis does", "[config]") {
  Config config;
  CHECK_FALSE(set_params(config, {{"hz", "0"}}));
  CHECK(config.hz == 1);
  CHECK_FALSE(set_params(config, {{"hz", "501"}}));
  CHECK(config.hz == 500);
}

TEST_CASE("set_params gives Redis 7.0's error texts", "[config][errors]") {
  Config config;
  const auto error_of = [&config](std::string name, std::string value) {
    return set_params(config, {{std::move(name), std::move(value)}}).value_or("(no error)");
  };
  const std::string failed = "ERR CONFIG SET failed (possibly related to argument ";

  CHECK(error_of("foo", "1") == "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  CHECK(error_of("FOO", "1") == "ERR Unknown option or number of arguments for CONFIG SET - 'FOO'");
  for (const char* name : {"bind", "port", "threads", "databases", "tcp-backlog", "logfile"}) {
    CHECK(error_of(name, "1") == failed + "'" + name + "') - can't set immutable config");
  }
  CHECK(error_of("DATABASES", "1") == failed + "'DATABASES') - can't set immutable config");
  CHECK(error_of("maxmemory", "10zz") == failed + "'maxmemory') - argument must be a memory value");
  CHECK(error_of("maxmemory", "-1") == failed + "'maxmemory') - argument must be a memory value");
  CHECK(error_of("proto-max-bulk-len", "1000") ==
        failed + "'proto-max-bulk-len') - argument must be between 1048576 and "
                 "9223372036854775807 inclusive");
  CHECK(error_of("client-query-buffer-limit", "9223372036854775808") ==
        failed + "'client-query-buffer-limit') - argument must be between 1048576 and "
                 "9223372036854775807 inclusive");
  CHECK(error_of("timeout", "-1") ==
        failed + "'timeout') - argument must be between 0 and 2147483647 inclusive");
  CHECK(error_of("maxmemory-samples", "0") ==
        failed + "'maxmemory-samples') - argument must be between 1 and 2147483647 inclusive");
  CHECK(error_of("hz", "-5") ==
        failed + "'hz') - argument must be between 0 and 2147483647 inclusive");
  for (const char* text : {"abc", "1.5", " 5", "+5", "05", "", "1k"}) {
    INFO(text);
    CHECK(error_of("maxclients", text) ==
          failed + "'maxclients') - argument couldn't be parsed into an integer");
  }
  CHECK(error_of("HZ", "x") == failed + "'hz') - argument couldn't be parsed into an integer");
  CHECK(error_of("protected-mode", "maybe") ==
        failed + "'protected-mode') - argument must be 'yes' or 'no'");
  CHECK(error_of("protected-mode", "true") ==
        failed + "'protected-mode') - argument must be 'yes' or 'no'");
  CHECK(error_of("maxmemory-policy", "lru") ==
        failed + "'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, "
                 "volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, "
                 "allkeys-random, noeviction");
  CHECK(error_of("loglevel", "") ==
        failed + "'loglevel') - argument(s) must be one of the following: debug, verbose, "
                 "notice, warning");
  CHECK(settings_of(config) == settings_of(Config{}));
}

TEST_CASE("set_params refuses a parameter given twice, as Redis 7 does", "[config][errors]") {
  Config config;
  const std::string failed = "ERR CONFIG SET failed (possibly related to argument ";
  CHECK(set_params(config, {{"maxmemory", "1"}, {"maxmemory", "2"}}) ==
        failed + "'maxmemory') - duplicate parameter");
  CHECK(set_params(config, {{"maxmemory", "1"}, {"MAXMEMORY", "2"}}) ==
        failed + "'MAXMEMORY') - duplicate parameter");
  CHECK(config.maxmemory == 0);
}

TEST_CASE("set_params reports the first bad name before any bad value", "[config][errors]") {
  Config config;
  const std::string failed = "ERR CONFIG SET failed (possibly related to argument ";
  CHECK(set_params(config, {{"foo", "1"}, {"databases", "2"}}) ==
        "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  CHECK(set_params(config, {{"databases", "2"}, {"foo", "1"}}) ==
        failed + "'databases') - can't set immutable config");
  CHECK(set_params(config, {{"maxmemory", "1"}, {"maxmemory", "2"}, {"databases", "3"}}) ==
        failed + "'maxmemory') - duplicate parameter");
  CHECK(set_params(config, {{"hz", "bad"}, {"foo", "1"}}) ==
        "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  CHECK(set_params(config, {{"maxmemory", "bad"}, {"hz", "bad"}}) ==
        failed + "'maxmemory') - argument must be a memory value");
}

TEST_CASE("set_params is all-or-nothing", "[config][errors]") {
  Config config;
  const auto before = settings_of(config);
  CHECK(set_params(config, {{"maxmemory", "5mb"}, {"hz", "20"}, {"maxclients", "0"}}) ==
        "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be "
        "between 1 and 1000000 inclusive");
  CHECK(settings_of(config) == before);
  CHECK_FALSE(set_params(config, {}));
  CHECK(settings_of(config) == before);
}

TEST_CASE("set_params leaves version for its caller to raise", "[config]") {
  Config config;
  config.version = 7;
  REQUIRE_FALSE(set_params(config, {{"hz", "20"}}));
  CHECK(config.version == 7);
}
