// `sftpsh check [-f sshd_config] [user ...]`: root's audit of an sftpsh
// setup (sftpsh(8), CHECK).
//
// main() runs it only for real uid 0 in the initial user namespace, when
// argv[1] is "check" and argv[0] is not a login's (decide.h
// classify_invocation); nothing of the login shell's path runs. It reads,
// runs `sshd -T` and `sshd -V`, and looks at each jailed user's jail and
// home as that user (check_as_user.h); it changes nothing. It prints one
// line per finding (check_report.h) to stdout.
#pragma once

#include <span>
#include <string_view>

namespace sftpsh {

// The sshd whose configuration is audited.
inline constexpr std::string_view kSshdPath = "/usr/sbin/sshd";

// Returns the exit status: 0 when nothing FAILs, 1 otherwise, 2 for a usage
// error.
[[nodiscard]] int run_check(std::span<const std::string_view> argv);

// What anyone but root is told, on stderr; nothing else is done or said.
inline constexpr std::string_view kCheckRefusedText = "sftpsh: check may be run by root only";

}  // namespace sftpsh
