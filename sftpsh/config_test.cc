#include "sftpsh/config.h"

#include <doctest/doctest.h>

namespace sftpsh {
namespace {

constexpr std::string_view kServer = "/usr/local/libexec/sftpsh/sftp-server";

Settings resolve(std::string_view text, Subject subject = {"alice", {"alice", "sftp"}}) {
  auto config = parse_config(text, "test.conf");
  REQUIRE_MESSAGE(config.ok(), config.error());
  return resolve_settings(*config, subject, kServer);
}

std::string parse_error(std::string_view text) {
  auto config = parse_config(text, "/etc/sftpsh.conf");
  REQUIRE_FALSE(config.ok());
  return config.error();
}

TEST_CASE("an empty config gives the built-in defaults") {
  const Settings s = resolve("");
  CHECK(s.server == kServer);
  CHECK(s.subsystem_commands ==
        std::vector<std::string>{std::string(kServer), "/usr/lib/openssh/sftp-server"});
  CHECK(s.deny_message == default_deny_message());
  CHECK_FALSE(s.umask.has_value());
  CHECK_FALSE(s.read_only);
  CHECK(s.allow_requests.empty());
  CHECK(s.deny_requests.empty());
  CHECK_FALSE(s.log_level.has_value());
  CHECK_FALSE(s.log_facility.has_value());
  CHECK(s.start_directory.empty());
  CHECK(s.privilege_mode == PrivilegeMode::kAuto);
}

TEST_CASE("the default deny message names the account and tells scp -O users what to do") {
  const std::string message = expand_deny_message(default_deny_message(), "alice");
  CHECK(message.find("(alice) is for SFTP only") != std::string::npos);
  CHECK(message.find("without -O") != std::string::npos);
}

TEST_CASE("every keyword parses, case-insensitively, with space or =") {
  const Settings s = resolve(
      "# comment\n"
      "\n"
      "  DenyMessage   No shell for %u.  \n"
      "subsystemcommand /opt/sftp-server -l INFO\n"
      "SubsystemCommand=\"/usr/lib/openssh/sftp-server\"\n"
      "Server /opt/sftp-server\r\n"
      "Umask = 027\n"
      "READONLY yes\n"
      "AllowRequests open,close,read,readdir,stat,lstat,realpath,posix-rename@openssh.com\n"
      "DenyRequests remove,rmdir\n"
      "LogLevel verbose\n"
      "LogFacility local3\n"
      "StartDirectory %d/upload\n"
      "PrivilegeMode Capability\n");
  CHECK(s.deny_message == "No shell for %u.");
  CHECK(s.subsystem_commands ==
        std::vector<std::string>{"/opt/sftp-server -l INFO", "/usr/lib/openssh/sftp-server"});
  CHECK(s.server == "/opt/sftp-server");
  CHECK(s.umask == 027u);
  CHECK(s.read_only);
  CHECK(s.allow_requests ==
        "open,close,read,readdir,stat,lstat,realpath,posix-rename@openssh.com");
  CHECK(s.deny_requests == "remove,rmdir");
  CHECK(s.log_level == LogLevel::kVerbose);
  CHECK(s.log_facility == "LOCAL3");
  CHECK(s.start_directory == "%d/upload");
  CHECK(s.privilege_mode == PrivilegeMode::kCapability);
}

TEST_CASE("the first obtained value wins within a scope") {
  const Settings s = resolve("Umask 077\nUmask 022\nReadOnly no\nReadOnly yes\n");
  CHECK(s.umask == 077u);
  CHECK_FALSE(s.read_only);
}

TEST_CASE("a configured Server joins the default subsystem commands") {
  const Settings s = resolve("Server /opt/sftp-server\n");
  CHECK(s.subsystem_commands == std::vector<std::string>{"/opt/sftp-server", std::string(kServer),
                                                         "/usr/lib/openssh/sftp-server"});
}

TEST_CASE("Match blocks override the global section; the first matching block wins") {
  const std::string_view text =
      "Umask 022\n"
      "ReadOnly no\n"
      "Match User bob\n"
      "  Umask 077\n"
      "Match Group sftp\n"
      "  ReadOnly yes\n"
      "  Umask 027\n"
      "Match All\n"
      "  Umask 007\n"
      "  LogLevel DEBUG2\n";
  const Settings alice = resolve(text, {"alice", {"alice", "sftp"}});
  CHECK(alice.umask == 027u);
  CHECK(alice.read_only);
  CHECK(alice.log_level == LogLevel::kDebug2);
  const Settings bob = resolve(text, {"bob", {"bob"}});
  CHECK(bob.umask == 077u);
  CHECK_FALSE(bob.read_only);
  const Settings carol = resolve(text, {"carol", {"carol"}});
  CHECK(carol.umask == 007u);
}

TEST_CASE("Match criteria: patterns, negation, several criteria") {
  const std::string_view text =
      "Match User a*,!admin Group sftp\n"
      "  DenyMessage matched\n";
  CHECK(resolve(text, {"alice", {"sftp"}}).deny_message == "matched");
  CHECK(resolve(text, {"alice", {"users"}}).deny_message != "matched");
  CHECK(resolve(text, {"admin", {"sftp"}}).deny_message != "matched");
  CHECK(resolve(text, {"bob", {"sftp"}}).deny_message != "matched");
  CHECK(resolve("match group *,!staff\nReadOnly yes\n", {"x", {"x", "staff"}}).read_only == false);
  CHECK(resolve("match group *,!staff\nReadOnly yes\n", {"x", {"x"}}).read_only);
}

TEST_CASE("SubsystemCommand lines of the scope that supplies them replace the defaults") {
  const std::string_view text =
      "SubsystemCommand /global\n"
      "SubsystemCommand /global2\n"
      "Match User alice\n"
      "  SubsystemCommand /alice\n";
  CHECK(resolve(text, {"alice", {}}).subsystem_commands == std::vector<std::string>{"/alice"});
  CHECK(resolve(text, {"bob", {}}).subsystem_commands ==
        std::vector<std::string>{"/global", "/global2"});
}

TEST_CASE("SubsystemCommand is compared in the form sshd passes it") {
  // sshd splits its Subsystem line into words and joins them with single
  // spaces: these are what the shell gets with -c.
  const std::string_view text =
      "SubsystemCommand /usr/lib/openssh/sftp-server   -l\tINFO  \n"
      "SubsystemCommand \"/opt/my sftp/server\" -f \"LOCAL5\"\n"
      "SubsystemCommand \"/usr/local/libexec/sftp-server -R\"\n";
  CHECK(resolve(text).subsystem_commands ==
        std::vector<std::string>{"/usr/lib/openssh/sftp-server -l INFO",
                                 "/opt/my sftp/server -f LOCAL5",
                                 "/usr/local/libexec/sftp-server -R"});
  CHECK(parse_error("SubsystemCommand \"/x -l\n") ==
        "/etc/sftpsh.conf:1: SubsystemCommand: unterminated quote (sshd refuses such a line too)");
  CHECK(parse_error("SubsystemCommand \"\"\n").find("SubsystemCommand: no command") !=
        std::string::npos);
}

TEST_CASE("errors name the file and the line") {
  CHECK(parse_error("Umask 022\nFrobnicate yes\n") ==
        "/etc/sftpsh.conf:2: unknown keyword \"Frobnicate\"");
  CHECK(parse_error("Umask 0999\n") == "/etc/sftpsh.conf:1: \"0999\" is not an octal umask");
  CHECK(parse_error("Umask 01000\n") == "/etc/sftpsh.conf:1: \"01000\" is not an octal umask");
  CHECK(parse_error("Umask\n") == "/etc/sftpsh.conf:1: Umask needs a value");
  CHECK(parse_error("ReadOnly maybe\n") == "/etc/sftpsh.conf:1: \"maybe\" is not yes or no");
  CHECK(parse_error("Server sftp-server\n").find("not an absolute path") != std::string::npos);
  CHECK(parse_error("LogLevel LOUD\n").find("is not a log level") != std::string::npos);
  CHECK(parse_error("LogFacility KERN\n").find("is not a syslog facility") != std::string::npos);
  CHECK(parse_error("PrivilegeMode root\n").find("is not a privilege mode") != std::string::npos);
  CHECK(parse_error("AllowRequests open,,read\n").find("request names") != std::string::npos);
  CHECK(parse_error("AllowRequests open,\n").find("empty request name") != std::string::npos);
  CHECK(parse_error("DenyRequests open;id\n").find("request names") != std::string::npos);
  CHECK(parse_error("DenyMessage 100%\n").find("%u") != std::string::npos);
  CHECK(parse_error("DenyMessage %s\n").find("%u") != std::string::npos);
  CHECK(parse_error("\n\nMatch Host x\n") ==
        "/etc/sftpsh.conf:3: Match: unknown criterion \"Host\" (sftpsh matches User, Group "
        "or All)");
  CHECK(parse_error("Match User\n").find("Match User needs a pattern list") != std::string::npos);
  CHECK(parse_error("Match All User x\n").find("Match All must stand alone") != std::string::npos);
  CHECK(parse_error("Match\n").find("Match needs a value") != std::string::npos);
  CHECK(parse_error(std::string_view("Umask 022\0\n", 11)).find("NUL") != std::string::npos);
}

TEST_CASE("expand_deny_message replaces %u and %%") {
  CHECK(expand_deny_message("%u: 100%% SFTP", "alice") == "alice: 100% SFTP");
  CHECK(expand_deny_message("plain", "alice") == "plain");
}

TEST_CASE("privilege mode names round-trip") {
  CHECK(privilege_mode_name(PrivilegeMode::kUserNamespace) == "userns");
  CHECK(resolve("PrivilegeMode userns\n").privilege_mode == PrivilegeMode::kUserNamespace);
  CHECK(resolve("PrivilegeMode setuid\n").privilege_mode == PrivilegeMode::kSetuid);
  CHECK(resolve("PrivilegeMode auto\n").privilege_mode == PrivilegeMode::kAuto);
}

}  // namespace
}  // namespace sftpsh
