#include "sftpsh/check_user_facts.h"

#include <doctest/doctest.h>

namespace sftpsh {
namespace {

TEST_CASE("walk facts survive the trip through the pipe") {
  WalkFacts facts;
  facts.jail_error = "bad modes for jail component /srv/x: mode 0775\tweird\nname\\";
  facts.home_checked = true;
  facts.home_writable_at = "/srv/jail/alice";
  facts.paths.push_back(PathFact{"/srv/jail/alice/.ssh", PathFact::Kind::kDirectory, 1001,
                                 true, ""});
  facts.paths.push_back(PathFact{"/srv/jail/alice/.pam_environment", PathFact::Kind::kError, 0,
                                 false, "Permission denied"});
  facts.keys.push_back(KeyFileFact{"/srv/jail/alice/.ssh/authorized_keys", false,
                                   "/srv/jail/alice/.ssh", ""});
  const auto back = decode_walk_facts(encode_walk_facts(facts));
  REQUIRE(back.ok());
  CHECK(back->jail_error == facts.jail_error);
  CHECK(back->home_checked);
  CHECK(back->home_error.empty());
  CHECK(back->home_writable_at == "/srv/jail/alice");
  REQUIRE(back->paths.size() == 2);
  CHECK(back->paths[0].path == "/srv/jail/alice/.ssh");
  CHECK(back->paths[0].kind == PathFact::Kind::kDirectory);
  CHECK(back->paths[0].owner == 1001);
  CHECK(back->paths[0].user_writable);
  CHECK(back->paths[1].kind == PathFact::Kind::kError);
  CHECK(back->paths[1].error == "Permission denied");
  REQUIRE(back->keys.size() == 1);
  CHECK_FALSE(back->keys[0].exists);
  CHECK(back->keys[0].writable_at == "/srv/jail/alice/.ssh");
}

TEST_CASE("decode_walk_facts refuses what a child cut short or garbled") {
  const std::string good = encode_walk_facts(WalkFacts{});
  CHECK(decode_walk_facts(good).ok());
  CHECK_FALSE(decode_walk_facts("").ok());
  CHECK_FALSE(decode_walk_facts(good.substr(0, good.size() - 1)).ok());
  CHECK_FALSE(decode_walk_facts("jail\t\n").ok());  // no home record
  CHECK_FALSE(decode_walk_facts(good + "path\tx\t9\t0\t0\t\n").ok());
  CHECK_FALSE(decode_walk_facts(good + "what\n").ok());
  CHECK_FALSE(decode_walk_facts("jail\t\\q\nhome\t0\t\t\n").ok());
  CHECK(decode_walk_facts("jail\t\nhome\t0\t\t\n").ok());
}

}  // namespace
}  // namespace sftpsh
