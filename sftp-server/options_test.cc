#include "sftp-server/options.h"

#include <syslog.h>

#include <array>
#include <vector>

#include <doctest/doctest.h>

using namespace sftpsh;
using namespace sftpsh::server;

namespace {

constexpr std::array<std::string_view, 4> kKnown{"open", "read", "write", "remove"};

Result<Options> parse(std::vector<std::string_view> args) {
  return parse_options(args, kKnown);
}

UserEntry alice() { return UserEntry{"alice", 1001, 1001, "/home/alice", ""}; }

}  // namespace

TEST_CASE("no options gives OpenSSH's defaults") {
  const auto o = parse({});
  REQUIRE(o.ok());
  CHECK_FALSE(o->read_only);
  CHECK_FALSE(o->log_stderr);
  CHECK(o->log_level == LogLevel::kError);
  CHECK(o->log_facility == LOG_AUTH);
  CHECK_FALSE(o->umask.has_value());
  CHECK(o->handover_fd == -1);
}

TEST_CASE("every option is understood, separate or attached") {
  const auto o = parse({"-eR", "-d", "/srv/%u", "-fLOCAL3", "-l", "verbose", "-P", "remove",
                        "-p", "open,read", "-u", "027", "-H", "5"});
  REQUIRE(o.ok());
  CHECK(o->log_stderr);
  CHECK(o->read_only);
  CHECK(o->start_directory == "/srv/%u");
  CHECK(o->log_facility == LOG_LOCAL3);
  CHECK(o->log_level == LogLevel::kVerbose);
  CHECK(*o->denied_requests == std::vector<std::string>{"remove"});
  CHECK(*o->allowed_requests == std::vector<std::string>{"open", "read"});
  CHECK(o->umask == 027);
  CHECK(o->handover_fd == 5);
}

TEST_CASE("-Q and -h are recorded for main to act on") {
  CHECK(parse({"-Q", "requests"})->query == "requests");
  CHECK(parse({"-h"})->usage);
}

TEST_CASE("bad values are errors that name the problem") {
  CHECK(parse({"-u", "999"}).error() == "Invalid umask \"999\"");
  CHECK(parse({"-u", "08"}).error() == "Invalid umask \"08\"");
  CHECK(parse({"-u", ""}).error() == "Invalid umask \"\"");
  CHECK(parse({"-l", "LOUD"}).error() == "Invalid log level \"LOUD\"");
  CHECK(parse({"-f", "KERN"}).error() == "Invalid log facility \"KERN\"");
  CHECK(parse({"-z"}).error() == "illegal option -- z");
  CHECK(parse({"-d"}).error() == "option requires an argument -- d");
  CHECK(parse({"-H", "x"}).error() == "Invalid hand-over descriptor \"x\"");
}

TEST_CASE("a request list may be given once, and only with known names") {
  CHECK(parse({"-p", "open", "-p", "read"}).error() == "Permitted requests already set");
  CHECK(parse({"-P", "open", "-P", "read"}).error() == "Refused requests already set");
  CHECK(parse({"-P", "remve"}).error() == "unknown request \"remve\" in -P (see -Q requests)");
}

TEST_CASE("-c and everything after it is ignored, as when run as a shell") {
  const auto o = parse({"-R", "-c", "-u", "999", "/usr/lib/openssh/sftp-server"});
  REQUIRE(o.ok());
  CHECK(o->read_only);
  CHECK_FALSE(o->umask.has_value());
}

TEST_CASE("options end at -- or the first operand") {
  const auto o = parse({"-R", "--", "-u", "999"});
  REQUIRE(o.ok());
  CHECK_FALSE(o->umask.has_value());
  CHECK(parse({"operand", "-z"}).ok());
}

TEST_CASE("start directory expansion: %d %u %U %% and ~") {
  NameDb names;
  names.add_user(UserEntry{"bob", 1002, 1002, "/home/bob/", ""});
  CHECK(expand_start_directory("%d/up", alice(), names).value() == "/home/alice/up");
  CHECK(expand_start_directory("/srv/%u/%U/100%%", alice(), names).value() ==
        "/srv/alice/1001/100%");
  CHECK(expand_start_directory("~", alice(), names).value() == "/home/alice/");
  CHECK(expand_start_directory("~/x", alice(), names).value() == "/home/alice/x");
  CHECK(expand_start_directory("~bob//x", alice(), names).value() == "/home/bob/x");
  CHECK_FALSE(expand_start_directory("~nobody/x", alice(), names).ok());
  CHECK(expand_start_directory("%x", alice(), names).error() == "percent_expand: unknown key %x");
  CHECK_FALSE(expand_start_directory("50%", alice(), names).ok());
}
