// Paths compiled into sftpsh. They are never taken from argv or the
// environment: whoever runs sftpsh (a jailed client, or any local user when it
// is privileged) must not be able to point it at another config or server.
#pragma once

#include <string_view>

namespace sftpsh {

// The configuration file (/etc/sftpsh.conf in a release build).
[[nodiscard]] std::string_view compiled_config_path();
// The bundled server sftpsh execs when the config names no other
// ($(PREFIX)/libexec/sftpsh/sftp-server in a release build).
[[nodiscard]] std::string_view compiled_server_path();

}  // namespace sftpsh
