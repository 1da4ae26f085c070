#include "sftpsh/prepare.h"

#include <fcntl.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include "common/version.h"

namespace sftpsh {
namespace {

Account alice() {
  return Account{"alice", 1001, 1001, "/srv/jail/./alice", "/usr/local/sbin/sftpsh",
                 {{"alice", 1001}, {"sftp", 2000}, {"4242", 4242}}};
}

NameDb database() {
  NameDb db;
  parse_passwd("root:x:0:0:root:/root:/bin/bash\n"
               "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
               "alice:x:1001:1001::/srv/jail/./alice:/usr/local/sbin/sftpsh\n",
               db);
  parse_group("root:x:0:\nnogroup:x:65534:\nalice:x:1001:\nsftp:x:2000:alice\n", db);
  return db;
}

TEST_CASE("make_handover carries the user, home inside the jail, client and names") {
  JailPath jail{"/srv/jail", {"srv", "jail"}, "/alice", {"alice"}};
  const Handover h =
      make_handover(alice(), database(), jail, ClientAddress{"192.0.2.7", "1"}, 3);
  CHECK(h.version == kVersion);
  CHECK(h.user.name == "alice");
  CHECK(h.user.uid == 1001);
  CHECK(h.user.home == "/alice");
  CHECK(h.client == "192.0.2.7");
  CHECK(h.log_fd == 3);
  REQUIRE(h.names.user_by_uid(1001) != nullptr);
  REQUIRE(h.names.user_by_uid(0) != nullptr);
  CHECK(h.names.user_by_uid(0)->home == "/");
  REQUIRE(h.names.group_by_gid(2000) != nullptr);
  CHECK(h.names.group_by_gid(2000)->name == "sftp");
  CHECK(h.names.group_by_gid(0) != nullptr);
}

TEST_CASE("the overflow ids are named: root's files in a user namespace show as nobody") {
  JailPath jail{"/srv/jail", {"srv", "jail"}, "/alice", {"alice"}};
  const Handover h = make_handover(alice(), database(), jail, ClientAddress{}, -1);
  REQUIRE(h.names.user_by_uid(kOverflowId) != nullptr);
  CHECK(h.names.user_by_uid(kOverflowId)->name == "nobody");
  CHECK(h.names.user_by_uid(kOverflowId)->home == "/");  // no host paths in the jail
  REQUIRE(h.names.group_by_gid(kOverflowId) != nullptr);
  CHECK(h.names.group_by_gid(kOverflowId)->name == "nogroup");
  CHECK(h.names.user_by_uid(0)->name == "root");
}

TEST_CASE("ids missing from the database are named by their number") {
  JailPath jail{"/srv/jail", {"srv", "jail"}, "/alice", {"alice"}};
  const Handover h = make_handover(alice(), NameDb{}, jail, ClientAddress{}, -1);
  CHECK(h.names.user_by_uid(0)->name == "0");
  CHECK(h.names.group_by_gid(kOverflowId)->name == "65534");
}

TEST_CASE("the hand-over survives encoding, as the server will read it") {
  JailPath jail{"/srv/jail/alice", {"srv", "jail", "alice"}, "/", {}};
  const Handover h = make_handover(alice(), database(), jail, ClientAddress{}, -1);
  auto decoded = decode_handover(encode_handover(h));
  REQUIRE_MESSAGE(decoded.ok(), decoded.error());
  CHECK(decoded->user.name == "alice");
  CHECK(decoded->client == "UNKNOWN");
  CHECK(decoded->log_fd == -1);
  CHECK(decoded->names.groups().size() == h.names.groups().size());
}

TEST_CASE("the hand-over memfd is sealed, inheritable and read from the start") {
  auto fd = write_handover_memfd("sftpsh-handover 1 x\nend\n");
  REQUIRE_MESSAGE(fd.ok(), fd.error());
  CHECK((::fcntl(fd->get(), F_GETFD) & FD_CLOEXEC) == 0);
  const int seals = ::fcntl(fd->get(), F_GET_SEALS);
  CHECK((seals & F_SEAL_WRITE) != 0);
  CHECK((seals & F_SEAL_SEAL) != 0);
  CHECK(::write(fd->get(), "x", 1) == -1);
  CHECK(::ftruncate(fd->get(), 0) == -1);
  char buffer[64] = {};
  CHECK(::read(fd->get(), buffer, sizeof buffer - 1) == 24);
  CHECK(std::string(buffer) == "sftpsh-handover 1 x\nend\n");
}

TEST_CASE("keep_across_exec clears FD_CLOEXEC") {
  UniqueFd fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  REQUIRE(fd.valid());
  REQUIRE(keep_across_exec(fd.get()).ok());
  CHECK((::fcntl(fd.get(), F_GETFD) & FD_CLOEXEC) == 0);
  CHECK_FALSE(keep_across_exec(-1).ok());
}

TEST_CASE("open_server refuses what it can't trust") {
  CHECK(open_server("/nonexistent/sftp-server").error() ==
        "server /nonexistent/sftp-server: directory /nonexistent does not exist");
  // A symbolic link as the last component, in a directory under /tmp (1777):
  // refused on the way (trusted_file_test.cc has the symbolic link alone).
  char dir[] = "/tmp/sftpsh-server-test.XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  const std::string link = std::string(dir) + "/sftp-server";
  REQUIRE(::symlink("/bin/true", link.c_str()) == 0);
  CHECK(open_server(link).error().find("server " + link + ": bad modes for directory /tmp") == 0);
  ::unlink(link.c_str());
  ::rmdir(dir);
}

}  // namespace
}  // namespace sftpsh
