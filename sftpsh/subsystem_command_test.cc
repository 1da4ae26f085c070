#include "sftpsh/subsystem_command.h"

#include <doctest/doctest.h>

#include <string>

namespace sftpsh {
namespace {

std::string normal(std::string_view value) {
  auto command = normalize_subsystem_command(value);
  REQUIRE_MESSAGE(command.ok(), command.error());
  return *command;
}

TEST_CASE("words are joined with single spaces, as sshd's Subsystem line") {
  CHECK(normal("/usr/lib/openssh/sftp-server") == "/usr/lib/openssh/sftp-server");
  CHECK(normal("/usr/lib/openssh/sftp-server   -l   INFO") ==
        "/usr/lib/openssh/sftp-server -l INFO");
  CHECK(normal("\t/usr/lib/openssh/sftp-server\t-l INFO \t") ==
        "/usr/lib/openssh/sftp-server -l INFO");
}

TEST_CASE("quotes are removed, and keep blanks inside a word") {
  CHECK(normal("\"/usr/lib/openssh/sftp-server\" -l 'INFO'") ==
        "/usr/lib/openssh/sftp-server -l INFO");
  CHECK(normal("\"/opt/my  sftp/server\"") == "/opt/my  sftp/server");
  CHECK(normal("/opt/\"a b\"/server") == "/opt/a b/server");
  CHECK(normal("/x 'say \"hi\"'") == "/x say \"hi\"");
  CHECK(normal("/x \"\" y") == "/x  y");  // an empty word still gets its space
}

TEST_CASE("backslash escapes as in misc.c argv_split") {
  CHECK(normal("/opt/my\\ server -x") == "/opt/my server -x");
  CHECK(normal("/x \\\"q\\\"") == "/x \"q\"");
  CHECK(normal("/x a\\\\b") == "/x a\\b");
  CHECK(normal("/x a\\nb") == "/x a\\nb");         // unrecognised: the backslash stays
  CHECK(normal("/x \"a\\ b\"") == "/x a\\ b");     // a blank escaped only outside quotes
  CHECK(normal("/x \"a\\\"b\"") == "/x a\"b");
  CHECK(normal("/x a\\") == "/x a\\");
}

TEST_CASE("a word starting with # ends the line, as in sshd_config") {
  CHECK(normal("/usr/lib/openssh/sftp-server # Debian's") == "/usr/lib/openssh/sftp-server");
  CHECK(normal("/x a#b") == "/x a#b");
}

TEST_CASE("unterminated quotes and empty commands are errors") {
  CHECK_FALSE(normalize_subsystem_command("\"/x -l").ok());
  CHECK_FALSE(normalize_subsystem_command("/x 'a").ok());
  CHECK_FALSE(normalize_subsystem_command("").ok());
  CHECK_FALSE(normalize_subsystem_command("# nothing").ok());
  CHECK_FALSE(normalize_subsystem_command("\"\" -l").ok());  // sshd: missing command
}

}  // namespace
}  // namespace sftpsh
