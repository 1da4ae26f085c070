// Step 7a: Landlock, where the kernel has it: file access only beneath the
// jail root, execution of nothing but the server, no TCP bind/connect, no
// abstract-socket connects or signals outside the session. Defence in depth
// behind the chroot and seccomp.
//
// EXECUTE is handled, and granted (with READ_FILE, which the kernel also
// checks when it opens a binary for exec) on the server's file alone, so the
// exec by fd works. This matters: seccomp can only check the fd *number*
// execveat() uses, not its path, and a file the user uploaded into the jail
// could be opened at that number, or named by an absolute path, which makes
// execveat ignore the fd and AT_EMPTY_PATH; Landlock refuses to execute it
// (tests/integration test_sftpsh_shell.py, test_landlock_allows_no_other_exec
// and test_landlock_allows_no_exec_by_path). Beneath the jail root every
// other handled right is granted. Where no ruleset is applied (ABI < 2,
// landlock_skip_reason), that exec stays possible until the server's own
// filter is in place, before it reads client input (seccomp_shell.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sftpsh {

// The rights a ruleset handles on a kernel of Landlock ABI `abi` (pure).
struct LandlockAccess {
  std::uint64_t fs = 0;
  std::uint64_t net = 0;
  std::uint64_t scoped = 0;
};

[[nodiscard]] LandlockAccess landlock_access_for_abi(int abi);

// The kernel's Landlock ABI version, or 0 without Landlock.
[[nodiscard]] int landlock_abi();

// Why no ruleset is applied on a kernel of Landlock ABI `abi`, or empty when
// one is (pure):
//  - 0: no Landlock (before Linux 5.13, or not in the kernel's LSM list);
//  - 1 (Linux 5.13-5.18): no LANDLOCK_ACCESS_FS_REFER, and then every ruleset
//    denies renaming or linking a file into another directory (EXDEV), which
//    SFTP rename needs. The ABI 1 rights have nothing for the network or
//    signals either, so the whole ruleset is skipped.
[[nodiscard]] std::string_view landlock_skip_reason(int abi);

struct LandlockOutcome {
  bool applied = false;
  std::string line;  // for the log: "Landlock ABI 7", or why it was skipped
};

// Restricts the process: everything but EXECUTE beneath the directory
// `root_fd` (after the chroot: "/"), READ_FILE and EXECUTE on the file
// `exec_fd` (or no file when -1). Needs no_new_privs. A kernel whose ABI is
// skipped (landlock_skip_reason) is not an error; any other failure is.
[[nodiscard]] Result<LandlockOutcome> restrict_filesystem(int root_fd, int exec_fd);

}  // namespace sftpsh
