// Files sftpsh runs or obeys (the server binary, the config) are trusted only
// when root-owned regular files not writable by group or others, reached
// through directories that are all root-owned and not writable by group or
// others either (the jail walker's rule, jail_check.h): whoever can write a
// directory on the way (say a deploy user owning /opt/tools) could swap the
// file for their own. The path is walked from "/" with
// O_PATH|O_NOFOLLOW|O_DIRECTORY per component, the file opened beneath the
// last checked directory with O_NOFOLLOW, and the checks run on the opened
// fds, never on names (doas's habit): no symbolic link anywhere, nothing
// resolved twice.
#pragma once

#include <sys/stat.h>

#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/unique_fd.h"

namespace sftpsh {

// The rule for the file itself (pure). `what` ("config", "server") starts
// the error message, which also says how to fix it. `owner` is root (0)
// except in tests.
[[nodiscard]] Result<void> check_trusted_file(const struct stat& st, std::string_view path,
                                              std::string_view what, uid_t owner = 0);

// Opens `components` (directories, then the file's name) beneath `start`,
// which `start_path` names, checking `start`, every directory and the file
// (owned by `owner`). The file is opened with flags | O_NOFOLLOW | O_CLOEXEC
// | O_NOCTTY | O_NONBLOCK (a FIFO planted at the path must not hang sftpsh
// before the check). `missing` (when given) is set when the file or a
// directory on the way does not exist (the caller may treat that as "use
// defaults").
[[nodiscard]] Result<UniqueFd> open_trusted_file_beneath(UniqueFd start,
                                                         std::string_view start_path,
                                                         std::span<const std::string> components,
                                                         int flags, std::string_view what,
                                                         uid_t owner, bool* missing = nullptr);

// The real thing: the absolute `path` from "/", everything owned by root.
[[nodiscard]] Result<UniqueFd> open_trusted_file(std::string_view path, int flags,
                                                 std::string_view what, bool* missing = nullptr);

}  // namespace sftpsh
