#include "sftpsh/check_keys.h"

#include <doctest/doctest.h>

#include <vector>

namespace sftpsh {
namespace {

using Paths = std::vector<std::string>;

TEST_CASE("authorized_keys_paths: relative paths are taken from the passwd home") {
  CHECK(authorized_keys_paths(".ssh/authorized_keys .ssh/authorized_keys2", "alice", 1001,
                              "/srv/jail/alice/./") ==
        Paths{"/srv/jail/alice/.ssh/authorized_keys", "/srv/jail/alice/.ssh/authorized_keys2"});
  CHECK(authorized_keys_paths(".ssh/authorized_keys", "bob", 1002, "/srv/jail/./bob") ==
        Paths{"/srv/jail/bob/.ssh/authorized_keys"});
}

TEST_CASE("authorized_keys_paths: sshd's tokens") {
  CHECK(authorized_keys_paths("/etc/ssh/authorized_keys/%u", "alice", 1001, "/h/./") ==
        Paths{"/etc/ssh/authorized_keys/alice"});
  CHECK(authorized_keys_paths("/keys/%U/%%u %h/k", "alice", 1001, "/srv/j/./a") ==
        Paths{"/keys/1001/%u", "/srv/j/a/k"});
  CHECK(authorized_keys_paths("none", "a", 1, "/h").empty());
  CHECK(authorized_keys_paths("", "a", 1, "/h").empty());
  CHECK(authorized_keys_paths("/k/%x", "a", 1, "/h") == Paths{"/k/%x"});
}

TEST_CASE("normalize_path and path_within") {
  CHECK(normalize_path("/srv//jail/./alice/") == "/srv/jail/alice");
  CHECK(normalize_path("/srv/jail/alice/../bob") == "/srv/jail/bob");
  CHECK(normalize_path("/..") == "/");
  CHECK(path_within("/srv/jail/alice/.ssh/k", "/srv/jail/alice"));
  CHECK(path_within("/srv/jail/alice", "/srv/jail/alice"));
  CHECK_FALSE(path_within("/srv/jail/alice2/k", "/srv/jail/alice"));
  CHECK_FALSE(path_within("/etc/ssh/authorized_keys/alice", "/srv/jail/alice"));
  CHECK(path_within("/anything", "/"));
}

}  // namespace
}  // namespace sftpsh
