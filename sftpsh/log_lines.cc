#include "sftpsh/log_lines.h"

#include <fmt/format.h>

#include "common/log_escape.h"

namespace sftpsh {

namespace {

std::string who(std::string_view user, const ClientAddress& client) {
  return fmt::format("user {} from {} port {}", user, client.address, client.port);
}

std::string quote_attempt(std::string_view attempted) {
  if (attempted.size() <= kMaxLoggedAttempt) return quote_for_log(attempted);
  return quote_for_log(attempted.substr(0, kMaxLoggedAttempt)) + " (truncated)";
}

}  // namespace

std::string quote_for_log(std::string_view text) {
  // escape_for_log() leaves only printable ASCII, with `\` already doubled;
  // a `"` is the one character left to escape.
  std::string quoted = "\"";
  for (const char c : escape_for_log(text)) {
    if (c == '"') quoted += '\\';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string describe_attempt(const Decision& decision) {
  switch (decision.reason) {
    case DenyReason::kNoArguments: return "no arguments";
    case DenyReason::kInteractiveLogin: return "interactive login";
    case DenyReason::kNotACommand: return "arguments " + quote_attempt(decision.attempted);
    case DenyReason::kCommandRefused: return "command " + quote_attempt(decision.attempted);
  }
  return "unknown";
}

std::string denial_line(std::string_view user, const ClientAddress& client,
                        const Decision& decision) {
  // The user name is the admin's (passwd), the address validated digits and
  // colons; escaped anyway, so the whole line is printable.
  return fmt::format("Denied {}: {}", who(escape_for_log(user), client),
                     describe_attempt(decision));
}

std::string session_line(std::string_view user, const ClientAddress& client,
                         const JailPath& jail, PrivilegeMode mode) {
  return fmt::format("Session for {}: jail {} start {} mode {}", who(user, client), jail.root,
                     jail.start, privilege_mode_name(mode));
}

std::string refusal_line(std::string_view user, const ClientAddress& client,
                         std::string_view reason) {
  return fmt::format("Refused {}: {}", who(user, client), reason);
}

}  // namespace sftpsh
