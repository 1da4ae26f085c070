#include "sftp-server/wire.h"

namespace sftpsh::server {

std::optional<std::uint8_t> Reader::u8() {
  if (remaining() < 1) return std::nullopt;
  return std::to_integer<std::uint8_t>(data_[pos_++]);
}

std::optional<std::uint32_t> Reader::u32() {
  if (remaining() < 4) return std::nullopt;
  const std::uint32_t v = load_u32(data_.data() + pos_);
  pos_ += 4;
  return v;
}

std::optional<std::uint64_t> Reader::u64() {
  if (remaining() < 8) return std::nullopt;
  const std::uint64_t hi = load_u32(data_.data() + pos_);
  const std::uint64_t lo = load_u32(data_.data() + pos_ + 4);
  pos_ += 8;
  return (hi << 32) | lo;
}

std::optional<Bytes> Reader::bytes() {
  if (remaining() < 4) return std::nullopt;
  const std::uint32_t length = load_u32(data_.data() + pos_);
  // Compare against what is left, so the check cannot overflow.
  if (length > remaining() - 4) return std::nullopt;
  const Bytes value = data_.subspan(pos_ + 4, length);
  pos_ += 4 + std::size_t{length};
  return value;
}

std::optional<std::string_view> Reader::text() {
  const std::size_t saved = pos_;
  const auto value = bytes();
  if (!value) return std::nullopt;
  const std::string_view s = as_text(*value);
  if (s.find('\0') != std::string_view::npos) {
    pos_ = saved;
    return std::nullopt;
  }
  return s;
}

bool Writer::reserve(std::size_t n) {
  if (overflowed_ || n > remaining()) {
    overflowed_ = true;
    return false;
  }
  return true;
}

void Writer::u8(std::uint8_t v) {
  if (!reserve(1)) return;
  out_[size_++] = std::byte(v);
}

void Writer::u32(std::uint32_t v) {
  if (!reserve(4)) return;
  store_u32(out_ + size_, v);
  size_ += 4;
}

void Writer::u64(std::uint64_t v) {
  if (!reserve(8)) return;
  store_u32(out_ + size_, static_cast<std::uint32_t>(v >> 32));
  store_u32(out_ + size_ + 4, static_cast<std::uint32_t>(v));
  size_ += 8;
}

void Writer::bytes(Bytes b) {
  if (b.size() > 0xffffffffu || !reserve(4 + b.size())) {
    overflowed_ = true;
    return;
  }
  store_u32(out_ + size_, static_cast<std::uint32_t>(b.size()));
  if (!b.empty()) std::memcpy(out_ + size_ + 4, b.data(), b.size());
  size_ += 4 + b.size();
}

void Writer::raw(Bytes b) {
  if (!reserve(b.size())) return;
  if (!b.empty()) std::memcpy(out_ + size_, b.data(), b.size());
  size_ += b.size();
}

void Writer::advance(std::size_t n) {
  if (!reserve(n)) return;
  size_ += n;
}

void Writer::patch_u32(std::size_t offset, std::uint32_t v) {
  if (offset > size_ || size_ - offset < 4) {
    overflowed_ = true;
    return;
  }
  store_u32(out_ + offset, v);
}

void Writer::truncate(std::size_t size) {
  if (size <= size_) size_ = size;
  overflowed_ = false;
}

}  // namespace sftpsh::server
