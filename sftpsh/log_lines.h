// The lines sftpsh writes to syslog (pure), in one fixed format each so that
// log tools (fail2ban) can rely on them:
//
//   Denied user <user> from <addr> port <port>: interactive login
//   Denied user <user> from <addr> port <port>: command "<command>"
//   Denied user <user> from <addr> port <port>: arguments "<arguments>"
//   Session for user <user> from <addr> port <port>: jail <jail> start <dir> mode <mode>
//   Refused user <user> from <addr> port <port>: <reason>
//
// Client-chosen text comes last, in double quotes, escaped once by
// quote_for_log(): a newline becomes \n, other control bytes and non-ASCII
// \ooo, and a `"` or `\` inside gets a backslash. So the quoted text never
// holds a bare `"`: a command like `x" from 203.0.113.66 port 22: y` can't
// end the quotes early and pass for a second "from <addr> port <n>:" field,
// and a newline can't start a forged line. Denial lines are complete, printable
// ASCII, and are logged as they are (die.h log_prepared), not escaped again.
//
// fail2ban: etc/fail2ban/filter.d/sftpsh.conf (anchored at both ends).
// <addr> is "UNKNOWN" and <port> 0 when SSH_CONNECTION was absent or malformed.
#pragma once

#include <string>
#include <string_view>

#include "sftpsh/config.h"
#include "sftpsh/decide.h"
#include "sftpsh/environment.h"
#include "sftpsh/locate.h"

namespace sftpsh {

// `"` + text, escaped as above, + `"`. Printable ASCII only.
[[nodiscard]] std::string quote_for_log(std::string_view text);

// The longest client text logged (bytes, before escaping); longer text is cut
// and the quoted part followed by " (truncated)", so the line still ends as
// its format says (an escape is never cut in half) and stays within what
// syslog takes (OpenSSH sends at most 500 bytes).
inline constexpr std::size_t kMaxLoggedAttempt = 200;

// The tail of the denial line: `interactive login`, `no arguments`,
// `command "..."` or `arguments "..."` (the arguments joined by spaces),
// client text quoted by quote_for_log().
[[nodiscard]] std::string describe_attempt(const Decision& decision);

// Printable ASCII only, ready for log_prepared().
[[nodiscard]] std::string denial_line(std::string_view user, const ClientAddress& client,
                                      const Decision& decision);

// These hold no client text; the logger escapes them as a whole.
[[nodiscard]] std::string session_line(std::string_view user, const ClientAddress& client,
                                       const JailPath& jail, PrivilegeMode mode);

// A session refused for a configuration or system reason (unsafe jail,
// untrusted server, ...): the admin must act, the client did nothing wrong.
[[nodiscard]] std::string refusal_line(std::string_view user, const ClientAddress& client,
                                       std::string_view reason);

}  // namespace sftpsh
