#include "sftp-server/handle_table.h"

#include <fcntl.h>

#include <array>

#include <doctest/doctest.h>

using namespace sftpsh;
using namespace sftpsh::server;

namespace {

std::array<std::byte, 16> encode(const HandleTable& table, const OpenHandle& entry,
                                 std::size_t* length) {
  std::array<std::byte, 16> buf{};
  Writer w(buf.data(), buf.size());
  table.encode(entry, w);
  *length = w.size();
  return buf;
}

Bytes handle_bytes(const std::array<std::byte, 16>& buf) {
  return Bytes(buf.data() + 4, kHandleLength);
}

UniqueFd devnull() { return UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC)); }

}  // namespace

TEST_CASE("an added handle is found again by its string") {
  HandleTable table(4);
  OpenHandle* entry = table.add(HandleKind::kFile, devnull(), O_RDONLY, "/a");
  REQUIRE(entry != nullptr);
  std::size_t length = 0;
  const auto buf = encode(table, *entry, &length);
  CHECK(length == 4 + kHandleLength);
  CHECK(table.find(handle_bytes(buf)) == entry);
  CHECK(table.find(handle_bytes(buf), HandleKind::kFile) == entry);
  CHECK(table.find(handle_bytes(buf), HandleKind::kDir) == nullptr);
  CHECK(entry->path == "/a");
}

TEST_CASE("a closed handle is stale even after its slot is reused") {
  HandleTable table(4);
  OpenHandle* first = table.add(HandleKind::kFile, devnull(), O_RDONLY, "/a");
  std::size_t length = 0;
  const auto old_handle = encode(table, *first, &length);
  CHECK(table.close(*first) == 0);
  CHECK(table.find(handle_bytes(old_handle)) == nullptr);
  OpenHandle* second = table.add(HandleKind::kDir, devnull(), O_RDONLY, "/b");
  REQUIRE(second != nullptr);
  CHECK(second == first);  // same slot...
  CHECK(table.find(handle_bytes(old_handle)) == nullptr);  // ...new generation
}

TEST_CASE("malformed handles are rejected") {
  HandleTable table(4);
  REQUIRE(table.add(HandleKind::kFile, devnull(), O_RDONLY, "/a") != nullptr);
  const std::byte short_handle[4] = {};
  CHECK(table.find(Bytes(short_handle, 4)) == nullptr);
  std::byte out_of_range[8] = {std::byte{0}, std::byte{0}, std::byte{1}, std::byte{0}};
  CHECK(table.find(Bytes(out_of_range, 8)) == nullptr);
  CHECK(table.find(Bytes()) == nullptr);
}

TEST_CASE("no more than max_open handles are open at once") {
  HandleTable table(2);
  OpenHandle* a = table.add(HandleKind::kFile, devnull(), O_RDONLY, "/a");
  REQUIRE(a != nullptr);
  REQUIRE(table.add(HandleKind::kFile, devnull(), O_RDONLY, "/b") != nullptr);
  CHECK(table.add(HandleKind::kFile, devnull(), O_RDONLY, "/c") == nullptr);
  CHECK(table.open_count() == 2);
  (void)table.close(*a);
  CHECK(table.add(HandleKind::kFile, devnull(), O_RDONLY, "/c") != nullptr);
}
