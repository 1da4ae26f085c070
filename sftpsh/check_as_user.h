// Looking at the system as someone else, for `sftpsh check`.
//
// The audit runs as root, but what matters is what a jailed user's session
// can see and write: the session walks the jail, checks the home with the
// user's real ids (home_check.h), and the user's uploads land wherever the
// user can write. So those checks run in a child process that has switched
// to the user's ids first, exactly as a session has them, and reports back
// over a pipe (check_user_facts.h). The child is made non-dumpable before
// it switches (the user can't ptrace it), has an alarm (a hung mount can't
// hang the audit), and changes nothing: it only opens and stats.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/result.h"
#include "sftpsh/check_user_facts.h"
#include "sftpsh/locate.h"

namespace sftpsh {

struct WalkRequest {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary, as sshd would set them
  // Setuid mode: a session walks with the user's real ids but euid 0 (a
  // 0700 ancestor works); the other modes walk with no privilege at all.
  bool effective_root = false;
  JailPath jail;
  std::vector<std::string> key_files;  // AuthorizedKeysFile paths inside the jail
};

// The jail walk (open_jail), the home check (check_home), ~/.ssh and its
// files, ~/.pam_environment, and the key files, each as the user.
[[nodiscard]] Result<WalkFacts> walk_as_user(const WalkRequest& request);

// Whether an unprivileged user (nobody) can create a user namespace, map
// itself and chroot in it: what the userns privilege mode needs. Ok, or why
// not. The child must be dumpable to write its own uid_map, so call this
// before reading anything worth keeping from a user.
[[nodiscard]] Result<void> probe_user_namespace();

}  // namespace sftpsh
