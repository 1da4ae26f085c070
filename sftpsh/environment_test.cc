#include "sftpsh/environment.h"

#include <doctest/doctest.h>

namespace sftpsh {
namespace {

TEST_CASE("parse_ssh_connection takes the client address and port") {
  auto v4 = parse_ssh_connection("192.0.2.7 51234 192.0.2.1 22");
  REQUIRE(v4.has_value());
  CHECK(v4->address == "192.0.2.7");
  CHECK(v4->port == "51234");
  auto v6 = parse_ssh_connection("fe80::1%eth0 1 ::1 22");
  REQUIRE(v6.has_value());
  CHECK(v6->address == "fe80::1%eth0");
}

TEST_CASE("parse_ssh_connection refuses anything malformed") {
  CHECK_FALSE(parse_ssh_connection("").has_value());
  CHECK_FALSE(parse_ssh_connection("192.0.2.7 51234 192.0.2.1").has_value());
  CHECK_FALSE(parse_ssh_connection("192.0.2.7 51234 192.0.2.1 22 x").has_value());
  CHECK_FALSE(parse_ssh_connection("192.0.2.7  51234 192.0.2.1 22").has_value());
  CHECK_FALSE(parse_ssh_connection("192.0.2.7 99999 192.0.2.1 22").has_value());
  CHECK_FALSE(parse_ssh_connection("192.0.2.7 +1 192.0.2.1 22").has_value());
  CHECK_FALSE(parse_ssh_connection("1.2.3.4\nDenied 1 1.2.3.4 22").has_value());
  CHECK_FALSE(parse_ssh_connection("a\"b 1 1.2.3.4 22").has_value());
  CHECK_FALSE(parse_ssh_connection(std::string(65, 'a') + " 1 ::1 22").has_value());
}

TEST_CASE("environment_is_clean: nothing, or one well-formed SSH_CONNECTION") {
  const char* empty[] = {nullptr};
  CHECK(environment_is_clean(empty));
  CHECK(environment_is_clean(nullptr));
  const char* only[] = {"SSH_CONNECTION=192.0.2.7 1 192.0.2.1 22", nullptr};
  CHECK(environment_is_clean(only));
  const char* bad[] = {"SSH_CONNECTION=nonsense", nullptr};
  CHECK_FALSE(environment_is_clean(bad));
  const char* prefix[] = {"SSH_CONNECTIONX=192.0.2.7 1 192.0.2.1 22", nullptr};
  CHECK_FALSE(environment_is_clean(prefix));
}

TEST_CASE("environment_is_clean: what sshd sets needs no re-exec") {
  const char* sshd[] = {"USER=alice", "LOGNAME=alice", "HOME=/srv/jail/alice/./",
                        "PATH=/usr/bin:/bin", "MAIL=/var/mail/alice",
                        "SHELL=/usr/local/sbin/sftpsh", "SSH_CLIENT=192.0.2.7 50000 22",
                        "SSH_CONNECTION=192.0.2.7 50000 192.0.2.1 22", "LANG=C.UTF-8",
                        "LC_ALL=de_DE.UTF-8", "LC_MESSAGES=C", nullptr};
  CHECK(environment_is_clean(sshd));
}

TEST_CASE("environment_is_clean: anything glibc may read before main forces a re-exec") {
  for (const char* entry : {"LD_LIBRARY_PATH=/tmp/evil", "LD_PRELOAD=/tmp/evil.so",
                            "GLIBC_TUNABLES=glibc.malloc.check=3", "MALLOC_CHECK_=3",
                            "TZ=/home/alice/zone", "LC_=x", "LC_all=x", "LC_A1=x", "XUSER=a",
                            "user=a", "NOEQUALS", "=value"}) {
    CAPTURE(entry);
    const char* env[] = {"USER=alice", entry, "PATH=/bin", nullptr};
    CHECK_FALSE(environment_is_clean(env));
  }
}
}  // namespace
}  // namespace sftpsh
