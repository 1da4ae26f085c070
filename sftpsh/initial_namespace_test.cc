#include "sftpsh/initial_namespace.h"

#include <doctest/doctest.h>

namespace sftpsh {
namespace {

TEST_CASE("is_initial_uid_map: only the identity map of every id") {
  CHECK(is_initial_uid_map("         0          0 4294967295\n"));
  CHECK(is_initial_uid_map("0 0 4294967295"));
  // unshare -r as uid 1001: root inside is 1001 outside
  CHECK_FALSE(is_initial_uid_map("         0       1001          1\n"));
  // a container's range
  CHECK_FALSE(is_initial_uid_map("         0     100000      65536\n"));
  // identity, but not of every id
  CHECK_FALSE(is_initial_uid_map("         0          0 4294967294\n"));
  // a second line is another namespace's kind of map
  CHECK_FALSE(is_initial_uid_map("0 0 4294967295\n1 1 1\n"));
  CHECK_FALSE(is_initial_uid_map(""));
  CHECK_FALSE(is_initial_uid_map("0 0"));
  CHECK_FALSE(is_initial_uid_map("x 0 4294967295"));
}

}  // namespace
}  // namespace sftpsh
