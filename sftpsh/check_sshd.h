// `sftpsh check`: sshd's effective configuration for jailed users (pure).
//
// A login shell can refuse only what sshd hands to it. Port, socket, agent
// and X11 forwarding, tunnels and `ssh -N` never run it; `Subsystem sftp
// internal-sftp` (or ForceCommand internal-sftp) serves SFTP inside sshd,
// unjailed, without it; ~/.ssh/rc and client-set LD_* reach a /bin/sh that
// sshd runs outside the jail. So the audit reads what `sshd -T -C user=U,...`
// says a session of U gets and checks each of these (DESIGN.md section 1,
// USERS.md section 6, the shipped etc/sshd_config.d/sftpsh.conf).
// AuthorizedKeysFile depends on each user's home: check_keys.h.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sftpsh/check_report.h"
#include "sftpsh/sshd_dump.h"

namespace sftpsh {

struct SshdCheckContext {
  OpensshVersion version;
  // The SubsystemCommand lines these users' sessions accept (config.h).
  std::vector<std::string> accepted;
  std::string sftpsh_config;  // its path, for fixes
};

// Client-settable variable names that make a dynamically linked program
// load code (the loader's LD_*, iconv's GCONV_PATH, ...): an AcceptEnv
// pattern matching one is a FAIL.
[[nodiscard]] const std::vector<std::string_view>& loader_variables();

[[nodiscard]] std::vector<Finding> check_sshd_config(const SshdDump& dump,
                                                     const SshdCheckContext& context);

}  // namespace sftpsh
