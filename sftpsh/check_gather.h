// Reading the system for `sftpsh check`: only reads, as root. The checks
// that use these facts are pure (check_*.h); what must be seen as a jailed
// user is in check_as_user.h, running programs in check_program.h.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "common/result.h"
#include "sftpsh/check_install.h"
#include "sftpsh/check_pam.h"
#include "sftpsh/config.h"

namespace sftpsh {

// This sftpsh: the file /proc/self/exe names, and its identity.
struct SelfFile {
  std::string path;
  dev_t dev = 0;
  ino_t ino = 0;
};

[[nodiscard]] Result<SelfFile> identify_self();

// A passwd shell names this sftpsh: the same path, or the same file (a
// link, a bind mount), as require_sftpsh_shell() decides for a session.
[[nodiscard]] bool is_this_sftpsh(const SelfFile& self, std::string_view shell);

// The binary: trusted (open_trusted_file), setuid root, file capability,
// nosuid mount. Fills those fields of `facts`.
void gather_binary(const SelfFile& self, InstallFacts& facts);

// The config at `path`, loaded as a session loads it (load_config); fills
// the config fields of `facts` and returns what applies (the defaults when
// it is missing or broken).
[[nodiscard]] Config gather_config(std::string_view path, InstallFacts& facts);

// /etc/ssh/sshrc and sshd's PAM stack (/etc/pam.d/sshd, or "other" when it
// is missing, with every include). `use_pam` comes from sshd -T.
[[nodiscard]] PamFacts gather_pam(bool use_pam);

}  // namespace sftpsh
