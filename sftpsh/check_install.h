// `sftpsh check`: the installation of this sftpsh (pure).
//
// The binary itself must be a trusted file (what a session trusts it runs
// with privilege), it needs one of its privileges (PRIVILEGE MODES in
// sftpsh(8)), the config must load as a session loads it, the server must be
// trusted and executable, and the shell should be in /etc/shells.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sftpsh/check_report.h"

namespace sftpsh {

struct ShellListing {
  std::string shell;  // a passwd shell naming this sftpsh
  bool listed = false;
};

struct InstallFacts {
  std::string self_path;         // /proc/self/exe's target
  std::string self_trust_error;  // open_trusted_file's error; empty: trusted
  bool setuid_root = false;
  bool file_capability = false;  // cap_sys_chroot in the file's permitted set
  std::string capability_text;   // "cap_sys_chroot=ep"
  bool nosuid_mount = false;     // the kernel ignores setuid and file capabilities
  bool userns_probed = false;
  bool userns_works = false;
  std::string userns_error;
  std::string shells_error;  // /etc/shells could not be read
  std::vector<ShellListing> shells;
  bool pam_shells = false;  // sshd's PAM stack (UsePAM yes) runs pam_shells
  std::string config_path;
  bool config_missing = false;
  std::string config_error;  // load_config's error (file:line); empty: loads
  std::string server_path;
  std::string server_error;  // open_server's error; empty: trusted, executable
  // Accounts whose shell is some other sftpsh: "bob (/usr/sbin/sftpsh)".
  std::vector<std::string> other_sftpsh_accounts;
};

[[nodiscard]] std::vector<Finding> check_installation(const InstallFacts& facts);

// `shell` is a line of /etc/shells (`shells_text`; blanks around it and
// comment lines ignored, as getusershell() reads it).
[[nodiscard]] bool shell_listed(std::string_view shells_text, std::string_view shell);

}  // namespace sftpsh
