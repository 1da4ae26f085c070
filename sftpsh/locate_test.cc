#include "sftpsh/locate.h"

#include <doctest/doctest.h>

namespace sftpsh {
namespace {

TEST_CASE("split_home: jail before the first /./, start after it") {
  auto a = split_home("/srv/jail/alice/./");
  REQUIRE(a.ok());
  CHECK(a->root == "/srv/jail/alice");
  CHECK(a->components == std::vector<std::string>{"srv", "jail", "alice"});
  CHECK(a->start == "/");

  auto b = split_home("/srv/jail/./alice");
  REQUIRE(b.ok());
  CHECK(b->root == "/srv/jail");
  CHECK(b->start == "/alice");

  auto c = split_home("/srv/jail/./alice/./upload/");
  REQUIRE(c.ok());
  CHECK(c->root == "/srv/jail");
  CHECK(c->start == "/alice/upload");
}

TEST_CASE("split_home normalises slashes and a trailing /.") {
  auto a = split_home("//srv//jail/alice/.");
  REQUIRE(a.ok());
  CHECK(a->root == "/srv/jail/alice");
  CHECK(a->start == "/");
  auto b = split_home("/srv/jail/alice/.//");
  REQUIRE(b.ok());
  CHECK(b->root == "/srv/jail/alice");
  CHECK(b->start == "/");
}

TEST_CASE("split_home refuses homes that are not jailed") {
  auto none = split_home("/home/alice");
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().find("has no \"/./\"") != std::string::npos);
  CHECK_FALSE(split_home("/home/alice/").ok());
  CHECK_FALSE(split_home("/home/alice/.hidden").ok());
  CHECK_FALSE(split_home("").ok());
}

TEST_CASE("split_home refuses relative homes, .. and a jail at /") {
  CHECK(split_home("srv/jail/./alice").error().find("not absolute") != std::string::npos);
  CHECK(split_home("/srv/../etc/./").error().find("\"..\"") != std::string::npos);
  CHECK_FALSE(split_home("/srv/jail/./alice/../..").ok());
  CHECK_FALSE(split_home("/srv/jail/alice/./..").ok());
  CHECK(split_home("/./alice").error().find("jail at \"/\"") != std::string::npos);
  CHECK_FALSE(split_home("//./").ok());
}

TEST_CASE("split_home keeps odd but legal names") {
  auto a = split_home("/srv/j ail/..x/..././a b");
  REQUIRE(a.ok());
  CHECK(a->components == std::vector<std::string>{"srv", "j ail", "..x", "..."});
  CHECK(a->start == "/a b");
}

TEST_CASE("host_home: the home without its /./, as sshd and PAM see it") {
  auto a = split_home("/srv/jail/alice/./");
  REQUIRE(a.ok());
  CHECK(a->start_components.empty());
  CHECK(host_home(*a) == "/srv/jail/alice");
  auto b = split_home("/srv/jail/./home//alice/");
  REQUIRE(b.ok());
  CHECK(b->start_components == std::vector<std::string>{"home", "alice"});
  CHECK(host_home(*b) == "/srv/jail/home/alice");
}

TEST_CASE("split_home refuses an overlong home") {
  CHECK_FALSE(split_home("/srv/./" + std::string(5000, 'a')).ok());
}

TEST_CASE("path_components drops empty and dot components and refuses dot-dot") {
  using Parts = std::vector<std::string>;
  CHECK(path_components("/srv//jail/./alice/") == Parts{"srv", "jail", "alice"});
  CHECK(path_components("relative/x") == Parts{"relative", "x"});
  CHECK(path_components("/") == Parts{});
  CHECK(path_components("") == Parts{});
  CHECK_FALSE(path_components("/srv/../etc").has_value());
  CHECK_FALSE(path_components("..").has_value());
  CHECK(path_components("/a/..b/c..") == Parts{"a", "..b", "c.."});
}

}  // namespace
}  // namespace sftpsh
