// The server's own seccomp filter, installed once start-up is over: only the
// calls serving requests needs (common/syscall_sets.h kServerRuntime), so no
// exec, no new sockets, no ptrace, no mount, no namespaces, no mprotect and
// no executable mappings. Anything else kills the process.
#pragma once

#include "common/result.h"

namespace sftpsh::server {

// `syslog_fd` (or -1) is the only descriptor sendto() may use.
[[nodiscard]] Result<void> install_server_filter(int syslog_fd);

}  // namespace sftpsh::server
