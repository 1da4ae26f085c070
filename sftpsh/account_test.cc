#include "sftpsh/account.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace sftpsh {
namespace {

NameDb local_files() {
  NameDb database;
  parse_passwd("root:x:0:0:root:/root:/bin/bash\n"
               "alice:x:1001:1001::/srv/jail/alice/./:/usr/local/sbin/sftpsh\n",
               database);
  parse_group("root:x:0:\nalice:x:1001:\nsftponly:x:2000:alice\n", database);
  return database;
}

TEST_CASE("make_account: the passwd entry of the uid, primary group first") {
  const std::vector<gid_t> groups{2000, 1001};
  auto account = make_account(local_files(), 1001, groups);
  REQUIRE_MESSAGE(account.ok(), account.error());
  CHECK(account->name == "alice");
  CHECK(account->home == "/srv/jail/alice/./");
  CHECK(account->shell == "/usr/local/sbin/sftpsh");
  REQUIRE(account->groups.size() == 2);  // the primary group once
  CHECK(account->groups[0].name == "alice");
  CHECK(account->groups[1].name == "sftponly");
}

TEST_CASE("make_account refuses a uid missing from /etc/passwd, saying why") {
  // An LDAP/SSSD account: sftpsh never asks NSS (a static glibc crashes in
  // dlopen()ed modules), so it is refused with a clear message, not a crash.
  auto account = make_account(local_files(), 4242, {});
  REQUIRE_FALSE(account.ok());
  CHECK(account.error().find("no entry for uid 4242 in /etc/passwd") == 0);
  CHECK(account.error().find("must be local accounts") != std::string::npos);
}

TEST_CASE("make_account refuses root") {
  auto account = make_account(local_files(), 0, {});
  REQUIRE_FALSE(account.ok());
  CHECK(account.error().find("refusing to serve root") == 0);
}

TEST_CASE("make_account names a gid missing from /etc/group by its number") {
  const std::vector<gid_t> groups{47113};
  auto account = make_account(local_files(), 1001, groups);
  REQUIRE(account.ok());
  REQUIRE(account->groups.size() == 2);
  CHECK(account->groups[1].name == "47113");
  CHECK(account->groups[1].gid == 47113);
  NameDb no_groups;
  parse_passwd("bob:x:1002:1002::/j/./:/s\n", no_groups);
  auto bob = make_account(no_groups, 1002, {});
  REQUIRE(bob.ok());
  CHECK(bob->groups[0].name == "1002");  // the primary group too
}

}  // namespace
}  // namespace sftpsh
