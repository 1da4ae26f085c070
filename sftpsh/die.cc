#include "sftpsh/die.h"

#include <unistd.h>

#include <cerrno>
#include <string>

namespace sftpsh {

namespace {

void write_stderr(std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the client went away: nothing more to tell
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

Logger& logger() {
  static Logger instance = [] {
    Logger made("sftpsh");
    made.set_level(LogLevel::kInfo);  // session starts and denials are INFO
    return made;
  }();
  return instance;
}

void open_log() {
  UniqueFd socket = connect_syslog_socket();
  if (socket) logger().set_syslog_fd(std::move(socket));
}

void log_prepared(LogLevel level, std::string_view line) {
  if (logger().enabled(level)) logger().emit_prepared(level, line);
}

void tell_client(std::string_view text) { write_stderr(std::string(text) + "\n"); }

void die(std::string_view message) {
  logger().emit(LogLevel::kFatal, message);  // syslog, or stderr without it
  if (logger().syslog_fd() >= 0) tell_client(kRefusedForClient);
  ::_exit(1);
}

}  // namespace sftpsh
