// `sftpsh check`: one jailed user (pure).
//
// Everything a session of the user would refuse (no "/./", an unsafe jail, a
// home the user can write, a pinned privilege mode that is not available),
// reported with the session's own words, plus what a session cannot see:
// a ~/.ssh or ~/.pam_environment the user can write, and authorized keys
// inside the jail (USERS.md section 6 item 3: the scponly 2.4 lesson).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "sftpsh/check_report.h"
#include "sftpsh/check_user_facts.h"
#include "sftpsh/locate.h"

namespace sftpsh {

struct UserFacts {
  std::string name;
  bool in_passwd = false;
  uid_t uid = 0;
  std::string home;   // as in passwd
  std::string shell;  // as in passwd
  bool shell_is_this = false;  // the shell is this sftpsh (path or inode)
  std::string self_path;
  std::string locate_error;    // split_home's error
  std::optional<JailPath> jail;
  std::string walk_error;      // the walk as the user failed to run
  std::optional<WalkFacts> walk;
  bool keys_known = false;     // sshd -T ran for the user
  std::vector<std::string> key_files;  // AuthorizedKeysFile, expanded
  std::string mode;            // the privilege mode a session would use
  std::string mode_error;      // or why none
  bool userns_works = true;
  std::string server_path;     // set when the user's Server differs from the default
  std::string server_error;
};

[[nodiscard]] std::vector<Finding> check_user(const UserFacts& facts);

}  // namespace sftpsh
