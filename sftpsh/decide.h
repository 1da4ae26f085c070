// Step 1 (pure): serve SFTP, or deny?
//
// sshd runs a user's login shell as `<shell> -c "<command>"` for every
// session that has a command: the SFTP subsystem (the Subsystem line of
// sshd_config), `ssh host cmd`, legacy `scp -O` ("scp -t ..."), rsync
// ("rsync --server ..."), ~/.ssh/rc ("/bin/sh .ssh/rc"). An interactive login
// has no -c and an argv[0] starting with '-'.
//
// The client chooses the whole -c string when it runs `ssh host 'string'`,
// so only a string exactly equal to one of the configured subsystem command
// lines is served, and then with sftpsh's own server and options: nothing of
// the string is ever used (rssh and scponly died of argument injection).
#pragma once

#include <sys/types.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sftpsh {

enum class DenyReason {
  kNoArguments,       // argv is empty
  kInteractiveLogin,  // argv[0] starts with '-', or no arguments at all
  kNotACommand,       // arguments, but not "-c <command>"
  kCommandRefused,    // "-c <command>" with a command that is not a subsystem line
};

struct Decision {
  bool serve = false;
  DenyReason reason = DenyReason::kNoArguments;
  // What the client asked for, for the log only (log_lines.h quotes it).
  std::string attempted;
};

// `accepted` are the SubsystemCommand strings; the comparison is exact.
[[nodiscard]] Decision decide(std::span<const std::string_view> argv,
                              std::span<const std::string> accepted);

// Which program a run is: the login shell, or root's audit `sftpsh check`
// (check_run.h).
enum class Invocation {
  kShell,         // everything else: the login shell's path, unchanged
  kCheck,         // `sftpsh check ...` run by root
  kCheckRefused,  // `sftpsh check ...` run by anyone else: refused, nothing done
};

// Pure. `check` only when argv[1] is exactly "check" and argv[0] does not
// start with '-': sshd never runs a login shell that way (a login has a '-'
// argv[0], everything else `-c <string>`), so a jailed client's
// `ssh host check` arrives as `-c check` and stays a denied command. The
// audit reads what only root may read, so it runs only for real uid 0 in the
// initial user namespace (`initial_user_namespace`: "root" inside a user
// namespace of one's own, `unshare -r`, is not root). Anyone else gets
// kCheckRefused, decided before sftpsh does any work: a privileged sftpsh
// must be useless to other local users (scponly's setuid scponlyc).
[[nodiscard]] Invocation classify_invocation(std::span<const std::string_view> argv,
                                             uid_t real_uid, bool initial_user_namespace);

// Converts main's argv for decide().
[[nodiscard]] std::vector<std::string_view> argv_views(int argc, char** argv);

}  // namespace sftpsh
