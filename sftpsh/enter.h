// Step 5: into the jail.
#pragma once

#include <span>
#include <string_view>

#include "common/result.h"
#include "common/unique_fd.h"

namespace sftpsh {

// fchdir(jail) + chroot(".") + chdir("/"): the directory checked by
// open_jail() is the one entered, whatever happened to its path since.
// Needs CAP_SYS_CHROOT (the file capability, root, or the user namespace).
[[nodiscard]] Result<void> enter_jail(UniqueFd jail);

// Closes every descriptor except 0, 1, 2 and `keep` (fds handed to the
// server, and the server's own CLOEXEC fd). Nothing from the host stays
// reachable through an fd inside the jail.
[[nodiscard]] Result<void> close_fds_except(std::span<const int> keep);

// chdir to the start directory inside the jail. Called after the drop, as
// OpenSSH does, so the user's own permissions decide whether it can be entered.
[[nodiscard]] Result<void> enter_start_directory(std::string_view start);

}  // namespace sftpsh
