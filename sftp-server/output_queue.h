// The output queue: replies are built in place at its tail and written to
// the client in as few write() calls as possible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "sftp-server/protocol.h"
#include "sftp-server/wire.h"

namespace sftpsh::server {

// Room one reply may need: the length field plus the largest packet.
inline constexpr std::size_t kMaxReplySize = 4 + kMaxPacket;

class OutputQueue;

// One reply under construction: length placeholder, type and id are written
// by begin(); finish() fills in the length. Fields go through writer().
class Reply {
 public:
  [[nodiscard]] Writer& writer() { return writer_; }

 private:
  friend class OutputQueue;
  explicit Reply(Writer writer) : writer_(writer) {}
  Writer writer_;
};

class OutputQueue {
 public:
  explicit OutputQueue(std::size_t capacity);

  // Starts a reply; the caller must have checked free_space() >= kMaxReplySize
  // (the I/O loop does before every request).
  [[nodiscard]] Reply begin(Msg type, std::uint32_t id);
  // The VERSION reply has no id.
  [[nodiscard]] Reply begin_version();
  // Commits the reply; returns false (and drops it) if it overflowed, which
  // is an internal error the caller reports.
  [[nodiscard]] bool finish(Reply& reply);
  // Commits a reply whose last `trailing` bytes follow outside the queue
  // (spliced file data): its length field counts them too.
  [[nodiscard]] bool finish_with_trailer(Reply& reply, std::size_t trailing);
  // Unframed bytes (the copy fallback of spliced data).
  [[nodiscard]] Reply begin_raw();
  void finish_raw(Reply& reply);

  [[nodiscard]] std::size_t free_space() const { return capacity_ - length_; }
  [[nodiscard]] Bytes pending() const { return Bytes(buffer_.get(), length_); }
  [[nodiscard]] bool empty() const { return length_ == 0; }
  // Drops the first n bytes (they were written).
  void consume(std::size_t n);

 private:
  std::unique_ptr<std::byte[]> buffer_;
  std::size_t capacity_;
  std::size_t length_ = 0;
};

}  // namespace sftpsh::server
