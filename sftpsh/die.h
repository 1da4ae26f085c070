// The one way out on an error, and the process-wide logger behind it.
#pragma once

#include <string_view>
#include <utility>

#include "common/log.h"
#include "common/result.h"

namespace sftpsh {

// sftpsh's logger: tag "sftpsh", facility AUTH, level INFO until the config
// says otherwise; syslog once open_log() has connected /dev/log, else stderr.
[[nodiscard]] Logger& logger();

// Connects the syslog socket (before the chroot, so the empty jail needs no
// /dev/log). Without a syslog daemon (containers) lines go to stderr and the
// session goes on: logging is not the security boundary.
void open_log();

// Logs `line` as it is, not escaped again: for lines built by log_lines.h,
// whose client text is already quoted by quote_for_log() (a client's `"`
// must read \" in the log, not \\"). A line holding anything but printable
// ASCII is not such a line: it goes through Logger::emit, which escapes it.
void log_prepared(LogLevel level, std::string_view line);

// Writes `text` and a newline to stderr. Never stdout: that is the SFTP
// stream, and a stray byte there breaks the client. What the user sees of it
// depends on sshd: for `ssh host cmd` the client prints it; for an SFTP
// subsystem sshd discards the program's stderr (session.c, ignore_fderr), so
// the user sees only the connection close.
void tell_client(std::string_view text);

// What the client is told when a session is refused: nothing about the host
// (paths, uids, config errors); the reason is in the log.
inline constexpr std::string_view kRefusedForClient =
    "sftpsh: this session was refused; the reason is in the system log";

// Logs `message` as fatal and tells the client only kRefusedForClient, then
// _exit(1). Without syslog (no /dev/log) the logger writes `message` to
// stderr, the admin's only place to find it (for `ssh host cmd` the client
// sees it too). Nothing is undone or retried: we can't recover from a
// half-built jail, so we don't try.
[[noreturn]] void die(std::string_view message);

// The value of `result`, or die() with its error.
template <typename T>
[[nodiscard]] T or_die(Result<T> result) {
  if (!result) die(result.error());
  return std::move(result.value());
}

inline void or_die(Result<void> result) {
  if (!result) die(result.error());
}

}  // namespace sftpsh
