#include "sftp-server/handle_table.h"

#include <cerrno>

namespace sftpsh::server {

OpenHandle* HandleTable::add(HandleKind kind, UniqueFd fd, int open_flags,
                             std::string_view path) {
  if (open_count_ >= max_open_ || kind == HandleKind::kFree) return nullptr;
  std::uint32_t index;
  if (!free_slots_.empty()) {
    index = free_slots_.back();
    free_slots_.pop_back();
  } else {
    index = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  OpenHandle& entry = slots_[index];
  entry.kind = kind;
  entry.fd = std::move(fd);
  entry.open_flags = open_flags;
  entry.path.assign(path);
  entry.bytes_read = entry.bytes_written = 0;
  entry.dir_at_end = false;
  entry.size_hint = OpenHandle::kUnknownSize;
  entry.dir_resume_offset = 0;
  ++open_count_;
  return &entry;
}

void HandleTable::encode(const OpenHandle& entry, Writer& out) const {
  std::byte handle[kHandleLength];
  const auto index = static_cast<std::uint32_t>(&entry - slots_.data());
  store_u32(handle, index);
  store_u32(handle + 4, entry.generation);
  out.bytes(Bytes(handle, sizeof handle));
}

OpenHandle* HandleTable::find(Bytes handle, HandleKind wanted) {
  if (handle.size() != kHandleLength) return nullptr;
  const std::uint32_t index = load_u32(handle.data());
  const std::uint32_t generation = load_u32(handle.data() + 4);
  if (index >= slots_.size()) return nullptr;
  OpenHandle& entry = slots_[index];
  if (entry.kind == HandleKind::kFree || entry.generation != generation) return nullptr;
  if (wanted != HandleKind::kFree && entry.kind != wanted) return nullptr;
  return &entry;
}

int HandleTable::close(OpenHandle& entry) {
  const int fd = entry.fd.release();
  const int result = fd >= 0 ? ::close(fd) : 0;
  const int saved_errno = errno;
  entry.kind = HandleKind::kFree;
  ++entry.generation;
  entry.path.clear();
  entry.path.shrink_to_fit();
  free_slots_.push_back(static_cast<std::uint32_t>(&entry - slots_.data()));
  --open_count_;
  errno = saved_errno;
  return result;
}

}  // namespace sftpsh::server
