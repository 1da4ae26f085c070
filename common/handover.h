// The hand-over from sftpsh to the server it execs into an empty jail.
//
// sftpsh writes it into a sealed memfd before the chroot and passes the fd
// number with the server's "-H fd" option. It carries what the server can no
// longer find inside the jail: who the user is, the names `ls -l` shows, the
// client address for the logs, and the syslog socket connected to /dev/log.
//
// Text, one record a line, fields separated by one space, every string
// percent-encoded (%XX for bytes outside [A-Za-z0-9._@+-/~,:=]):
//   sftpsh-handover 1 <version>
//   user <name> <uid> <gid> <home>      the session's user; home inside the jail
//   client <address>                    from SSH_CONNECTION: logged, never trusted
//   logfd <n>                           syslog socket, or -1 for stderr
//   passwd <name> <uid> <gid> <home>    names the server may show, any number
//   group <name> <gid>
//   end
#pragma once

#include <string>
#include <string_view>

#include "common/name_db.h"
#include "common/result.h"

namespace sftpsh {

inline constexpr int kHandoverFormat = 1;

struct Handover {
  std::string version;
  UserEntry user;
  std::string client = "UNKNOWN";
  int log_fd = -1;
  NameDb names;
};

[[nodiscard]] std::string encode_handover(const Handover& handover);
// Fails on anything malformed, including another format or a missing "end".
[[nodiscard]] Result<Handover> decode_handover(std::string_view text);

// Exposed for tests.
[[nodiscard]] std::string percent_encode(std::string_view text);
[[nodiscard]] Result<std::string> percent_decode(std::string_view text);

}  // namespace sftpsh
