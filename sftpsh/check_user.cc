#include "sftpsh/check_user.h"

#include <fmt/format.h>

#include "sftpsh/check_keys.h"

namespace sftpsh {

namespace {

constexpr std::string_view kKeysFix =
    "AuthorizedKeysFile /etc/ssh/authorized_keys/%u for jailed users (root's, outside every "
    "jail), as etc/sshd_config.d/sftpsh.conf does";

// ~/.ssh, a file in it, or ~/.pam_environment.
void check_path(const PathFact& path, uid_t uid, std::vector<Finding>& out) {
  const bool directory = path.kind == PathFact::Kind::kDirectory;
  const bool top = path.path.ends_with("/.ssh") || path.path.ends_with("/.pam_environment");
  switch (path.kind) {
    case PathFact::Kind::kMissing:
      if (top) out.push_back(ok(fmt::format("no {}", path.path)));
      return;
    case PathFact::Kind::kError:
      out.push_back(warn(fmt::format("cannot check {}: {}", path.path, path.error)));
      return;
    default: break;
  }
  const std::string why =
      "sshd and PAM read it outside the jail, as the user, before sftpsh runs (extra keys and "
      "command=/environment= options, ~/.ssh/rc, ~/.ssh/environment, ~/.pam_environment)";
  if (path.owner == uid || path.user_writable) {
    out.push_back(fail(fmt::format("{} is {} the user: {}", path.path,
                                   path.owner == uid ? "owned by" : "writable by", why),
                       fmt::format("chown {}root: {}; chmod {}go-w,u-w {} (or remove it)",
                                   directory ? "-R " : "", path.path, directory ? "-R " : "",
                                   path.path)));
    return;
  }
  if (path.kind == PathFact::Kind::kSymlink) {
    out.push_back(warn(fmt::format("{} is a symbolic link, which sshd and PAM follow outside "
                                   "the jail", path.path),
                       "replace it with a real file or remove it"));
    return;
  }
  if (top) out.push_back(ok(fmt::format("{} is root's, not the user's to write", path.path)));
}

void check_keys(const UserFacts& facts, std::vector<Finding>& out) {
  if (!facts.keys_known || !facts.jail) return;
  for (const auto& path : facts.key_files) {
    if (!path_within(path, facts.jail->root)) {
      out.push_back(ok(fmt::format("AuthorizedKeysFile {} is outside the jail", path)));
      continue;
    }
    const KeyFileFact* fact = nullptr;
    if (facts.walk)
      for (const auto& key : facts.walk->keys)
        if (key.path == path) fact = &key;
    if (fact != nullptr && !fact->writable_at.empty()) {
      out.push_back(fail(fmt::format("AuthorizedKeysFile {} is inside the jail {}, and the user "
                                     "can write {}: they could add keys and key options "
                                     "(command=, environment=) that sshd obeys before the shell "
                                     "runs", path, facts.jail->root, fact->writable_at),
                         std::string(kKeysFix)));
    } else if (fact != nullptr && !fact->error.empty()) {
      out.push_back(warn(fmt::format("AuthorizedKeysFile {} is inside the jail {} (cannot check "
                                     "it: {})", path, facts.jail->root, fact->error),
                         std::string(kKeysFix)));
    } else {
      out.push_back(warn(fmt::format("AuthorizedKeysFile {} is inside the jail {}: the user "
                                     "cannot write it now, but one chown or chmod in the jail "
                                     "would let them add keys", path, facts.jail->root),
                         std::string(kKeysFix)));
    }
  }
}

void check_walk(const UserFacts& facts, std::vector<Finding>& out) {
  if (!facts.walk_error.empty()) {
    out.push_back(fail(fmt::format("cannot look at the jail as the user: {}", facts.walk_error)));
    return;
  }
  if (!facts.walk) return;
  const WalkFacts& walk = *facts.walk;
  if (!walk.jail_error.empty()) {
    out.push_back(fail(walk.jail_error));
  } else {
    out.push_back(ok(fmt::format("jail {}: every component root's and not writable by group or "
                                 "others", facts.jail->root)));
  }
  if (walk.home_checked && !walk.home_error.empty()) {
    out.push_back(fail(walk.home_error));
  } else if (walk.home_checked) {
    out.push_back(ok(fmt::format("home {} is not the user's to write", host_home(*facts.jail))));
  }
  for (const auto& path : walk.paths) check_path(path, facts.uid, out);
}

}  // namespace

std::vector<Finding> check_user(const UserFacts& facts) {
  std::vector<Finding> out;
  if (!facts.in_passwd) {
    out.push_back(fail(fmt::format("{} is not in /etc/passwd: sftpsh reads only /etc/passwd and "
                                   "/etc/group, so a jailed account must be local (not LDAP or "
                                   "SSSD)", facts.name),
                       "create the account in /etc/passwd (useradd)"));
    return out;
  }
  if (facts.uid == 0) {
    out.push_back(fail(fmt::format("{} is uid 0: a chroot can't jail root, and sftpsh never "
                                   "serves it", facts.name),
                       "use an account with its own uid"));
    return out;
  }
  if (!facts.shell_is_this)
    out.push_back(fail(fmt::format("the login shell of {} is \"{}\", not this sftpsh ({}): "
                                   "sftpsh refuses to run for them", facts.name, facts.shell,
                                   facts.self_path),
                       fmt::format("usermod -s {} {}", facts.self_path, facts.name)));
  if (!facts.locate_error.empty()) {
    out.push_back(fail(facts.locate_error,
                       fmt::format("usermod -d /srv/jail/{0}/./ {0} (a jail with a \"/./\")",
                                   facts.name)));
    return out;
  }
  out.push_back(ok(fmt::format("local account (uid {}, in /etc/passwd); home {}: jail {}, "
                               "start {}", facts.uid, facts.home, facts.jail->root,
                               facts.jail->start)));
  check_walk(facts, out);
  check_keys(facts, out);
  if (!facts.mode_error.empty()) {
    out.push_back(fail(facts.mode_error));
  } else if (facts.mode == "userns" && !facts.userns_works) {
    out.push_back(fail("privilege mode userns, but unprivileged user namespaces do not work "
                       "here: every session is refused",
                       fmt::format("setcap cap_sys_chroot+ep {}", facts.self_path)));
  } else {
    out.push_back(ok(fmt::format("privilege mode {}", facts.mode)));
  }
  if (!facts.server_path.empty()) {
    if (facts.server_error.empty()) {
      out.push_back(ok(fmt::format("server {} is trusted and executable", facts.server_path)));
    } else {
      out.push_back(fail(facts.server_error + ": sftpsh refuses the user's sessions"));
    }
  }
  return out;
}

}  // namespace sftpsh
