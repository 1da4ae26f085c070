// Logging in OpenSSH's style: syslog datagrams through a socket that can be
// connected before a chroot (so an empty jail needs no /dev/log), or stderr.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "common/unique_fd.h"

namespace sftpsh {

// The levels and names of OpenSSH's LogLevel, in increasing verbosity.
enum class LogLevel { kQuiet, kFatal, kError, kInfo, kVerbose, kDebug1, kDebug2, kDebug3 };

// Case-insensitive, as sshd_config and sftp-server -l take them ("DEBUG" = DEBUG1).
[[nodiscard]] std::optional<LogLevel> log_level_from_name(std::string_view name);
[[nodiscard]] std::string_view log_level_name(LogLevel level);
// Syslog facility (LOG_AUTH, ...) from OpenSSH's names: DAEMON, USER, AUTH,
// AUTHPRIV, LOCAL0..LOCAL7. Case-insensitive.
[[nodiscard]] std::optional<int> log_facility_from_name(std::string_view name);

// One RFC 3164 datagram as glibc's syslog() writes it:
// "<PRI>Mmm dd hh:mm:ss tag[pid]: message". `message` is used as given.
[[nodiscard]] std::string format_syslog_datagram(int facility, LogLevel level,
                                                 std::string_view tag, pid_t pid,
                                                 std::time_t now, std::string_view message);

// A datagram socket connected to /dev/log, or an invalid fd when there is no
// syslog daemon (containers): callers then log to stderr and go on.
[[nodiscard]] UniqueFd connect_syslog_socket();

class Logger {
 public:
  // The pid is taken once: every syslog line carries it, and the server's
  // seccomp filter need not allow getpid() per line.
  explicit Logger(std::string tag);

  void set_tag(std::string tag) { tag_ = std::move(tag); }
  void set_level(LogLevel level) { level_ = level; }
  void set_facility(int facility) { facility_ = facility; }
  // Lines go to stderr (OpenSSH's -e), not syslog.
  void set_stderr(bool on) { to_stderr_ = on; }
  // Syslog through this already-connected socket (taken over).
  void set_syslog_fd(UniqueFd fd) { syslog_fd_ = std::move(fd); }
  [[nodiscard]] int syslog_fd() const { return syslog_fd_.get(); }
  [[nodiscard]] LogLevel level() const { return level_; }
  [[nodiscard]] int facility() const { return facility_; }
  [[nodiscard]] bool enabled(LogLevel level) const {
    return level != LogLevel::kQuiet && level <= level_;
  }

  template <typename... Args>
  void log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
    if (enabled(level)) emit(level, fmt::format(format, std::forward<Args>(args)...));
  }
  template <typename... Args>
  void error(fmt::format_string<Args...> format, Args&&... args) {
    log(LogLevel::kError, format, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void info(fmt::format_string<Args...> format, Args&&... args) {
    log(LogLevel::kInfo, format, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void verbose(fmt::format_string<Args...> format, Args&&... args) {
    log(LogLevel::kVerbose, format, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void debug(fmt::format_string<Args...> format, Args&&... args) {
    log(LogLevel::kDebug1, format, std::forward<Args>(args)...);
  }

  // Writes one line regardless of the level (fatal messages, session
  // summaries). The whole message is escaped: client-chosen text inside it
  // cannot forge a line.
  void emit(LogLevel level, std::string_view message);
  // For a line whose client-chosen parts the caller already quoted (with
  // its own escaping, e.g. of '"'): sent as it is if it is printable ASCII,
  // else escaped like emit() (so nothing unescaped ever gets through).
  void emit_prepared(LogLevel level, std::string_view line);

 private:
  void send_line(LogLevel level, std::string text);

  std::string tag_;
  pid_t pid_;
  LogLevel level_ = LogLevel::kError;
  int facility_ = 4 << 3;  // LOG_AUTH, as OpenSSH's sftp-server
  bool to_stderr_ = false;
  UniqueFd syslog_fd_;
};

}  // namespace sftpsh
