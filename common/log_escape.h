// Escaping of text that reaches a log line.
#pragma once

#include <string>
#include <string_view>

namespace sftpsh {

// Makes `text` safe to embed in one log line, the way OpenSSH's strnvis()
// (VIS_CSTYLE|VIS_NL|VIS_TAB|VIS_OCTAL) does for syslog: printable ASCII and
// space stay, a backslash doubles, newline/tab/CR/... become \n \t \r ..., and
// every other byte becomes a three-digit octal escape. A file name can then
// never forge a second log line (fail2ban acts on lines).
[[nodiscard]] std::string escape_for_log(std::string_view text);

}  // namespace sftpsh
