#include "sftpsh/check_install.h"

#include <doctest/doctest.h>

namespace sftpsh {
namespace {

InstallFacts good() {
  InstallFacts facts;
  facts.self_path = "/usr/local/sbin/sftpsh";
  facts.file_capability = true;
  facts.capability_text = "cap_sys_chroot=ep";
  facts.shells = {{"/usr/local/sbin/sftpsh", true}};
  facts.config_path = "/etc/sftpsh.conf";
  facts.server_path = "/usr/local/libexec/sftpsh/sftp-server";
  return facts;
}

std::vector<Finding> with_severity(const std::vector<Finding>& findings, Severity severity) {
  std::vector<Finding> out;
  for (const auto& f : findings)
    if (f.severity == severity) out.push_back(f);
  return out;
}

TEST_CASE("check_installation: a capability install is all OK") {
  const auto findings = check_installation(good());
  REQUIRE(findings.size() == 5);
  CHECK(with_severity(findings, Severity::kOk).size() == 5);
  CHECK(findings[0].what == "sftpsh /usr/local/sbin/sftpsh is root's and not writable by group "
                            "or others, all the way from /");
  CHECK(findings[1].what == "file capability cap_sys_chroot=ep: the capability mode "
                            "(preferred)");
  CHECK(findings[2].what == "/usr/local/sbin/sftpsh is in /etc/shells");
  CHECK(findings[3].what == "config /etc/sftpsh.conf is trusted and parses");
  CHECK(findings[4].what == "server /usr/local/libexec/sftpsh/sftp-server is trusted and "
                            "executable");
}

TEST_CASE("check_installation: privilege modes") {
  InstallFacts facts = good();
  facts.file_capability = false;
  facts.setuid_root = true;
  auto setuid = check_installation(facts)[1];
  CHECK(setuid.severity == Severity::kOk);
  CHECK(setuid.what.find("setuid root: the setuid mode (note: root until") == 0);

  facts.setuid_root = false;
  facts.userns_probed = true;
  facts.userns_works = true;
  auto userns = check_installation(facts)[1];
  CHECK(userns.severity == Severity::kWarn);
  CHECK(userns.what.find("user-namespace mode only; unprivileged user namespaces work here") !=
        std::string::npos);
  CHECK(userns.fix == "setcap cap_sys_chroot+ep /usr/local/sbin/sftpsh");

  facts.userns_works = false;
  facts.userns_error = "unshare: Operation not permitted";
  auto none = check_installation(facts)[1];
  CHECK(none.severity == Severity::kFail);
  CHECK(none.what.find("do not work here (unshare: Operation not permitted): every session is "
                       "refused") != std::string::npos);

  facts = good();
  facts.nosuid_mount = true;
  facts.userns_probed = true;
  facts.userns_works = true;
  auto nosuid = check_installation(facts)[1];
  CHECK(nosuid.severity == Severity::kWarn);
  CHECK(nosuid.what.find("mounted nosuid") != std::string::npos);
}

TEST_CASE("check_installation: /etc/shells") {
  InstallFacts facts = good();
  facts.shells = {{"/usr/local/sbin/sftpsh", false}};
  auto missing = check_installation(facts)[2];
  CHECK(missing.severity == Severity::kWarn);
  CHECK(missing.what.find("/usr/local/sbin/sftpsh is not in /etc/shells") == 0);
  CHECK(missing.fix == "echo /usr/local/sbin/sftpsh >> /etc/shells (make install does that)");
  facts.pam_shells = true;
  auto refused = check_installation(facts)[2];
  CHECK(refused.severity == Severity::kFail);
  CHECK(refused.what.find("pam_shells") != std::string::npos);
  facts.shells_error = "Permission denied";
  CHECK(check_installation(facts)[2].what == "cannot read /etc/shells: Permission denied");
}

TEST_CASE("check_installation: binary, config and server problems FAIL") {
  InstallFacts facts = good();
  facts.self_trust_error = "sftpsh /usr/local/sbin/sftpsh is owned by uid 1000, not root";
  facts.config_error = "/etc/sftpsh.conf:3: unknown keyword \"Umsk\"";
  facts.server_error = "server /x is not executable";
  const auto fails = with_severity(check_installation(facts), Severity::kFail);
  REQUIRE(fails.size() == 3);
  CHECK(fails[0].what.find("sftpsh /usr/local/sbin/sftpsh is owned by uid 1000") == 0);
  CHECK(fails[1].what == "/etc/sftpsh.conf:3: unknown keyword \"Umsk\": sftpsh refuses every "
                         "session until it loads");
  CHECK(fails[2].what.find("server /x is not executable") == 0);

  facts = good();
  facts.config_missing = true;
  CHECK(check_installation(facts)[3].what == "no /etc/sftpsh.conf: the built-in defaults apply");
  facts.other_sftpsh_accounts = {"bob (/usr/sbin/sftpsh)"};
  auto other = check_installation(facts).back();
  CHECK(other.severity == Severity::kWarn);
  CHECK(other.what.find("account bob (/usr/sbin/sftpsh) has another sftpsh") == 0);
}

TEST_CASE("shell_listed") {
  constexpr std::string_view kShells =
      "# /etc/shells: valid login shells\n/bin/sh\n  /usr/local/sbin/sftpsh \r\n"
      "#/opt/sftpsh\n";
  CHECK(shell_listed(kShells, "/bin/sh"));
  CHECK(shell_listed(kShells, "/usr/local/sbin/sftpsh"));
  CHECK_FALSE(shell_listed(kShells, "/opt/sftpsh"));
  CHECK_FALSE(shell_listed(kShells, "/usr/local/sbin/sftps"));
  CHECK_FALSE(shell_listed("", "/bin/sh"));
}

}  // namespace
}  // namespace sftpsh
