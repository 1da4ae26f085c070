// Where sshd looks for a user's authorized keys (pure), for `sftpsh check`.
//
// A key file the user can write is a way around the jail: extra keys, and
// key options (command=, environment=, permitopen=) sshd obeys before the
// shell runs. Jailed users can write inside their jail, so AuthorizedKeysFile
// belongs outside it, root's (etc/sshd_config.d/sftpsh.conf).
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace sftpsh {

// The files `value` (AuthorizedKeysFile as `sshd -T` prints it: blank-
// separated, "none" for none) names for a user, expanded as sshd does
// (auth.c expand_authorized_keys): %% %, %h the passwd home as written
// (with its "/./"), %u the name, %U the uid; a relative path is taken from
// the home. The results are lexically normalised (normalize_path).
[[nodiscard]] std::vector<std::string> authorized_keys_paths(std::string_view value,
                                                             std::string_view user, uid_t uid,
                                                             std::string_view home);

// Absolute, without empty or "." components; ".." removes the one before it
// (lexically: good enough to tell inside from outside for paths an admin
// wrote).
[[nodiscard]] std::string normalize_path(std::string_view path);

// `path` is `dir` or beneath it (both normalised).
[[nodiscard]] bool path_within(std::string_view path, std::string_view dir);

}  // namespace sftpsh
