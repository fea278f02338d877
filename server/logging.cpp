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
  logger->set_level(spdlog_level(config.loglevel));
  spdlog::set_default_logger(logger);
}

spdlog::level::level_enum spdlog_level(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::kDebug:
    case config::LogLevel::kVerbose: return spdlog::level::debug;
    case config::LogLevel::kNotice: return spdlog::level::info;
    case config::LogLevel::kWarning: return spdlog::level::warn;
  }
  return spdlog::level::info;
}

}  // namespace shardcache::server
