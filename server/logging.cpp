#include "server/logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace shardcache::server {

void setup_logging(const config::Config& config) {
  std::shared_ptr<spdlog::logger> logger;
  if (config.logfile.empty()) {
    logger = spdlog::stdout_logger_mt("shardcache");
  } else {
    logger = spdlog::basic_logger_mt("shardcache", config.logfile);
  }
  // Redis's line shape: "pid:role date time.ms level message".
  logger->set_pattern("%P:M %d %b %Y %H:%M:%S.%e %L %v");
  logger->flush_on(spdlog::level::info);
  using config::LogLevel;
  switch (config.loglevel) {
    case LogLevel::kDebug: logger->set_level(spdlog::level::debug); break;
    case LogLevel::kVerbose: logger->set_level(spdlog::level::debug); break;
    case LogLevel::kNotice: logger->set_level(spdlog::level::info); break;
    case LogLevel::kWarning: logger->set_level(spdlog::level::warn); break;
    case LogLevel::kNothing: logger->set_level(spdlog::level::off); break;
  }
  spdlog::set_default_logger(logger);
}

}  // namespace shardcache::server
