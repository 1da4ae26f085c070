// Open files and directories, named by opaque handle strings.
//
// A handle is 8 bytes: the slot index and the slot's generation, both
// big-endian u32. The generation changes whenever a slot is freed, so a stale
// handle (closed, slot reused) never reaches another file. Every lookup goes
// through one validating function.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/unique_fd.h"
#include "sftp-server/wire.h"

namespace sftpsh::server {

enum class HandleKind : std::uint8_t { kFree, kFile, kDir };

struct OpenHandle {
  HandleKind kind = HandleKind::kFree;
  std::uint32_t generation = 0;
  UniqueFd fd;
  int open_flags = 0;  // O_* flags the file was opened with
  std::string path;    // as the client named it, for logs
  std::uint64_t bytes_read = 0;
  std::uint64_t bytes_written = 0;
  // The file's size when first read (fstat), to choose how READs move data:
  // splice for a large rest, pread for a small one. Only a hint: a file may
  // grow, and a READ past it is answered by pread with whatever is there.
  std::uint64_t size_hint = kUnknownSize;
  static constexpr std::uint64_t kUnknownSize = ~std::uint64_t{0};
  bool dir_at_end = false;  // READDIR has returned every entry
  // d_off of the last directory entry handed out: where READDIR resumes when
  // the session's getdents buffer has moved on to another directory.
  std::int64_t dir_resume_offset = 0;
};

inline constexpr std::size_t kHandleLength = 8;

class HandleTable {
 public:
  // Slots are reserved up front: an entry's address never changes while open.
  explicit HandleTable(std::size_t max_open) : max_open_(max_open) { slots_.reserve(max_open); }

  // nullptr when max_open handles are already open.
  [[nodiscard]] OpenHandle* add(HandleKind kind, UniqueFd fd, int open_flags,
                                std::string_view path);
  // The handle string of an open entry.
  void encode(const OpenHandle& entry, Writer& out) const;
  // The open entry a client's handle names, of the kind wanted (kFree: any),
  // or nullptr for anything malformed, stale or of the wrong kind.
  [[nodiscard]] OpenHandle* find(Bytes handle, HandleKind wanted = HandleKind::kFree);
  // Closes the entry's descriptor and frees its slot; returns close()'s result.
  int close(OpenHandle& entry);

  [[nodiscard]] std::size_t open_count() const { return open_count_; }
  [[nodiscard]] std::size_t max_open() const { return max_open_; }
  template <typename Fn>
  void for_each_open(Fn fn) {
    for (auto& slot : slots_)
      if (slot.kind != HandleKind::kFree) fn(slot);
  }

 private:
  std::vector<OpenHandle> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::size_t max_open_;
  std::size_t open_count_ = 0;
};

}  // namespace sftpsh::server
