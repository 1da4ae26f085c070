// Who the session serves, and the names it may show.
//
// Under sftpsh: everything comes from the hand-over (-H fd), since the jail
// is empty. Standalone (behind any sshd): the user is getuid()'s entry in
// /etc/passwd, names come from /etc/passwd and /etc/group read as plain files
// (never NSS, see common/name_db.h), the client from SSH_CONNECTION; where
// the files can't be read the ids are shown as numbers.
#pragma once

#include <string>

#include "common/log.h"
#include "common/name_db.h"
#include "common/result.h"
#include "common/unique_fd.h"

namespace sftpsh::server {

struct Identity {
  UserEntry user;
  NameDb names;
  std::string client = "UNKNOWN";
  UniqueFd syslog_fd;            // from the hand-over; invalid → stderr
  bool from_handover = false;
};

[[nodiscard]] Result<Identity> identity_from_handover(int fd);
[[nodiscard]] Identity identity_standalone(Logger& log);

// The client address: SSH_CONNECTION's first word ("addr port addr port").
[[nodiscard]] std::string client_from_ssh_connection(const char* value);

}  // namespace sftpsh::server
