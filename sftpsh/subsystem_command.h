// SubsystemCommand values in the form sshd passes them to the shell (pure).
//
// sshd never passes the Subsystem line as written: it splits the line into
// words as it splits every sshd_config line (openssh servconf.c
// process_server_config_line_depth, misc.c argv_split: words end at a blank
// outside quotes, '"' and '\'' quote, a backslash escapes a quote, a
// backslash or (outside quotes) a blank, a word starting with '#' ends the
// line), then joins the command's words with single spaces (servconf.c,
// case sSubsystem) and runs `<shell> -c "<joined>"`. So
//     Subsystem sftp /usr/lib/openssh/sftp-server   -l   INFO
//     Subsystem sftp "/usr/lib/openssh/sftp-server" -l INFO
// both reach sftpsh as "/usr/lib/openssh/sftp-server -l INFO". A configured
// SubsystemCommand is normalized the same way, so copying the Subsystem line's
// command (from its program on) into sftpsh.conf always matches.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace sftpsh {

// The words of `value` joined by single spaces, as sshd builds the -c string.
// An unterminated quote, or no word at all, is an error.
[[nodiscard]] Result<std::string> normalize_subsystem_command(std::string_view value);

}  // namespace sftpsh
