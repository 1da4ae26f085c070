// The SFTP wire codec: big-endian integers and length-prefixed strings.
//
// Reader consumes a request body; every getter is bounds-checked, returns
// nullopt when the data is short and then consumes nothing. Writer fills a
// caller-owned region (a reply built in place in the output buffer); a put
// that does not fit sets overflowed() and writes nothing, so a caller checks
// once at the end instead of after every field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>

namespace sftpsh::server {

using Bytes = std::span<const std::byte>;

[[nodiscard]] inline std::uint32_t load_u32(const std::byte* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) |
         (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
}

inline void store_u32(std::byte* p, std::uint32_t v) {
  p[0] = std::byte(v >> 24);
  p[1] = std::byte(v >> 16);
  p[2] = std::byte(v >> 8);
  p[3] = std::byte(v);
}

[[nodiscard]] inline std::string_view as_text(Bytes b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

[[nodiscard]] inline Bytes as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

class Reader {
 public:
  explicit Reader(Bytes data) : data_(data) {}

  [[nodiscard]] std::optional<std::uint8_t> u8();
  [[nodiscard]] std::optional<std::uint32_t> u32();
  [[nodiscard]] std::optional<std::uint64_t> u64();
  // A string as raw bytes (handles, extension data).
  [[nodiscard]] std::optional<Bytes> bytes();
  // A string used as text (a path or name): one with an embedded NUL is
  // refused, since the kernel would see a different, shorter path.
  [[nodiscard]] std::optional<std::string_view> text();

  [[nodiscard]] std::size_t remaining() const { return data_.size() - pos_; }
  [[nodiscard]] Bytes rest() const { return data_.subspan(pos_); }

 private:
  Bytes data_;
  std::size_t pos_ = 0;
};

class Writer {
 public:
  Writer(std::byte* out, std::size_t capacity) : out_(out), capacity_(capacity) {}

  void u8(std::uint8_t v);
  void u32(std::uint32_t v);
  void u64(std::uint64_t v);
  void bytes(Bytes b);  // length-prefixed
  void text(std::string_view s) { bytes(as_bytes(s)); }
  void raw(Bytes b);    // no length prefix

  // For data produced in place (pread straight into the reply): the free
  // space, then advance() by what was written there.
  [[nodiscard]] std::byte* cursor() { return out_ + size_; }
  void advance(std::size_t n);
  void patch_u32(std::size_t offset, std::uint32_t v);

  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::size_t remaining() const { return capacity_ - size_; }
  [[nodiscard]] bool overflowed() const { return overflowed_; }
  // Drops everything after `size` (a reply entry that did not fit).
  void truncate(std::size_t size);

 private:
  bool reserve(std::size_t n);

  std::byte* out_;
  std::size_t capacity_;
  std::size_t size_ = 0;
  bool overflowed_ = false;
};

}  // namespace sftpsh::server
