#include "sftpsh/check_pam.h"

#include <fmt/format.h>

namespace sftpsh {

namespace {

void check_sshrc(const PamFacts& facts, std::vector<Finding>& out) {
  if (!facts.sshrc_error.empty()) {
    out.push_back(fail(fmt::format("cannot check {}: {}", facts.sshrc_path, facts.sshrc_error)));
  } else if (facts.sshrc_exists) {
    out.push_back(fail(fmt::format("{} exists: sshd runs it through /bin/sh outside the jail, "
                                   "for every session without ~/.ssh/rc (SFTP included), in "
                                   "the environment PAM and the client built (PermitUserRC no "
                                   "does not stop it)", facts.sshrc_path),
                       fmt::format("remove it (rm {})", facts.sshrc_path)));
  } else {
    out.push_back(ok(fmt::format("no {}", facts.sshrc_path)));
  }
}

void check_pam_env(const PamFacts& facts, std::vector<Finding>& out) {
  if (!facts.use_pam) {
    out.push_back(ok("UsePAM no: no PAM module reads ~/.pam_environment"));
    return;
  }
  for (const auto& problem : facts.problems) out.push_back(warn(problem));
  if (facts.stack_file.empty()) {
    out.push_back(warn("UsePAM yes, but no /etc/pam.d/sshd or /etc/pam.d/other was found: "
                       "cannot check pam_env"));
    return;
  }
  bool reads_user_file = false;
  for (const auto& entry : facts.entries) {
    if (entry.module_name() != "pam_env.so" || !entry.has_argument("user_readenv=1")) continue;
    reads_user_file = true;
    const std::string what = fmt::format(
        "pam_env reads ~/.pam_environment from the home outside the jail ({} line {}: \"{}\")",
        entry.file, entry.line, entry.text);
    const std::string fix = fmt::format("remove user_readenv=1 from {} line {} (or UsePAM no)",
                                        entry.file, entry.line);
    if (facts.writable_homes.empty()) {
      out.push_back(warn(what + ": safe only while no jailed user can write their home "
                                "(sftpsh refuses to serve one who can)", fix));
    } else {
      std::string homes;
      for (const auto& home : facts.writable_homes) homes += (homes.empty() ? "" : ", ") + home;
      out.push_back(fail(what + ", and these users can write theirs: " + homes +
                             " (an upload of .pam_environment sets LD_PRELOAD for sshd's "
                             "/bin/sh)",
                         fix + ", and make those homes root's (see below)"));
    }
  }
  if (!reads_user_file)
    out.push_back(ok(fmt::format("UsePAM yes, and no pam_env in {} reads ~/.pam_environment",
                                 facts.stack_file)));
}

}  // namespace

bool stack_uses(const std::vector<PamEntry>& entries, std::string_view module) {
  for (const auto& entry : entries)
    if (entry.module_name() == module) return true;
  return false;
}

std::vector<Finding> check_pam_and_rc(const PamFacts& facts) {
  std::vector<Finding> out;
  check_sshrc(facts, out);
  check_pam_env(facts, out);
  return out;
}

}  // namespace sftpsh
