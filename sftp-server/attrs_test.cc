#include "sftp-server/attrs.h"

#include <array>

#include <doctest/doctest.h>

#include "sftp-server/protocol.h"

using namespace sftpsh::server;

TEST_CASE("attributes round-trip with every field present") {
  Attrs a;
  a.flags = kAttrSize | kAttrUidGid | kAttrPermissions | kAttrAcModTime;
  a.size = 1ull << 40;
  a.uid = 1001;
  a.gid = 1002;
  a.permissions = 0100644;
  a.atime = 1700000000;
  a.mtime = 1700000001;
  std::array<std::byte, 64> buf{};
  Writer w(buf.data(), buf.size());
  encode_attrs(w, a);
  CHECK(w.size() == 4 + 8 + 8 + 4 + 8);
  Reader r(Bytes(buf.data(), w.size()));
  const auto b = decode_attrs(r);
  REQUIRE(b.has_value());
  CHECK(b->size == a.size);
  CHECK(b->uid == 1001);
  CHECK(b->gid == 1002);
  CHECK(b->permissions == 0100644);
  CHECK(b->atime == 1700000000);
  CHECK(b->mtime == 1700000001);
}

TEST_CASE("absent fields are neither read nor written") {
  std::array<std::byte, 8> buf{};
  Writer w(buf.data(), buf.size());
  encode_attrs(w, Attrs{});
  CHECK(w.size() == 4);
  Reader r(Bytes(buf.data(), w.size()));
  const auto a = decode_attrs(r);
  REQUIRE(a.has_value());
  CHECK(a->flags == 0);
  CHECK(r.remaining() == 0);
}

TEST_CASE("extended pairs are skipped, and a lying count is refused") {
  const std::byte data[] = {
      std::byte{0x80}, std::byte{0}, std::byte{0}, std::byte{0},  // flags
      std::byte{0}, std::byte{0}, std::byte{0}, std::byte{1},     // count 1
      std::byte{0}, std::byte{0}, std::byte{0}, std::byte{1}, std::byte{'a'},
      std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0},
  };
  Reader ok(Bytes(data, sizeof data));
  CHECK(decode_attrs(ok).has_value());
  CHECK(ok.remaining() == 0);
  std::array<std::byte, sizeof data> lying{};
  std::copy(std::begin(data), std::end(data), lying.begin());
  lying[7] = std::byte{0xff};  // count 255 with one pair present
  Reader bad(Bytes(lying.data(), lying.size()));
  CHECK_FALSE(decode_attrs(bad).has_value());
}

TEST_CASE("truncated attributes are refused") {
  const std::byte data[] = {std::byte{0}, std::byte{0}, std::byte{0}, std::byte{1},
                            std::byte{0}, std::byte{0}};
  Reader r(Bytes(data, sizeof data));
  CHECK_FALSE(decode_attrs(r).has_value());
}

TEST_CASE("a stat becomes attributes with every field") {
  struct stat st {};
  st.st_size = 123;
  st.st_uid = 5;
  st.st_gid = 6;
  st.st_mode = S_IFDIR | 0755;
  st.st_atime = 10;
  st.st_mtime = 20;
  const Attrs a = attrs_from_stat(st);
  CHECK(a.flags == (kAttrSize | kAttrUidGid | kAttrPermissions | kAttrAcModTime));
  CHECK(a.size == 123);
  CHECK(a.permissions == (S_IFDIR | 0755));
  CHECK(a.mtime == 20);
}
