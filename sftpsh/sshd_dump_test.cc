#include "sftpsh/sshd_dump.h"

#include <doctest/doctest.h>

#include <vector>

namespace sftpsh {
namespace {

// The shape of OpenSSH 9.2's `sshd -T` (abridged).
constexpr std::string_view kDump =
    "port 22\n"
    "usepam yes\n"
    "x11forwarding yes\n"
    "permituserrc yes\n"
    "authorizedkeysfile .ssh/authorized_keys .ssh/authorized_keys2\n"
    "acceptenv LANG\n"
    "acceptenv LC_*\n"
    "subsystem sftp /usr/lib/openssh/sftp-server -l INFO\n"
    "permitopen any\n"
    "ipqos lowdelay throughput\n"
    "moduli\n";

TEST_CASE("parse_sshd_dump: keyword and the rest of the line") {
  const SshdDump dump = parse_sshd_dump(kDump);
  CHECK(dump.first("usepam") == "yes");
  CHECK(dump.first("authorizedkeysfile") == ".ssh/authorized_keys .ssh/authorized_keys2");
  CHECK(dump.first("subsystem") == "sftp /usr/lib/openssh/sftp-server -l INFO");
  CHECK(dump.all("acceptenv") == std::vector<std::string_view>{"LANG", "LC_*"});
  CHECK(dump.first("moduli") == "");
  CHECK_FALSE(dump.first("allowagentforwarding"));
  CHECK(dump.all("hostkey").empty());
  CHECK_FALSE(dump.empty());
  CHECK(parse_sshd_dump("").empty());
  CHECK(parse_sshd_dump("\n\n").empty());
}

TEST_CASE("parse_sshd_dump lower-cases keywords, keeps values, drops CR") {
  const SshdDump dump = parse_sshd_dump("PermitTTY no\r\nForceCommand /x Y\n");
  CHECK(dump.first("permittty") == "no");
  CHECK(dump.first("forcecommand") == "/x Y");
}

TEST_CASE("parse_openssh_version") {
  const auto debian = parse_openssh_version("OpenSSH_9.2p1 Debian-2+deb12u3, OpenSSL 3.0.15\n");
  CHECK(debian.known);
  CHECK(debian.major == 9);
  CHECK(debian.minor == 2);
  CHECK(debian.text() == "9.2");
  CHECK_FALSE(debian.at_least(10, 0));
  CHECK(debian.at_least(9, 2));
  CHECK(debian.at_least(8, 9));

  const auto ten = parse_openssh_version("unknown option -- V\nOpenSSH_10.0p2, LibreSSL 4.0");
  CHECK(ten.at_least(10, 0));
  CHECK(parse_openssh_version("OpenSSH_9.10, x").at_least(9, 9));

  const auto none = parse_openssh_version("sshd: command not found");
  CHECK_FALSE(none.known);
  CHECK_FALSE(none.at_least(1, 0));
  CHECK(none.text() == "unknown");
  CHECK_FALSE(parse_openssh_version("OpenSSH_x.2 OpenSSH_9").known);
}

}  // namespace
}  // namespace sftpsh
