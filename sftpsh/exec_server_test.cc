#include "sftpsh/exec_server.h"

#include <doctest/doctest.h>

namespace sftpsh {
namespace {

using Args = std::vector<std::string>;

TEST_CASE("server_argv: only the hand-over by default") {
  CHECK(server_argv(Settings{}, 5) == Args{"sftp-server", "-H", "5"});
}

TEST_CASE("server_argv maps each setting to the OpenSSH option") {
  Settings s;
  s.umask = 027;
  s.read_only = true;
  s.allow_requests = "open,read";
  s.deny_requests = "remove";
  s.start_directory = "%d/upload";
  s.log_level = LogLevel::kVerbose;
  s.log_facility = "LOCAL3";
  CHECK(server_argv(s, 7) == Args{"sftp-server", "-H", "7", "-u", "0027", "-R", "-p",
                                  "open,read", "-P", "remove", "-d", "%d/upload", "-l", "VERBOSE",
                                  "-f", "LOCAL3"});
  s = Settings{};
  s.umask = 0;
  CHECK(server_argv(s, 3) == Args{"sftp-server", "-H", "3", "-u", "0000"});
}

TEST_CASE("server_argv never contains the client's command") {
  Settings s;
  s.subsystem_commands = {"/usr/lib/openssh/sftp-server -d /etc"};
  CHECK(server_argv(s, 4) == Args{"sftp-server", "-H", "4"});
}

TEST_CASE("server_environment is built from named values only") {
  CHECK(server_environment("alice", "/upload") ==
        Args{"HOME=/upload", "USER=alice", "LOGNAME=alice", "PATH=/usr/bin:/bin"});
}

TEST_CASE("the host's zone rule reaches the server as TZ, so ls -l shows local time") {
  CHECK(server_environment("alice", "/", std::string("CET-1CEST,M3.5.0,M10.5.0/3")) ==
        Args{"HOME=/", "USER=alice", "LOGNAME=alice", "PATH=/usr/bin:/bin",
             "TZ=CET-1CEST,M3.5.0,M10.5.0/3"});
}

}  // namespace
}  // namespace sftpsh
