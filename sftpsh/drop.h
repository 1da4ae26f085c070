// Step 6: drop every privilege, for good, and prove it.
//
// The order, and why:
//  1. bounding set cleared, then
//  2. securebits set and locked (NOROOT: uid 0 gains no capabilities on exec;
//     setuid fix-ups forced on; no keep-caps; no ambient raise):
//     both need CAP_SETPCAP, so they come while the process still has it.
//     setuid root and userns modes have it; capability mode only when
//     installed with cap_setpcap too, else the bounding set stays full: with
//     no_new_privs and no capabilities left, no exec can gain one anyway.
//  3. setresgid(gid, gid, gid): needs CAP_SETGID in setuid mode, so before
//     the uid;
//  4. setresuid(uid, uid, uid): real, effective and saved; a saved uid of 0
//     would let any later bug become root again (scponly, MySecureShell);
//  5. every capability set emptied with libcap (permitted, effective,
//     inheritable; ambient cleared): the file capability and the user
//     namespace's full set end here;
//  6. PR_SET_NO_NEW_PRIVS, and RLIMIT_CORE 0 (no core file holding the
//     session's data).
// Supplementary groups stay the user's: sshd set them (initgroups) before
// running the shell. Dropping before the seccomp filter means the filter
// never has to allow setresuid or capset.
#pragma once

#include <sys/types.h>

#include "common/result.h"
#include "sftpsh/config.h"

namespace sftpsh {

// What the drop could do in this mode (bounding set and securebits need
// CAP_SETPCAP), for the verification and the log.
struct DropReport {
  bool bounding_set_cleared = false;
  bool securebits_locked = false;
};

[[nodiscard]] Result<DropReport> drop_privileges(uid_t uid, gid_t gid, PrivilegeMode mode);

// Reads the state back: uids and gids all the user's; setresuid(0,0,0) and
// setresgid(0,0,0) fail; no capability in any set (libcap); bounding set
// empty and securebits locked where the report says so; no_new_privs on;
// RLIMIT_CORE 0. Any difference is an error: the caller dies.
[[nodiscard]] Result<void> verify_dropped(uid_t uid, gid_t gid, const DropReport& report);

}  // namespace sftpsh
