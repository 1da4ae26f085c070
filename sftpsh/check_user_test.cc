#include "sftpsh/check_user.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace sftpsh {
namespace {

UserFacts alice() {
  UserFacts facts;
  facts.name = "alice";
  facts.in_passwd = true;
  facts.uid = 1001;
  facts.home = "/srv/jail/alice/./";
  facts.shell = "/usr/local/sbin/sftpsh";
  facts.shell_is_this = true;
  facts.self_path = "/usr/local/sbin/sftpsh";
  facts.jail = *split_home(facts.home);
  WalkFacts walk;
  walk.home_checked = true;
  walk.paths = {PathFact{"/srv/jail/alice/.ssh", PathFact::Kind::kMissing, 0, false, ""},
                PathFact{"/srv/jail/alice/.pam_environment", PathFact::Kind::kMissing, 0,
                         false, ""}};
  facts.walk = walk;
  facts.keys_known = true;
  facts.key_files = {"/etc/ssh/authorized_keys/alice"};
  facts.mode = "capability";
  return facts;
}

std::vector<Finding> bad(const std::vector<Finding>& findings) {
  std::vector<Finding> out;
  for (const auto& f : findings)
    if (f.severity != Severity::kOk) out.push_back(f);
  return out;
}

TEST_CASE("check_user: a good account") {
  const auto findings = check_user(alice());
  CHECK(bad(findings).empty());
  std::vector<std::string> lines;
  for (const auto& f : findings) lines.push_back(f.what);
  CHECK(lines == std::vector<std::string>{
                     "local account (uid 1001, in /etc/passwd); home /srv/jail/alice/./: "
                     "jail /srv/jail/alice, start /",
                     "jail /srv/jail/alice: every component root's and not writable by group or "
                     "others",
                     "home /srv/jail/alice is not the user's to write",
                     "no /srv/jail/alice/.ssh",
                     "no /srv/jail/alice/.pam_environment",
                     "AuthorizedKeysFile /etc/ssh/authorized_keys/alice is outside the jail",
                     "privilege mode capability"});
}

TEST_CASE("check_user: not local, root, another shell, no /./") {
  UserFacts facts = alice();
  facts.in_passwd = false;
  auto missing = check_user(facts);
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].severity == Severity::kFail);
  CHECK(missing[0].what.find("alice is not in /etc/passwd") == 0);

  facts = alice();
  facts.uid = 0;
  CHECK(check_user(facts)[0].what.find("is uid 0") != std::string::npos);

  facts = alice();
  facts.shell_is_this = false;
  facts.shell = "/bin/bash";
  auto shell = bad(check_user(facts));
  REQUIRE(shell.size() == 1);
  CHECK(shell[0].fix == "usermod -s /usr/local/sbin/sftpsh alice");

  facts = alice();
  facts.home = "/home/alice";
  facts.jail.reset();
  facts.walk.reset();
  facts.locate_error = split_home(facts.home).error();
  auto unjailed = check_user(facts);
  REQUIRE(unjailed.size() == 1);
  CHECK(unjailed[0].severity == Severity::kFail);
  CHECK(unjailed[0].what.find("has no \"/./\"") != std::string::npos);
  CHECK(unjailed[0].fix == "usermod -d /srv/jail/alice/./ alice (a jail with a \"/./\")");
}

TEST_CASE("check_user: the session's own jail and home errors") {
  UserFacts facts = alice();
  facts.walk->jail_error = "bad modes for jail component /srv/jail: mode 0775 is writable by "
                           "group or others (chmod go-w /srv/jail)";
  facts.walk->home_checked = false;
  auto jail = bad(check_user(facts));
  REQUIRE(jail.size() == 1);
  CHECK(jail[0].severity == Severity::kFail);
  CHECK(jail[0].what == facts.walk->jail_error);

  facts = alice();
  facts.walk->home_error = "refusing to serve: the home directory /srv/jail/alice is owned by "
                           "the user (uid 1001)";
  auto home = bad(check_user(facts));
  REQUIRE(home.size() == 1);
  CHECK(home[0].what == facts.walk->home_error);

  facts = alice();
  facts.walk.reset();
  facts.walk_error = "setresuid: Operation not permitted";
  CHECK(bad(check_user(facts))[0].what ==
        "cannot look at the jail as the user: setresuid: Operation not permitted");
}

