#include "sftpsh/check_options.h"

#include <doctest/doctest.h>

#include <vector>

namespace sftpsh {
namespace {

Result<CheckOptions> parse(std::vector<std::string_view> args) {
  return parse_check_options(args);
}

TEST_CASE("parse_check_options: users and -f") {
  auto none = parse({});
  REQUIRE(none.ok());
  CHECK(none->sshd_config.empty());
  CHECK(none->users.empty());
  CHECK_FALSE(none->help);

  auto some = parse({"-f", "/srv/t/sshd_config", "alice", "bob"});
  REQUIRE(some.ok());
  CHECK(some->sshd_config == "/srv/t/sshd_config");
  CHECK(some->users == std::vector<std::string>{"alice", "bob"});

  auto after = parse({"alice", "-f", "/x"});
  REQUIRE(after.ok());
  CHECK(after->sshd_config == "/x");
  CHECK(after->users == std::vector<std::string>{"alice"});

  auto dashed = parse({"--", "-odd"});
  REQUIRE(dashed.ok());
  CHECK(dashed->users == std::vector<std::string>{"-odd"});

  CHECK(parse({"-h"})->help);
  CHECK(parse({"--help"})->help);
}

TEST_CASE("parse_check_options: usage errors name the word") {
  CHECK(parse({"-f"}).error() == "option -f needs a file name");
  CHECK(parse({"-f", ""}).error() == "option -f needs a file name");
  CHECK(parse({"-f", "a", "-f", "b"}).error() == "option -f given twice");
  CHECK(parse({"-x"}).error() == "unknown option \"-x\"");
  CHECK(parse({"-fconfig"}).error() == "unknown option \"-fconfig\"");
  CHECK(parse({""}).error() == "\"\" is not a user name");
  CHECK(parse({"a:b"}).error() == "\"a:b\" is not a user name");
  CHECK(parse({"../x"}).error() == "\"../x\" is not a user name");
}

}  // namespace
}  // namespace sftpsh
