// `sftpsh check`: what sshd runs outside the jail before the shell (pure).
//
// - /etc/ssh/sshrc: sshd runs it through /bin/sh, outside the jail, for every
//   session without ~/.ssh/rc (SFTP sessions included), in the environment
//   PAM and the client built. PermitUserRC no does not stop it.
// - pam_env with user_readenv=1 (Debian's /etc/pam.d/sshd) reads
//   ~/.pam_environment from the home outside the jail into that environment;
//   PermitUserEnvironment no does not cover it. Harmless while no jailed user
//   can write their home (sftpsh refuses to serve one who can); a hole if one
//   can.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sftpsh/check_report.h"
#include "sftpsh/pam_stack.h"

namespace sftpsh {

struct PamFacts {
  bool use_pam = true;  // sshd -T usepam; unknown counts as yes
  std::string stack_file;  // "/etc/pam.d/sshd"; empty when none was found
  std::vector<PamEntry> entries;  // the whole stack, includes expanded
  std::vector<std::string> problems;  // files that could not be read
  std::string sshrc_path = "/etc/ssh/sshrc";
  bool sshrc_exists = false;
  std::string sshrc_error;  // when it could not be checked
  std::vector<std::string> writable_homes;  // "alice (/srv/jail/alice)" ...
};

[[nodiscard]] bool stack_uses(const std::vector<PamEntry>& entries, std::string_view module);

[[nodiscard]] std::vector<Finding> check_pam_and_rc(const PamFacts& facts);

}  // namespace sftpsh
