#include "sftpsh/check_install.h"

#include <fmt/format.h>

namespace sftpsh {

namespace {

void check_binary(const InstallFacts& facts, std::vector<Finding>& out) {
  if (!facts.self_trust_error.empty()) {
    out.push_back(fail(facts.self_trust_error +
                       ": whoever can write it or a directory above it replaces the shell of "
                       "every jailed user"));
  } else {
    out.push_back(ok(fmt::format("sftpsh {} is root's and not writable by group or others, "
                                 "all the way from /", facts.self_path)));
  }
}

std::string userns_state(const InstallFacts& facts) {
  if (!facts.userns_probed) return "not tried";
  if (facts.userns_works) return "unprivileged user namespaces work here";
  return fmt::format("unprivileged user namespaces do not work here ({})", facts.userns_error);
}

void check_privilege(const InstallFacts& facts, std::vector<Finding>& out) {
  const std::string& path = facts.self_path;
  const std::string setcap = fmt::format("setcap cap_sys_chroot+ep {}", path);
  if (facts.nosuid_mount && (facts.setuid_root || facts.file_capability)) {
    out.push_back(Finding{facts.userns_works ? Severity::kWarn : Severity::kFail,
                          fmt::format("{} is on a file system mounted nosuid: the kernel ignores "
                                      "its setuid bit and file capabilities, so sessions run in "
                                      "the user-namespace mode; {}", path,
                                      userns_state(facts)),
                          "install sftpsh on a file system mounted without nosuid"});
    return;
  }
  if (facts.file_capability && !facts.setuid_root) {
    out.push_back(ok(fmt::format("file capability {}: the capability mode (preferred)",
                                 facts.capability_text)));
  } else if (facts.setuid_root) {
    out.push_back(ok(fmt::format("setuid root: the setuid mode (note: root until the privilege "
                                 "drop; the file capability mode never is root: chmod u-s {}; "
                                 "{})", path, setcap)));
  } else if (facts.userns_works) {
    out.push_back(warn(fmt::format("neither setuid root nor the file capability cap_sys_chroot: "
                                   "sessions run in the user-namespace mode only; {}",
                                   userns_state(facts)),
                       setcap));
  } else {
    out.push_back(fail(fmt::format("neither setuid root nor the file capability cap_sys_chroot, "
                                   "and {}: every session is refused", userns_state(facts)),
                       setcap));
  }
}

void check_shells(const InstallFacts& facts, std::vector<Finding>& out) {
  if (!facts.shells_error.empty()) {
    out.push_back(warn(fmt::format("cannot read /etc/shells: {}", facts.shells_error)));
    return;
  }
  for (const auto& listing : facts.shells) {
    if (listing.listed) {
      out.push_back(ok(fmt::format("{} is in /etc/shells", listing.shell)));
      continue;
    }
    const std::string fix =
        fmt::format("echo {} >> /etc/shells (make install does that)", listing.shell);
    if (facts.pam_shells) {
      out.push_back(fail(fmt::format("{} is not in /etc/shells, and sshd's PAM stack runs "
                                     "pam_shells, which refuses every login with it",
                                     listing.shell), fix));
    } else {
      out.push_back(warn(fmt::format("{} is not in /etc/shells: OpenSSH's sshd only needs the "
                                     "shell to be an executable file, but pam_shells, chsh and "
                                     "other services refuse accounts whose shell is not listed",
                                     listing.shell), fix));
    }
  }
}

void check_files(const InstallFacts& facts, std::vector<Finding>& out) {
  if (facts.config_missing) {
    out.push_back(ok(fmt::format("no {}: the built-in defaults apply", facts.config_path)));
  } else if (!facts.config_error.empty()) {
    out.push_back(fail(facts.config_error + ": sftpsh refuses every session until it loads"));
  } else {
    out.push_back(ok(fmt::format("config {} is trusted and parses", facts.config_path)));
  }
  if (!facts.server_error.empty()) {
    out.push_back(fail(facts.server_error + ": sftpsh refuses every session that uses it"));
  } else {
    out.push_back(ok(fmt::format("server {} is trusted and executable", facts.server_path)));
  }
}

}  // namespace

bool shell_listed(std::string_view shells_text, std::string_view shell) {
  while (!shells_text.empty()) {
    const auto newline = shells_text.find('\n');
    std::string_view line = shells_text.substr(0, newline);
    shells_text.remove_prefix(newline == std::string_view::npos ? shells_text.size()
                                                                 : newline + 1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
      line.remove_suffix(1);
    if (!line.starts_with('#') && line == shell) return true;
  }
  return false;
}

std::vector<Finding> check_installation(const InstallFacts& facts) {
  std::vector<Finding> out;
  check_binary(facts, out);
  check_privilege(facts, out);
  check_shells(facts, out);
  check_files(facts, out);
  for (const auto& account : facts.other_sftpsh_accounts)
    out.push_back(warn(fmt::format("account {} has another sftpsh as its shell, not this one "
                                   "({}), so this check does not cover it", account,
                                   facts.self_path),
                       "run that sftpsh's check for it"));
  return out;
}

}  // namespace sftpsh
