// Who runs sftpsh: the password database entry of the real uid, and its groups.
//
// Only the real uid counts: sshd has already switched to the user, and a local
// user running a privileged sftpsh by hand can change nothing else about it
// (not HOME, not argv[0], not the environment).
//
// The database is /etc/passwd and /etc/group read as files, never NSS: a
// static program that dlopen()s an NSS module (libnss_systemd here) can crash
// in it, and the module search path is taken from the environment before
// main(). Jailed accounts are therefore local accounts (sftpsh(8)).
#pragma once

#include <sys/types.h>

#include <span>
#include <string>
#include <vector>

#include "common/name_db.h"
#include "common/result.h"

namespace sftpsh {

struct Account {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;   // as in passwd: holds the "/./" that marks the jail
  std::string shell;  // as in passwd
  // The primary group first, then the supplementary groups sshd set (a gid
  // without a name gets its number as name).
  std::vector<GroupEntry> groups;
};

// /etc/passwd and /etc/group. An unreadable /etc/passwd is an error; an
// unreadable /etc/group only costs names.
[[nodiscard]] Result<NameDb> read_account_database();

// The entry of getuid() and the process's groups (getgroups(): what sshd
// set), by make_account().
[[nodiscard]] Result<Account> lookup_account(const NameDb& database);

// The account of `uid` with `supplementary` groups (pure). Refuses uid 0
// (root in a chroot is not jailed) and a uid without an entry in `database`
// (an LDAP/SSSD account: sftpsh reads only the files). A gid without a name
// in /etc/group gets its number as name.
[[nodiscard]] Result<Account> make_account(const NameDb& database, uid_t uid,
                                           std::span<const gid_t> supplementary);

// The user or group entry for an id, or one named by the number.
[[nodiscard]] UserEntry user_entry(const NameDb& database, uid_t uid);
[[nodiscard]] GroupEntry group_entry(const NameDb& database, gid_t gid);

// Refuses unless the account's passwd shell is the very file now running
// (same device and inode as /proc/self/exe). A privileged sftpsh must be
// useless to every other local user: scponly's setuid scponlyc let any user
// chroot into a directory of their choice and become root.
[[nodiscard]] Result<void> require_sftpsh_shell(const Account& account);

}  // namespace sftpsh
