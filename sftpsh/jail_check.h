// Step 3: open the jail directory, checking every component on the way.
//
// OpenSSH's ChrootDirectory rule: each component of the path, from "/" down,
// must be a directory owned by root and not writable by group or others;
// otherwise whoever can write there can swap in a jail with their own /etc or
// hard links to setuid programs. OpenSSH stat()s names and then resolves them
// again for chroot(); sftpsh walks the path once with
// openat(O_PATH|O_NOFOLLOW|O_DIRECTORY) per component and keeps the final fd
// for fchdir + chroot("."), so no name is resolved twice.
#pragma once

#include <sys/stat.h>

#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/unique_fd.h"
#include "sftpsh/locate.h"

namespace sftpsh {

// How a walk names what it checks, in its errors (the jail, or the
// directories above a trusted file: trusted_file.h).
struct WalkWords {
  std::string_view component;      // "jail component"
  std::string_view writable_hint;  // after "(chmod go-w DIR)"
  std::string_view symlink_hint;   // after "is a symbolic link: "
};

inline constexpr WalkWords kJailWords{
    "jail component", "; give the user a writable subdirectory instead",
    "the jail path must be real directories (use the link's target in the home field)"};

// The rule for one component (pure). `path` names it in the error, which
// also says how to fix it. `owner` is root (0) except in tests.
[[nodiscard]] Result<void> check_jail_component(const struct stat& st, std::string_view path,
                                                uid_t owner,
                                                const WalkWords& words = kJailWords);

// Walks `components` down from the directory `start` (checked too), which
// `start_path` names in errors. Returns an O_PATH fd of the last directory.
// `missing` (when given) is set when a component does not exist.
[[nodiscard]] Result<UniqueFd> walk_jail(UniqueFd start, std::string_view start_path,
                                         std::span<const std::string> components, uid_t owner,
                                         const WalkWords& words = kJailWords,
                                         bool* missing = nullptr);

// The real thing: from "/", every component owned by root.
[[nodiscard]] Result<UniqueFd> open_jail(const JailPath& jail);

}  // namespace sftpsh
