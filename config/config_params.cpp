// CONFIG GET / CONFIG SET over the parameter table, with Redis 7.0's exact error texts (checked
// against redis-server 7.0.15).
#include "config/config_params.h"

#include <algorithm>

#include "config/param_table.h"

namespace shardcache::config {

namespace {

std::string redis_problem_text(const ParamSpec& spec, ValueProblem problem) {
  switch (problem) {
    case ValueProblem::kNotInteger:
      return "argument couldn't be parsed into an integer";
    case ValueProblem::kOutOfRange:
      return "argument must be between " + std::to_string(spec.min) + " and " +
             std::to_string(spec.max) + " inclusive";
    case ValueProblem::kNotMemory:
      return "argument must be a memory value";
    case ValueProblem::kNotBool:
      return "argument must be 'yes' or 'no'";
    case ValueProblem::kNotChoice:
      return "argument(s) must be one of the following: " + choice_list(spec);
    case ValueProblem::kBadFormat:
      return spec.format_problem != nullptr ? spec.format_problem : "invalid argument";
    case ValueProblem::kNoAddress:
      break;  // only bind can say this, and bind is immutable
  }
  return "invalid argument";
}

std::string config_set_failure(std::string_view argument, std::string_view reason) {
  return "ERR CONFIG SET failed (possibly related to argument '" + std::string(argument) + "') - " +
         std::string(reason);
}

}  // namespace

const std::vector<ParamInfo>& all_params() {
  static const std::vector<ParamInfo> params = [] {
    std::vector<ParamInfo> infos;
    for (const ParamSpec& spec : param_table()) {
      infos.push_back({spec.name, spec.mutable_at_runtime});
    }
    return infos;
  }();
  return params;
}

std::optional<std::string> get_param(const Config& config, std::string_view name) {
  const ParamSpec* spec = find_param(name);
  if (spec == nullptr) return std::nullopt;
  return format_param(*spec, config);
}

// Follows Redis's configSetCommand: first every name is checked (the first unknown, immutable or
// repeated name is reported, spelled as the client sent it), then values are applied in order to
// a copy and the first bad one is reported under its canonical name.
std::optional<std::string> set_params(
    Config& config, const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<const ParamSpec*> specs;
  for (const auto& [name, value] : pairs) {
    const ParamSpec* spec = find_param_ignoring_case(name);
    if (spec == nullptr) {
      return "ERR Unknown option or number of arguments for CONFIG SET - '" + name + "'";
    }
    if (!spec->mutable_at_runtime) return config_set_failure(name, "can't set immutable config");
    if (std::find(specs.begin(), specs.end(), spec) != specs.end()) {
      return config_set_failure(name, "duplicate parameter");
    }
    specs.push_back(spec);
  }

  Config updated = config;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const std::optional<ValueProblem> problem =
        assign_param(*specs[i], updated, pairs[i].second, BoolWords::kYesNo);
    if (problem) {
      return config_set_failure(specs[i]->name, redis_problem_text(*specs[i], *problem));
    }
  }
  config = std::move(updated);
  return std::nullopt;
}

}  // namespace shardcache::config
