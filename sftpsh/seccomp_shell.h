// Step 7b: sftpsh's seccomp filter, the last thing before the exec.
//
// An allowlist (libseccomp, default: kill the process, native architecture
// only) of what the server needs from its first instruction on
// (common/syscall_sets.h: start-up, runtime, abort), plus execveat with the
// server's fd number and exactly AT_EMPTY_PATH. That rule does not confine the
// exec by itself: seccomp can't read the path argument, and a non-empty
// absolute path makes execveat ignore the fd and AT_EMPTY_PATH, so any file
// could be executed by path (or opened at that fd number). Landlock's EXECUTE
// right on the server's file alone closes that (landlock.h); without Landlock
// (no kernel support, or ABI 1) it stays open until the server installs its
// own, tighter filter (no exec at all), which it does at start-up, before it
// reads any client input. Filters stack: the server's only narrows this one.
// sftpsh itself makes no other call between loading the filter and the exec;
// if the exec fails it logs and exits with calls from the runtime set.
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sftpsh {

// The one call allowed only with arguments checked (see install_shell_filter).
inline constexpr std::string_view kShellExec = "execveat";

// Every name the filter allows (the syscall_sets lists), for tests and docs.
[[nodiscard]] std::vector<std::string_view> shell_filter_names();

// Names libseccomp cannot resolve on this architecture (a test wants none).
[[nodiscard]] std::vector<std::string_view> unresolved_shell_filter_names();

// Loads the filter (needs no_new_privs, set by the drop).
[[nodiscard]] Result<void> install_shell_filter(int server_fd);

}  // namespace sftpsh
