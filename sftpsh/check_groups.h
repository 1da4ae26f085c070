// The groups a local account is in, from /etc/group read as a file (pure).
//
// sshd sets a session's supplementary groups with initgroups(); sftpsh's
// Match Group blocks and the jail walk (group write bits) see those. sftpsh
// check is a static program that never uses NSS (account.h), so it reads the
// member lists of /etc/group itself.
#pragma once

#include <sys/types.h>

#include <string_view>
#include <vector>

#include "common/name_db.h"

namespace sftpsh {

// The primary group first (by `primary_gid`; named by its number when
// /etc/group has no entry), then every group of `group_text` that lists
// `user` as a member, each gid once.
[[nodiscard]] std::vector<GroupEntry> groups_of(std::string_view group_text,
                                                std::string_view user, gid_t primary_gid);

}  // namespace sftpsh
