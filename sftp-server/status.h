// Errno → SFTP status, and the status messages OpenSSH sends.
#pragma once

#include <string_view>

#include "sftp-server/protocol.h"

namespace sftpsh::server {

// OpenSSH's errno_to_portable(): the same mapping, so clients see the same codes.
[[nodiscard]] Status status_from_errno(int error);
// OpenSSH's status_to_message(): "No such file", "Permission denied", ...
[[nodiscard]] std::string_view status_message(Status status);

}  // namespace sftpsh::server
