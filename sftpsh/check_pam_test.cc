#include "sftpsh/check_pam.h"

#include <doctest/doctest.h>

namespace sftpsh {
namespace {

PamFacts debian() {
  PamFacts facts;
  facts.stack_file = "/etc/pam.d/sshd";
  facts.entries = parse_pam_file(
      "@include common-auth\n"
      "session    required     pam_env.so # [1]\n"
      "session    required     pam_env.so user_readenv=1 envfile=/etc/default/locale\n",
      "/etc/pam.d/sshd").entries;
  return facts;
}

TEST_CASE("check_pam_and_rc: /etc/ssh/sshrc") {
  PamFacts facts;
  facts.use_pam = false;
  auto none = check_pam_and_rc(facts);
  REQUIRE(none.size() == 2);
  CHECK(none[0].severity == Severity::kOk);
  CHECK(none[0].what == "no /etc/ssh/sshrc");
  CHECK(none[1].what == "UsePAM no: no PAM module reads ~/.pam_environment");

  facts.sshrc_exists = true;
  auto exists = check_pam_and_rc(facts);
  CHECK(exists[0].severity == Severity::kFail);
  CHECK(exists[0].what.find("/etc/ssh/sshrc exists: sshd runs it through /bin/sh outside the "
                            "jail") == 0);
  CHECK(exists[0].fix == "remove it (rm /etc/ssh/sshrc)");

  facts.sshrc_exists = false;
  facts.sshrc_error = "Permission denied";
  CHECK(check_pam_and_rc(facts)[0].severity == Severity::kFail);
}

TEST_CASE("check_pam_and_rc: pam_env user_readenv=1 warns, or fails with a writable home") {
  PamFacts facts = debian();
  auto warned = check_pam_and_rc(facts);
  REQUIRE(warned.size() == 2);
  CHECK(warned[1].severity == Severity::kWarn);
  CHECK(warned[1].what.find("pam_env reads ~/.pam_environment from the home outside the jail "
                            "(/etc/pam.d/sshd line 3: \"session    required     pam_env.so "
                            "user_readenv=1 envfile=/etc/default/locale\")") == 0);
  CHECK(warned[1].fix == "remove user_readenv=1 from /etc/pam.d/sshd line 3 (or UsePAM no)");

  facts.writable_homes = {"alice (/srv/jail/alice)"};
  auto failed = check_pam_and_rc(facts);
  CHECK(failed[1].severity == Severity::kFail);
  CHECK(failed[1].what.find("these users can write theirs: alice (/srv/jail/alice)") !=
        std::string::npos);

  facts.use_pam = false;
  CHECK(check_pam_and_rc(facts)[1].severity == Severity::kOk);
}

TEST_CASE("check_pam_and_rc: a stack without user_readenv=1, or none at all") {
  PamFacts facts = debian();
  facts.entries.pop_back();
  auto clean = check_pam_and_rc(facts);
  CHECK(clean[1].severity == Severity::kOk);
  CHECK(clean[1].what == "UsePAM yes, and no pam_env in /etc/pam.d/sshd reads "
                         "~/.pam_environment");
  facts.stack_file.clear();
  CHECK(check_pam_and_rc(facts)[1].severity == Severity::kWarn);
  facts = debian();
  facts.problems = {"cannot read /etc/pam.d/common-auth: No such file or directory"};
  auto problem = check_pam_and_rc(facts);
  CHECK(problem[1].severity == Severity::kWarn);
  CHECK(problem[1].what.find("cannot read /etc/pam.d/common-auth") == 0);
}

TEST_CASE("stack_uses") {
  const auto entries = parse_pam_file("auth required /lib/security/pam_shells.so\n", "f").entries;
  CHECK(stack_uses(entries, "pam_shells.so"));
  CHECK_FALSE(stack_uses(entries, "pam_env.so"));
}

}  // namespace
}  // namespace sftpsh
