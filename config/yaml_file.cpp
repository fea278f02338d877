// apply_yaml_file: the YAML configuration file, a mapping of Redis setting names to values.
#include <fcntl.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/param_table.h"
#include "config/startup_error.h"

namespace shardcache::config {

namespace {

// POSIX rather than iostreams: errno then tells "no such file" from "is a directory".
std::string read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw startup_error(path, std::string("cannot open: ") + std::strerror(errno));
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t count = ::read(fd, buffer, sizeof buffer);
    if (count == 0) break;
    if (count < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      throw startup_error(path, std::string("cannot read: ") + std::strerror(error));
    }
    text.append(buffer, static_cast<std::size_t>(count));
  }
  ::close(fd);
  return text;
}

// "FILE:LINE", or just "FILE" when yaml-cpp has no position (an empty document).
std::string where(const std::string& path, const YAML::Mark& mark) {
  if (mark.is_null()) return path;
  return path + ":" + std::to_string(mark.line + 1);
}

std::string_view shape_of(const YAML::Node& node) {
  if (node.IsSequence()) return node.size() == 0 ? "an empty list" : "a list";
  if (node.IsMap()) return "a mapping";
  return "nothing";
}

// The text a value node stands for, or nullopt if its shape does not fit the setting.
std::optional<std::string> value_text(const ParamSpec& spec, const YAML::Node& value) {
  if (value.IsScalar()) return value.Scalar();
  // `logfile:` with nothing after it reads naturally as "empty".
  if (value.IsNull() && kind_of(spec) == ValueKind::kString) return std::string();
  if (value.IsSequence() && value.size() > 0 && kind_of(spec) == ValueKind::kAddressList) {
    std::string joined;
    for (const YAML::Node& item : value) {
      if (!item.IsScalar()) return std::nullopt;
      if (!joined.empty()) joined += ' ';
      joined += item.Scalar();
    }
    return joined;
  }
  return std::nullopt;
}

const ParamSpec& setting_named_by(const std::string& path, const YAML::Node& key) {
  if (!key.IsScalar()) {
    throw startup_error(where(path, key.Mark()), "expected a setting name, got " +
                                                     std::string(shape_of(key)));
  }
  const ParamSpec* spec = find_param(key.Scalar());
  if (spec == nullptr) {
    throw startup_error(where(path, key.Mark()), "unknown setting '" + key.Scalar() + "'");
  }
  return *spec;
}

void apply_value(Config& config, const std::string& path, const ParamSpec& spec,
                 const YAML::Node& key, const YAML::Node& value) {
  // yaml-cpp gives an empty value the position of the next line; the key's line is the right one.
  const std::string value_where = where(path, value.IsNull() ? key.Mark() : value.Mark());
  const std::optional<std::string> text = value_text(spec, value);
  if (!text) {
    throw startup_error(value_where, std::string(spec.name) + ": expected " +
                                         describe_allowed(spec) + ", got " +
                                         std::string(shape_of(value)));
  }
  if (assign_param(spec, config, *text, BoolWords::kYesNoTrueFalse)) {
    throw bad_value_error(value_where, spec.name, *text, spec);
  }
}

}  // namespace

void apply_yaml_file(Config& config, const std::string& path) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(read_file(path));
  } catch (const YAML::ParserException& error) {
    throw startup_error(where(path, error.mark), "YAML syntax error: " + error.msg);
  }
  // A second document would be silently ignored by a plain Load; settings must not vanish.
  if (documents.size() > 1) {
    throw startup_error(where(path, documents[1].Mark()),
                        "only one YAML document is allowed, found " +
                            std::to_string(documents.size()));
  }
  if (documents.empty() || documents[0].IsNull()) return;  // empty file: nothing to change
  const YAML::Node& root = documents[0];
  if (!root.IsMap()) {
    throw startup_error(where(path, root.Mark()), "expected a mapping of setting names to values");
  }

  // Applied to a copy so that a bad file leaves `config` as it was.
  Config updated = config;
  std::map<std::string_view, int> first_line;  // setting name -> line it was first set on
  for (const auto& entry : root) {
    const ParamSpec& spec = setting_named_by(path, entry.first);
    const int line = entry.first.Mark().line + 1;
    if (const auto [first, inserted] = first_line.emplace(spec.name, line); !inserted) {
      throw startup_error(where(path, entry.first.Mark()),
                          std::string(spec.name) + ": set twice (first on line " +
                              std::to_string(first->second) + ")");
    }
    apply_value(updated, path, spec, entry.first, entry.second);
  }
  config = std::move(updated);
}

}  // namespace shardcache::config
