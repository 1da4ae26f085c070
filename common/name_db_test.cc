#include "common/name_db.h"

#include <doctest/doctest.h>

using namespace sftpsh;

TEST_CASE("passwd lines give name, ids and home") {
  NameDb db;
  parse_passwd("root:x:0:0:root:/root:/bin/bash\n"
               "alice:*:1001:1002:Alice A:/srv/jail/alice/./:/usr/local/sbin/sftpsh\n",
               db);
  REQUIRE(db.user_by_uid(1001) != nullptr);
  CHECK(db.user_by_uid(1001)->name == "alice");
  CHECK(db.user_by_uid(1001)->gid == 1002);
  CHECK(db.user_by_uid(1001)->home == "/srv/jail/alice/./");
  CHECK(db.user_by_uid(1001)->shell == "/usr/local/sbin/sftpsh");
  REQUIRE(db.user_by_name("root") != nullptr);
  CHECK(db.user_by_name("root")->uid == 0);
  CHECK(db.user_by_uid(7) == nullptr);
}

TEST_CASE("malformed passwd lines are skipped, the rest still parse") {
  NameDb db;
  parse_passwd("# comment\n"
               "broken\n"
               "nouid:x::0::/:/bin/sh\n"
               "neg:x:-1:0::/:/bin/sh\n"
               "big:x:99999999999:0::/:/bin/sh\n"
               "+nis\n"
               "\n"
               "bob:x:1003:1003::/home/bob:/bin/sh",
               db);
  CHECK(db.users().size() == 1);
  CHECK(db.user_by_name("bob") != nullptr);
}

TEST_CASE("the first entry for a uid wins, as getpwuid() on the files") {
  NameDb db;
  parse_passwd("first:x:5:5::/a:/bin/sh\nsecond:x:5:5::/b:/bin/sh\n", db);
  CHECK(db.user_by_uid(5)->name == "first");
  CHECK(db.user_by_name("second") != nullptr);
}

TEST_CASE("group lines give name and gid") {
  NameDb db;
  parse_group("root:x:0:\nusers:x:100:alice,bob\nbad:x:zz:\n", db);
  REQUIRE(db.group_by_gid(100) != nullptr);
  CHECK(db.group_by_gid(100)->name == "users");
  CHECK(db.group_by_gid(0)->name == "root");
  CHECK(db.groups().size() == 2);
}
