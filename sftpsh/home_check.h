// Step 3b: the home as sshd and PAM see it must not be the user's to write.
//
// sshd and PAM use the passwd home *outside* the jail (without the "/./"),
// as the user, before the login shell runs: pam_env with user_readenv=1
// (Debian's /etc/pam.d/sshd) reads ~/.pam_environment into the session's
// environment, sshd reads ~/.ssh/environment (PermitUserEnvironment yes),
// ~/.ssh/rc (PermitUserRC yes) and authorized_keys there, and runs
// /etc/ssh/sshrc or ~/.ssh/rc through /bin/sh in that environment. A user
// who can upload such a file by SFTP gets LD_PRELOAD into a process outside
// the jail, whatever sftpsh does later. So sftpsh refuses to serve while that
// home is writable by the user: the upload never happens.
//
// In the /srv/jail/alice/./ layout the home is the jail root, root-owned by
// the jail rule. In the /srv/jail/./alice layout it is /srv/jail/alice, inside
// the jail: it must be root's, with a user-owned subdirectory for uploads.
// Every directory from the jail root down to the home is checked (a writable
// parent would let the user swap the home), on fds opened
// O_PATH|O_NOFOLLOW|O_DIRECTORY beneath the already-checked jail fd.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <string_view>

#include "common/result.h"
#include "sftpsh/locate.h"

namespace sftpsh {

// The rule for one directory on the way to the home (pure): not owned by the
// user `uid`, and not writable by them (`user_can_write`: faccessat(W_OK)
// with the real ids, so group and other bits and ACLs count). `path` is the
// directory, `home` the home it leads to; the error names both and the fix.
[[nodiscard]] Result<void> check_home_directory(const struct stat& st, bool user_can_write,
                                                std::string_view path, std::string_view home,
                                                uid_t uid);

// Walks from the jail root (`jail_fd`, from open_jail) down the start
// directory's components, applying the rule to each. A symbolic link or a
// missing directory is refused too: sshd and PAM would resolve the link on
// the host, not in the jail. Must run with the real uid the user's (sshd set
// it), before any user namespace.
[[nodiscard]] Result<void> check_home(int jail_fd, const JailPath& jail, uid_t uid);

}  // namespace sftpsh
