#include "sftpsh/check_sshd.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

namespace sftpsh {
namespace {

// What OpenSSH 9.2 prints for a user the shipped snippet matches (abridged).
constexpr std::string_view kGood =
    "usepam no\n"
    "x11forwarding no\n"
    "permittty no\n"
    "permituserrc no\n"
    "gatewayports no\n"
    "allowtcpforwarding no\n"
    "allowagentforwarding no\n"
    "disableforwarding yes\n"
    "allowstreamlocalforwarding no\n"
    "forcecommand none\n"
    "chrootdirectory none\n"
    "authorizedkeysfile /etc/ssh/authorized_keys/%u\n"
    "acceptenv LANG\n"
    "acceptenv LC_*\n"
    "subsystem sftp /usr/lib/openssh/sftp-server\n"
    "permittunnel no\n"
    "permitopen none\n"
    "permitlisten none\n"
    "permituserenvironment no\n";

SshdCheckContext context(int major = 9, int minor = 2) {
  return SshdCheckContext{OpensshVersion{true, major, minor},
                          {"/usr/local/libexec/sftpsh/sftp-server",
                           "/usr/lib/openssh/sftp-server"},
                          "/etc/sftpsh.conf"};
}

// kGood with `line` replacing the line of the same keyword (or added).
std::string with(std::string_view line) {
  const std::string keyword(line.substr(0, line.find(' ')));
  std::string text(kGood);
  const auto at = text.find("\n" + keyword + " ");
  if (at != std::string::npos) {
    const auto end = text.find('\n', at + 1);
    text.replace(at + 1, end - at - 1, line);
  } else {
    text += std::string(line) + "\n";
  }
  return text;
}

std::vector<Finding> run(std::string_view text, const SshdCheckContext& ctx = context()) {
  return check_sshd_config(parse_sshd_dump(text), ctx);
}

// The one finding that mentions `needle`; fails the test when not exactly one.
Finding about(const std::vector<Finding>& findings, std::string_view needle) {
  std::vector<Finding> hits;
  for (const auto& f : findings)
    if (f.what.find(needle) != std::string::npos) hits.push_back(f);
  REQUIRE_MESSAGE(hits.size() == 1, "findings about ", needle, ": ", hits.size());
  return hits.front();
}

bool all_ok(const std::vector<Finding>& findings) {
  return std::all_of(findings.begin(), findings.end(),
                     [](const Finding& f) { return f.severity == Severity::kOk; });
}

TEST_CASE("check_sshd_config: the shipped snippet's result is all OK") {
  const auto findings = run(kGood);
  CHECK(all_ok(findings));
  CHECK(about(findings, "Subsystem sftp").what ==
        "Subsystem sftp \"/usr/lib/openssh/sftp-server\" is an accepted SubsystemCommand");
  CHECK(about(findings, "AllowTcpForwarding").what == "AllowTcpForwarding no");
  CHECK(about(findings, "DisableForwarding").what == "DisableForwarding yes");
  CHECK(about(findings, "AcceptEnv").what ==
        "AcceptEnv LANG LC_*: no loader variable (LD_*, GCONV_PATH, ...) gets through");
}

TEST_CASE("check_sshd_config: internal-sftp under any subsystem name is unjailed SFTP") {
  auto f = about(run(with("subsystem sftp internal-sftp")), "internal-sftp");
  CHECK(f.severity == Severity::kFail);
  CHECK(f.what.find("outside any jail") != std::string::npos);
  CHECK(f.fix == "Subsystem sftp /usr/local/libexec/sftpsh/sftp-server");
  auto args = about(run(with("subsystem sftp internal-sftp -u 027")), "internal-sftp");
  CHECK(args.severity == Severity::kFail);
  auto other = run(std::string(kGood) + "subsystem sftp2 internal-sftp\n");
  CHECK(about(other, "Subsystem sftp2 internal-sftp").severity == Severity::kFail);
}

TEST_CASE("check_sshd_config: a Subsystem sftp sftpsh does not accept refuses all SFTP") {
  auto f = about(run(with("subsystem sftp /usr/libexec/openssh/sftp-server -l INFO")),
                 "Subsystem sftp");
  CHECK(f.severity == Severity::kFail);
  CHECK(f.what.find("sftpsh refuses every SFTP session") != std::string::npos);
  CHECK(f.fix == "Subsystem sftp /usr/local/libexec/sftpsh/sftp-server in sshd_config, or "
                 "\"SubsystemCommand /usr/libexec/openssh/sftp-server -l INFO\" in "
                 "/etc/sftpsh.conf");
  std::string none(kGood);
  none.erase(none.find("subsystem sftp"), none.find("permittunnel") - none.find("subsystem sftp"));
  CHECK(about(run(none), "no Subsystem sftp").severity == Severity::kFail);
}

TEST_CASE("check_sshd_config: ForceCommand and ChrootDirectory") {
  CHECK(about(run(with("forcecommand internal-sftp")), "ForceCommand").severity ==
        Severity::kFail);
  std::string both = with("chrootdirectory /srv/%u");
  both = both.replace(both.find("forcecommand none"), 17, "forcecommand internal-sftp");
  CHECK(about(run(both), "ForceCommand").severity == Severity::kWarn);
  CHECK(about(run(with("forcecommand /usr/lib/openssh/sftp-server")), "ForceCommand").severity ==
        Severity::kOk);
  CHECK(about(run(with("forcecommand /bin/true")), "ForceCommand").severity == Severity::kFail);
  CHECK(about(run(with("chrootdirectory /srv/%u")), "ChrootDirectory").severity ==
        Severity::kWarn);
}

TEST_CASE("check_sshd_config: every forwarding option off, each on its own") {
  for (const char* line : {"allowtcpforwarding yes", "allowtcpforwarding local",
                           "allowstreamlocalforwarding all", "x11forwarding yes",
                           "allowagentforwarding yes"}) {
    CAPTURE(line);
    std::string text = with(line);
    text.replace(text.find("disableforwarding yes"), 21, "disableforwarding no");
    const std::string keyword(std::string_view(line).substr(0, std::string_view(line).find(' ')));
    const auto findings = run(text);
    const auto bad = std::count_if(findings.begin(), findings.end(), [](const Finding& f) {
      return f.severity != Severity::kOk;
    });
    CHECK(bad == 1);
    for (const auto& f : findings) {
      if (f.severity == Severity::kOk) continue;
      CHECK(f.severity == Severity::kFail);
      CHECK(f.fix.find(" no (in the Match block for jailed users") != std::string::npos);
    }
  }
}

TEST_CASE("check_sshd_config: DisableForwarding is not trusted for X11/agent before 10.0") {
  // TCP and socket forwarding: DisableForwarding covers them in every version.
  auto tcp = about(run(with("allowtcpforwarding yes")), "AllowTcpForwarding");
  CHECK(tcp.severity == Severity::kWarn);
  CHECK(tcp.what == "AllowTcpForwarding yes, switched off only by DisableForwarding yes");
  // X11 and agent: not before 10.0 (CVE-2025-32728).
  const auto x11 = run(with("x11forwarding yes"));
  CHECK(about(x11, "X11Forwarding yes:").severity == Severity::kFail);
  auto cve = about(x11, "CVE-2025-32728");
  CHECK(cve.severity == Severity::kWarn);
  CHECK(cve.what.find("OpenSSH 9.2") != std::string::npos);
  CHECK(about(run(with("allowagentforwarding yes")), "AllowAgentForwarding yes:").severity ==
        Severity::kFail);
  // An unknown version counts as old.
  SshdCheckContext unknown = context();
  unknown.version = OpensshVersion{};
  CHECK(about(run(with("x11forwarding yes"), unknown), "X11Forwarding yes:").severity ==
        Severity::kFail);
  // 10.0 and later: covered, a warning to set it anyway.
  const auto ten = run(with("x11forwarding yes"), context(10, 0));
  CHECK(about(ten, "X11Forwarding yes").severity == Severity::kWarn);
  CHECK(std::any_of(ten.begin(), ten.end(), [](const Finding& f) {
    return f.what == "DisableForwarding yes" && f.severity == Severity::kOk;
  }));
}

TEST_CASE("check_sshd_config: tunnel, rc, user environment FAIL; tty and the rest WARN") {
  CHECK(about(run(with("permittunnel point-to-point")), "PermitTunnel").severity ==
        Severity::kFail);
  auto rc = about(run(with("permituserrc yes")), "PermitUserRC");
  CHECK(rc.severity == Severity::kFail);
  CHECK(rc.what.find("~/.ssh/rc") != std::string::npos);
  CHECK(rc.fix.find("PermitUserRC no") == 0);
  auto env = about(run(with("permituserenvironment LANG,LD_*")), "PermitUserEnvironment");
  CHECK(env.severity == Severity::kFail);
  CHECK(env.fix == "PermitUserEnvironment no (a global line: sshd takes none in a Match block)");
  CHECK(about(run(with("permittty yes")), "PermitTTY").severity == Severity::kWarn);
  CHECK(about(run(with("gatewayports clientspecified")), "GatewayPorts").severity ==
        Severity::kWarn);
  CHECK(about(run(with("permitopen any")), "PermitOpen").severity == Severity::kWarn);
  CHECK(about(run(with("permitlisten any")), "PermitListen").severity == Severity::kWarn);
}

TEST_CASE("check_sshd_config: a missing keyword can't be verified") {
  std::string text(kGood);
  text.erase(text.find("permituserrc no\n"), 16);
  auto f = about(run(text), "PermitUserRC");
  CHECK(f.severity == Severity::kFail);
  CHECK(f.what == "sshd -T shows no PermitUserRC: cannot verify it");
}

TEST_CASE("check_sshd_config: AcceptEnv patterns that reach the loader") {
  for (const char* pattern : {"LD_*", "*", "LD_PRELOAD", "L*", "GCONV_PATH", "?D_AUDIT",
                              "GLIBC_*"}) {
    CAPTURE(pattern);
    auto f = about(run(std::string(kGood) + "acceptenv " + pattern + "\n"),
                   std::string("AcceptEnv ") + pattern + " ");
    CHECK(f.severity == Severity::kFail);
    CHECK(f.fix.find("remove \"") == 0);
  }
  auto star = about(run(std::string(kGood) + "acceptenv *\n"), "AcceptEnv *");
  CHECK(star.what.find("LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT, GCONV_PATH") != std::string::npos);
  for (const char* pattern : {"LANG", "LC_*", "TZ", "SFTPSH_*", "XMODIFIERS"}) {
    CAPTURE(pattern);
    CHECK(all_ok(run(std::string(kGood) + "acceptenv " + pattern + "\n")));
  }
  std::string none(kGood);
  none.erase(none.find("acceptenv LANG\nacceptenv LC_*\n"), 30);
  CHECK(about(run(none), "AcceptEnv").what.find("AcceptEnv none") == 0);
}

}  // namespace
}  // namespace sftpsh
