#include "sftp-server/wire.h"

#include <array>
#include <vector>

#include <doctest/doctest.h>

using namespace sftpsh::server;

namespace {

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values) out.push_back(std::byte(v));
  return out;
}

}  // namespace

TEST_CASE("integers are read big-endian") {
  const auto data = bytes_of({7, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 1, 0});
  Reader r(data);
  CHECK(r.u8() == 7);
  CHECK(r.u32() == 258);
  CHECK(r.u64() == 256);
  CHECK(r.remaining() == 0);
}

TEST_CASE("a short read fails and consumes nothing") {
  const auto data = bytes_of({0, 0, 1});
  Reader r(data);
  CHECK_FALSE(r.u32().has_value());
  CHECK(r.remaining() == 3);
  CHECK_FALSE(r.u64().has_value());
  CHECK(r.u8() == 0);
}

TEST_CASE("a string whose length exceeds the data is refused") {
  const auto data = bytes_of({0, 0, 0, 5, 'a', 'b'});
  Reader r(data);
  CHECK_FALSE(r.bytes().has_value());
  CHECK(r.remaining() == 6);
}

TEST_CASE("a huge string length cannot overflow the bounds check") {
  const auto data = bytes_of({0xff, 0xff, 0xff, 0xff, 'a'});
  Reader r(data);
  CHECK_FALSE(r.bytes().has_value());
}

TEST_CASE("text with an embedded NUL is refused, without consuming") {
  const auto data = bytes_of({0, 0, 0, 3, 'a', 0, 'b'});
  Reader r(data);
  CHECK_FALSE(r.text().has_value());
  CHECK(r.remaining() == 7);
  const auto raw = r.bytes();
  REQUIRE(raw.has_value());
  CHECK(raw->size() == 3);
}

TEST_CASE("empty strings are valid") {
  const auto data = bytes_of({0, 0, 0, 0});
  Reader r(data);
  const auto s = r.text();
  REQUIRE(s.has_value());
  CHECK(s->empty());
}

TEST_CASE("the writer encodes what the reader decodes") {
  std::array<std::byte, 64> buf{};
  Writer w(buf.data(), buf.size());
  w.u8(101);
  w.u32(0xdeadbeef);
  w.u64(0x0102030405060708ull);
  w.text("hello");
  REQUIRE_FALSE(w.overflowed());
  Reader r(Bytes(buf.data(), w.size()));
  CHECK(r.u8() == 101);
  CHECK(r.u32() == 0xdeadbeef);
  CHECK(r.u64() == 0x0102030405060708ull);
  CHECK(r.text() == "hello");
  CHECK(r.remaining() == 0);
}

TEST_CASE("the writer refuses to overflow and reports it") {
  std::array<std::byte, 6> buf{};
  Writer w(buf.data(), buf.size());
  w.u32(1);
  w.text("abc");  // needs 7 bytes
  CHECK(w.overflowed());
  CHECK(w.size() == 4);
  w.u8(1);  // nothing more is written once overflowed
  CHECK(w.size() == 4);
  w.truncate(4);
  CHECK_FALSE(w.overflowed());
}

TEST_CASE("patch_u32 rewrites a length field in place") {
  std::array<std::byte, 8> buf{};
  Writer w(buf.data(), buf.size());
  w.u32(0);
  w.u32(9);
  w.patch_u32(0, 4);
  CHECK(load_u32(buf.data()) == 4);
  w.patch_u32(6, 1);  // would run past the written part
  CHECK(w.overflowed());
}
