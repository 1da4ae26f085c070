#include "common/handover.h"

#include <doctest/doctest.h>

using namespace sftpsh;

namespace {

Handover sample() {
  Handover h;
  h.version = "0.1.0";
  h.user = UserEntry{"alice", 1001, 1002, "/alice", ""};
  h.client = "192.0.2.7";
  h.log_fd = 4;
  h.names.add_user(UserEntry{"root", 0, 0, "/root", ""});
  h.names.add_user(UserEntry{"alice", 1001, 1002, "/alice", ""});
  h.names.add_group(GroupEntry{"root", 0});
  h.names.add_group(GroupEntry{"sftp users", 1002});
  return h;
}

}  // namespace

TEST_CASE("a hand-over survives encoding and decoding") {
  const auto decoded = decode_handover(encode_handover(sample()));
  REQUIRE(decoded.ok());
  CHECK(decoded->version == "0.1.0");
  CHECK(decoded->user.name == "alice");
  CHECK(decoded->user.uid == 1001);
  CHECK(decoded->user.gid == 1002);
  CHECK(decoded->user.home == "/alice");
  CHECK(decoded->client == "192.0.2.7");
  CHECK(decoded->log_fd == 4);
  REQUIRE(decoded->names.group_by_gid(1002) != nullptr);
  CHECK(decoded->names.group_by_gid(1002)->name == "sftp users");
  CHECK(decoded->names.user_by_uid(0)->name == "root");
}

TEST_CASE("names with spaces, newlines and percent signs are encoded") {
  CHECK(percent_encode("a b\n%") == "a%20b%0A%25");
  CHECK(percent_decode("a%20b%0A%25").value() == "a b\n%");
}

TEST_CASE("malformed escapes are rejected") {
  CHECK_FALSE(percent_decode("%").ok());
  CHECK_FALSE(percent_decode("%4").ok());
  CHECK_FALSE(percent_decode("%zz").ok());
  CHECK_FALSE(percent_decode("a b").ok());
}

TEST_CASE("a truncated hand-over is refused") {
  std::string text = encode_handover(sample());
  text.resize(text.size() - 4);  // drop "end\n"
  CHECK_FALSE(decode_handover(text).ok());
  CHECK_FALSE(decode_handover("").ok());
}

TEST_CASE("another format or an unknown record is refused") {
  CHECK_FALSE(decode_handover("sftpsh-handover 2 0.1.0\nuser a 1 1 /\nend\n").ok());
  CHECK_FALSE(decode_handover("sftpsh-handover 1 0.1.0\nuser a 1 1 /\nshell /bin/sh\nend\n").ok());
  CHECK_FALSE(decode_handover("sftpsh-handover 1 0.1.0\nend\n").ok());
  CHECK_FALSE(decode_handover("sftpsh-handover 1 0.1.0\nuser a 1 1 /\nend\nuser b 2 2 /\n").ok());
  CHECK(decode_handover("sftpsh-handover 1 0.1.0\nuser a 1 1 /\nend\n").ok());
}
