// How sftpsh gets the one privilege it needs, chroot(2).
//
//  capability  the file capability cap_sys_chroot (setcap cap_sys_chroot+ep):
//              preferred, no root at any moment.
//  setuid      setuid root, for filesystems without extended attributes.
//  userns      neither: an unprivileged user namespace mapping only the
//              user's own uid and gid gives CAP_SYS_CHROOT inside it, where
//              the kernel allows unprivileged user namespaces.
// The mode is detected from what the process was given. The config may pin
// one (PrivilegeMode); then anything else is refused, never downgraded.
#pragma once

#include <sys/types.h>

#include "common/result.h"
#include "sftpsh/config.h"

namespace sftpsh {

// What the kernel gave the process at exec.
struct Privileges {
  uid_t ruid = 0, euid = 0, suid = 0;
  bool has_sys_chroot = false;  // CAP_SYS_CHROOT in the permitted set
};

[[nodiscard]] Result<Privileges> read_privileges();

// Pure: the mode for `got`, or why none fits `pinned`.
[[nodiscard]] Result<PrivilegeMode> choose_privilege_mode(const Privileges& got,
                                                          PrivilegeMode pinned);

// userns mode: unshare(CLONE_NEWUSER) and map the user's own uid and gid
// (setgroups denied, as the kernel requires of an unprivileged mapper). The
// process then holds every capability, but only inside a namespace that owns
// nothing on the host; they are all dropped after the chroot (drop.h).
// Must run before the chroot: it writes /proc/self/{setgroups,uid_map,gid_map},
// and a chrooted process may not create a user namespace.
[[nodiscard]] Result<void> enter_user_namespace(uid_t uid, gid_t gid);

}  // namespace sftpsh
