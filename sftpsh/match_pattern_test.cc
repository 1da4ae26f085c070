#include "sftpsh/match_pattern.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace sftpsh {
namespace {

TEST_CASE("match_pattern: literal, ? and *") {
  CHECK(match_pattern("alice", "alice"));
  CHECK_FALSE(match_pattern("alice", "Alice"));  // case-sensitive, as sshd for users
  CHECK_FALSE(match_pattern("alice", "alic"));
  CHECK(match_pattern("alice", "al?ce"));
  CHECK_FALSE(match_pattern("alce", "al?ce"));
  CHECK(match_pattern("alice", "*"));
  CHECK(match_pattern("", "*"));
  CHECK(match_pattern("alice", "a*"));
  CHECK(match_pattern("alice", "*e"));
  CHECK(match_pattern("alice", "a*c*e"));
  CHECK_FALSE(match_pattern("alice", "a*x*e"));
  CHECK(match_pattern("sftp-alice-1", "sftp-*-?"));
  CHECK(match_pattern("aaa", "*a*a*a*"));
  CHECK_FALSE(match_pattern("aa", "*a*a*a*"));
}

TEST_CASE("match_pattern_list: any positive, no negative") {
  CHECK(match_pattern_list("alice", "bob,alice"));
  CHECK(match_pattern_list("alice", "bob,a*"));
  CHECK_FALSE(match_pattern_list("carol", "bob,a*"));
  CHECK_FALSE(match_pattern_list("alice", "*,!alice"));
  CHECK(match_pattern_list("bob", "*,!alice"));
  CHECK_FALSE(match_pattern_list("bob", "!alice"));  // negations alone match nothing
  CHECK_FALSE(match_pattern_list("alice", "!a*,alice"));
  CHECK_FALSE(match_pattern_list("alice", ""));
  CHECK_FALSE(match_pattern_list("alice", ",,"));
}

TEST_CASE("match_any_pattern_list: a negated hit on any name vetoes, as sshd's Match Group") {
  const std::vector<std::string> staff{"alice", "staff"};
  const std::vector<std::string> plain{"alice", "sftp"};
  CHECK(match_any_pattern_list(plain, "sftp"));
  CHECK(match_any_pattern_list(plain, "*,!staff"));
  CHECK_FALSE(match_any_pattern_list(staff, "*,!staff"));
  CHECK_FALSE(match_any_pattern_list(staff, "sftp"));
  CHECK_FALSE(match_any_pattern_list({}, "*"));
}

}  // namespace
}  // namespace sftpsh
