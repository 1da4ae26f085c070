#include "sftpsh/pam_stack.h"

#include <doctest/doctest.h>

#include <vector>

namespace sftpsh {
namespace {

// Debian 12's /etc/pam.d/sshd, abridged.
constexpr std::string_view kDebianSshd =
    "# PAM configuration for the Secure Shell service\n"
    "\n"
    "@include common-auth\n"
    "account    required     pam_nologin.so\n"
    "session [success=ok ignore=ignore module_unknown=ignore default=bad]        "
    "pam_selinux.so close\n"
    "session    required     pam_env.so # [1]\n"
    "session    required     pam_env.so user_readenv=1 envfile=/etc/default/locale\n"
    "-session   optional     pam_systemd.so\n"
    "session    include      common-session-extra\n"
    "auth       required     /lib/x86_64-linux-gnu/security/pam_shells.so \\\n"
    "   debug\n";

TEST_CASE("parse_pam_file: entries, bracketed controls, comments, includes") {
  const PamFile file = parse_pam_file(kDebianSshd, "/etc/pam.d/sshd");
  CHECK(file.includes == std::vector<std::string>{"common-auth", "common-session-extra"});
  REQUIRE(file.entries.size() == 6);
  CHECK(file.entries[0].type == "account");
  CHECK(file.entries[0].module == "pam_nologin.so");
  CHECK(file.entries[1].control ==
        "[success=ok ignore=ignore module_unknown=ignore default=bad]");
  CHECK(file.entries[1].module == "pam_selinux.so");
  CHECK(file.entries[1].arguments == std::vector<std::string>{"close"});
  CHECK(file.entries[2].arguments.empty());  // the comment is not an argument
  const PamEntry& env = file.entries[3];
  CHECK(env.file == "/etc/pam.d/sshd");
  CHECK(env.line == 7);
  CHECK(env.module_name() == "pam_env.so");
  CHECK(env.has_argument("user_readenv=1"));
  CHECK_FALSE(env.has_argument("user_readenv=0"));
  CHECK(env.text == "session    required     pam_env.so user_readenv=1 "
                    "envfile=/etc/default/locale");
  CHECK(file.entries[4].type == "session");  // "-session"
  CHECK(file.entries[4].module == "pam_systemd.so");
  const PamEntry& shells = file.entries[5];
  CHECK(shells.line == 10);
  CHECK(shells.module_name() == "pam_shells.so");
  CHECK(shells.arguments == std::vector<std::string>{"debug"});
}

TEST_CASE("parse_pam_file: empty and odd input") {
  CHECK(parse_pam_file("", "x").entries.empty());
  CHECK(parse_pam_file("# only\n   \n", "x").entries.empty());
  CHECK(parse_pam_file("@include\n", "x").includes.empty());
  const PamFile unterminated = parse_pam_file("auth [x=y pam_a.so", "x");
  REQUIRE(unterminated.entries.size() == 1);
  CHECK(unterminated.entries[0].control == "[x=y pam_a.so");
}

TEST_CASE("pam_include_path") {
  CHECK(pam_include_path("common-auth") == "/etc/pam.d/common-auth");
  CHECK(pam_include_path("/etc/security/x") == "/etc/security/x");
}

}  // namespace
}  // namespace sftpsh
