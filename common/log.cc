#include "common/log.h"

#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "common/log_escape.h"

namespace sftpsh {

namespace {

struct LevelName {
  std::string_view name;
  LogLevel level;
};

constexpr std::array<LevelName, 9> kLevelNames{{
    {"QUIET", LogLevel::kQuiet},
    {"FATAL", LogLevel::kFatal},
    {"ERROR", LogLevel::kError},
    {"INFO", LogLevel::kInfo},
    {"VERBOSE", LogLevel::kVerbose},
    {"DEBUG", LogLevel::kDebug1},
    {"DEBUG1", LogLevel::kDebug1},
    {"DEBUG2", LogLevel::kDebug2},
    {"DEBUG3", LogLevel::kDebug3},
}};

struct FacilityName {
  std::string_view name;
  int facility;
};

constexpr std::array<FacilityName, 12> kFacilityNames{{
    {"DAEMON", LOG_DAEMON},
    {"USER", LOG_USER},
    {"AUTH", LOG_AUTH},
    {"AUTHPRIV", LOG_AUTHPRIV},
    {"LOCAL0", LOG_LOCAL0},
    {"LOCAL1", LOG_LOCAL1},
    {"LOCAL2", LOG_LOCAL2},
    {"LOCAL3", LOG_LOCAL3},
    {"LOCAL4", LOG_LOCAL4},
    {"LOCAL5", LOG_LOCAL5},
    {"LOCAL6", LOG_LOCAL6},
    {"LOCAL7", LOG_LOCAL7},
}};

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Syslog priority and the prefix OpenSSH puts before the message.
int syslog_priority(LogLevel level) {
  switch (level) {
    case LogLevel::kFatal: return LOG_CRIT;
    case LogLevel::kError: return LOG_ERR;
    case LogLevel::kInfo:
    case LogLevel::kVerbose: return LOG_INFO;
    default: return LOG_DEBUG;
  }
}

std::string_view level_prefix(LogLevel level, bool to_stderr) {
  switch (level) {
    case LogLevel::kFatal: return to_stderr ? "" : "fatal: ";
    case LogLevel::kError: return to_stderr ? "" : "error: ";
    case LogLevel::kDebug1: return "debug1: ";
    case LogLevel::kDebug2: return "debug2: ";
    case LogLevel::kDebug3: return "debug3: ";
    default: return "";
  }
}

// Longest message sent, after escaping (OpenSSH sends at most 500 bytes).
constexpr std::size_t kMaxMessage = 1024;

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // logging must never stop the program
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

std::optional<LogLevel> log_level_from_name(std::string_view name) {
  for (const auto& entry : kLevelNames)
    if (equal_ignoring_case(entry.name, name)) return entry.level;
  return std::nullopt;
}

std::string_view log_level_name(LogLevel level) {
  for (const auto& entry : kLevelNames)
    if (entry.level == level) return entry.name;
  return "UNKNOWN";
}

std::optional<int> log_facility_from_name(std::string_view name) {
  for (const auto& entry : kFacilityNames)
    if (equal_ignoring_case(entry.name, name)) return entry.facility;
  return std::nullopt;
}

std::string format_syslog_datagram(int facility, LogLevel level, std::string_view tag,
                                   pid_t pid, std::time_t now, std::string_view message) {
  struct tm tm {};
  char stamp[32] = "";
  if (::localtime_r(&now, &tm) != nullptr)
    std::strftime(stamp, sizeof stamp, "%h %e %T", &tm);
  return fmt::format("<{}>{} {}[{}]: {}", facility | syslog_priority(level), stamp, tag,
                     pid, message);
}

UniqueFd connect_syslog_socket() {
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return fd;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, "/dev/log", sizeof addr.sun_path - 1);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    return UniqueFd();
  return fd;
}

Logger::Logger(std::string tag) : tag_(std::move(tag)), pid_(::getpid()) {}

void Logger::emit(LogLevel level, std::string_view message) {
  std::string text(level_prefix(level, to_stderr_ || !syslog_fd_));
  text += escape_for_log(message);
  send_line(level, std::move(text));
}

void Logger::emit_prepared(LogLevel level, std::string_view line) {
  for (const char c : line) {
    if (c < 0x20 || c > 0x7e) return emit(level, line);
  }
  std::string text(level_prefix(level, to_stderr_ || !syslog_fd_));
  text += line;
  send_line(level, std::move(text));
}

void Logger::send_line(LogLevel level, std::string text) {
  if (text.size() > kMaxMessage) text.resize(kMaxMessage);
  if (!to_stderr_ && syslog_fd_) {
    const std::string datagram =
        format_syslog_datagram(facility_, level, tag_, pid_, std::time(nullptr), text);
    if (::send(syslog_fd_.get(), datagram.data(), datagram.size(), MSG_NOSIGNAL) >= 0) return;
    // The daemon went away (restart): the line still reaches stderr below.
  }
  text += "\r\n";
  write_all(STDERR_FILENO, text);
}

}  // namespace sftpsh
