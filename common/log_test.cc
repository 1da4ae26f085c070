#include "common/log.h"

#include <syslog.h>

#include <doctest/doctest.h>

using namespace sftpsh;

TEST_CASE("log levels parse case-insensitively, DEBUG means DEBUG1") {
  CHECK(log_level_from_name("info") == LogLevel::kInfo);
  CHECK(log_level_from_name("VERBOSE") == LogLevel::kVerbose);
  CHECK(log_level_from_name("Debug") == LogLevel::kDebug1);
  CHECK(log_level_from_name("DEBUG3") == LogLevel::kDebug3);
  CHECK_FALSE(log_level_from_name("LOUD").has_value());
  CHECK_FALSE(log_level_from_name("").has_value());
}

TEST_CASE("facilities use OpenSSH's names") {
  CHECK(log_facility_from_name("auth") == LOG_AUTH);
  CHECK(log_facility_from_name("AUTHPRIV") == LOG_AUTHPRIV);
  CHECK(log_facility_from_name("local7") == LOG_LOCAL7);
  CHECK_FALSE(log_facility_from_name("KERN").has_value());
}

TEST_CASE("a syslog datagram has priority, timestamp, tag and pid like glibc's") {
  const std::string d =
      format_syslog_datagram(LOG_AUTH, LogLevel::kInfo, "sftp-server", 42, 0, "hello");
  // <38> = LOG_AUTH (4<<3) | LOG_INFO (6)
  CHECK(d.rfind("<38>", 0) == 0);
  CHECK(d.size() > std::string("<38>Jan  1 00:00:00 sftp-server[42]: hello").size() - 3);
  CHECK(d.find(" sftp-server[42]: hello") != std::string::npos);
  const std::string e =
      format_syslog_datagram(LOG_LOCAL0, LogLevel::kError, "x", 1, 0, "m");
  CHECK(e.rfind("<131>", 0) == 0);  // 16<<3 | 3
}

TEST_CASE("levels above the configured one are not enabled") {
  Logger log("t");
  log.set_level(LogLevel::kInfo);
  CHECK(log.enabled(LogLevel::kError));
  CHECK(log.enabled(LogLevel::kInfo));
  CHECK_FALSE(log.enabled(LogLevel::kVerbose));
  CHECK_FALSE(log.enabled(LogLevel::kQuiet));
  log.set_level(LogLevel::kQuiet);
  CHECK_FALSE(log.enabled(LogLevel::kFatal));
}
