// Step 2 (pure): where the jail is, from the home directory in passwd.
//
// The "/./" convention: the part of the home before the first "/./" is the
// directory sftpsh chroots into, the part after it the start directory inside.
//   /srv/jail/alice/./   -> jail /srv/jail/alice, start /
//   /srv/jail/./alice    -> jail /srv/jail,       start /alice
// A home without "/./" is refused: an unjailed SFTP login is never a silent
// default.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sftpsh {

struct JailPath {
  std::string root;                     // "/srv/jail/alice", normalised
  std::vector<std::string> components;  // {"srv", "jail", "alice"}
  std::string start;                    // "/" or "/alice", inside the jail
  std::vector<std::string> start_components;  // {} or {"alice"}
};

// The home as sshd and PAM see it, outside the jail: the passwd home without
// the "/./" ("/srv/jail/alice" for both /srv/jail/alice/./ and
// /srv/jail/./alice). They read ~/.ssh/rc, ~/.ssh/environment and
// ~/.pam_environment there, as the user, before sftpsh runs.
[[nodiscard]] std::string host_home(const JailPath& jail);

// Refuses relative homes, homes without "/./", a jail at "/", and ".." in
// any component. Empty and "." components are dropped; a trailing "/." counts
// as "/./" (".../alice/." is ".../alice/./").
[[nodiscard]] Result<JailPath> split_home(std::string_view home);

// Pure: the names in `path`, split at '/', empty and "." components dropped;
// nullopt if any component is "..". Leading '/' or not is the caller's business.
[[nodiscard]] std::optional<std::vector<std::string>> path_components(std::string_view path);

}  // namespace sftpsh
