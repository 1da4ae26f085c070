#include "sftpsh/check_groups.h"

#include <doctest/doctest.h>

namespace sftpsh {
namespace {

TEST_CASE("groups_of: primary, then the groups listing the user") {
  constexpr std::string_view kGroup =
      "root:x:0:\n"
      "sftponly:x:900:bob,alice\n"
      "alice:x:1001:\n"
      "staff:x:50:alicex,xalice\n"
      "# comment:x:7:alice\n"
      "+nis\n"
      "broken:x:notanumber:alice\n"
      "uploads:x:901:alice\n";
  const auto groups = groups_of(kGroup, "alice", 1001);
  REQUIRE(groups.size() == 3);
  CHECK(groups[0].name == "alice");
  CHECK(groups[0].gid == 1001);
  CHECK(groups[1].name == "sftponly");
  CHECK(groups[1].gid == 900);
  CHECK(groups[2].name == "uploads");

  const auto unnamed = groups_of("", "carol", 4242);
  REQUIRE(unnamed.size() == 1);
  CHECK(unnamed[0].name == "4242");
  // a primary group that also lists the user counts once
  CHECK(groups_of("g:x:5:dave\n", "dave", 5).size() == 1);
}

}  // namespace
}  // namespace sftpsh
