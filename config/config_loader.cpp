// load_config: the process arguments, `[--config FILE] [--KEY VALUE...]`, on top of the YAML file.
#include <algorithm>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "config/param_table.h"
#include "config/startup_error.h"

namespace shardcache::config {

namespace {

constexpr std::string_view kCommandLine = "command line";

// One `--name value...` group. As with redis-server, an option takes every following argument up
// to the next one starting with "--", which is how `--bind 127.0.0.1 ::1` gets two addresses.
struct Option {
  std::string name;  // without the leading "--"
  std::vector<std::string> values;
};

bool is_option(const std::string& arg) { return arg.starts_with("--"); }

std::vector<Option> split_options(const std::vector<std::string>& args) {
  std::vector<Option> options;
  for (const std::string& arg : args) {
    if (is_option(arg)) {
      options.push_back({arg.substr(2), {}});
    } else if (options.empty()) {
      throw startup_error(kCommandLine, "unexpected argument '" + arg +
                                            "'; settings are given as --KEY VALUE");
    } else {
      options.back().values.push_back(arg);
    }
  }
  return options;
}

std::string quoted_list(const std::vector<std::string>& values) {
  std::string text;
  for (const std::string& value : values) {
    if (!text.empty()) text += ' ';
    text += "'" + value + "'";
  }
  return text;
}

std::optional<std::string> config_file_of(const std::vector<Option>& options) {
  std::optional<std::string> file;
  for (const Option& option : options) {
    if (option.name != "config") continue;
    if (file) throw startup_error(kCommandLine, "--config: given more than once");
    if (option.values.size() != 1) {
      throw startup_error(kCommandLine, "--config: expects one file name, got " +
                                            std::to_string(option.values.size()));
    }
    file = option.values.front();
  }
  return file;
}

void apply_option(Config& config, const Option& option) {
  const std::string flag = "--" + option.name;
  const ParamSpec* spec = find_param(option.name);
  if (spec == nullptr) throw startup_error(kCommandLine, "unknown option '" + flag + "'");
  if (option.values.empty()) throw startup_error(kCommandLine, flag + ": missing value");
  if (option.values.size() > 1 && kind_of(*spec) != ValueKind::kAddressList) {
    throw startup_error(kCommandLine, flag + ": expects one value, got " +
                                          std::to_string(option.values.size()) + ": " +
                                          quoted_list(option.values));
  }
  std::string text;
  for (const std::string& value : option.values) {
    if (!text.empty()) text += ' ';
    text += value;
  }
  if (assign_param(*spec, config, text, BoolWords::kYesNoTrueFalse)) {
    throw bad_value_error(kCommandLine, flag, text, *spec);
  }
}

}  // namespace

Config load_config(const std::vector<std::string>& args) {
  const std::vector<Option> options = split_options(args);
  Config config;
  // The file comes first wherever --config appears, so that every override beats it.
  if (const std::optional<std::string> file = config_file_of(options)) {
    apply_yaml_file(config, *file);
    config.config_file = *file;
  }
  for (const Option& option : options) {
    if (option.name != "config") apply_option(config, option);
  }
  if (config.threads == 0) {
    config.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  return config;
}

}  // namespace shardcache::config