TEST_CASE("check_user: ~/.ssh and ~/.pam_environment the user can write") {
  UserFacts facts = alice();
  facts.walk->paths = {
      PathFact{"/srv/jail/alice/.ssh", PathFact::Kind::kDirectory, 1001, true, ""},
      PathFact{"/srv/jail/alice/.ssh/rc", PathFact::Kind::kFile, 0, true, ""},
      PathFact{"/srv/jail/alice/.ssh/authorized_keys", PathFact::Kind::kFile, 0, false, ""},
      PathFact{"/srv/jail/alice/.pam_environment", PathFact::Kind::kSymlink, 0, false, ""}};
  auto found = bad(check_user(facts));
  REQUIRE(found.size() == 3);
  CHECK(found[0].severity == Severity::kFail);
  CHECK(found[0].what.find("/srv/jail/alice/.ssh is owned by the user: sshd and PAM read it "
                           "outside the jail") == 0);
  CHECK(found[0].fix == "chown -R root: /srv/jail/alice/.ssh; chmod -R go-w,u-w "
                        "/srv/jail/alice/.ssh (or remove it)");
  CHECK(found[1].what.find("/srv/jail/alice/.ssh/rc is writable by the user") == 0);
  CHECK(found[2].severity == Severity::kWarn);
  CHECK(found[2].what.find("is a symbolic link") != std::string::npos);
  // a root-owned ~/.ssh is fine, and said so
  facts.walk->paths = {PathFact{"/srv/jail/alice/.ssh", PathFact::Kind::kDirectory, 0, false,
                                ""}};
  const auto fine = check_user(facts);
  CHECK(bad(fine).empty());
  CHECK(std::any_of(fine.begin(), fine.end(), [](const Finding& f) {
    return f.what == "/srv/jail/alice/.ssh is root's, not the user's to write";
  }));
}

TEST_CASE("check_user: AuthorizedKeysFile inside the jail") {
  UserFacts facts = alice();
  facts.key_files = {"/srv/jail/alice/.ssh/authorized_keys"};
  auto inside = bad(check_user(facts));
  REQUIRE(inside.size() == 1);
  CHECK(inside[0].severity == Severity::kWarn);
  CHECK(inside[0].what.find("is inside the jail /srv/jail/alice: the user cannot write it now")
        != std::string::npos);
  CHECK(inside[0].fix.find("AuthorizedKeysFile /etc/ssh/authorized_keys/%u") == 0);

  facts.walk->keys = {KeyFileFact{"/srv/jail/alice/.ssh/authorized_keys", false,
                                  "/srv/jail/alice/.ssh", ""}};
  auto writable = bad(check_user(facts));
  REQUIRE(writable.size() == 1);
  CHECK(writable[0].severity == Severity::kFail);
  CHECK(writable[0].what.find("the user can write /srv/jail/alice/.ssh") != std::string::npos);

  facts.keys_known = false;  // sshd -T did not run: nothing to say here
  CHECK(bad(check_user(facts)).empty());
}

TEST_CASE("check_user: privilege mode and server") {
  UserFacts facts = alice();
  facts.mode.clear();
  facts.mode_error = "PrivilegeMode capability is configured, but it runs setuid root";
  CHECK(bad(check_user(facts))[0].what == facts.mode_error);
  facts = alice();
  facts.mode = "userns";
  facts.userns_works = false;
  CHECK(bad(check_user(facts))[0].what.find("user namespaces do not work here") !=
        std::string::npos);
  facts = alice();
  facts.server_path = "/opt/s";
  facts.server_error = "server /opt/s is owned by uid 5, not root (chown root /opt/s)";
  CHECK(bad(check_user(facts))[0].what.find("server /opt/s is owned by uid 5") == 0);
}

}  // namespace
}  // namespace sftpsh
