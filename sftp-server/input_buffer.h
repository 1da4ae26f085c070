// The input buffer: bytes read from the client, not yet handled. Fixed size
// (two of the largest packets), allocated once; requests are decoded in
// place from it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>

#include "sftp-server/output_queue.h"

namespace sftpsh::server {

inline constexpr std::size_t kInputCapacity = 2 * kMaxReplySize;

class InputBuffer {
 public:
  InputBuffer() : data_(new std::byte[kInputCapacity]) {}

  [[nodiscard]] std::size_t size() const { return tail_ - head_; }
  [[nodiscard]] const std::byte* front() const { return data_.get() + head_; }
  void consume(std::size_t n) {
    head_ += n;
    if (head_ == tail_) head_ = tail_ = 0;
  }
  // Moves a partial packet to the front only when it would not fit where it
  // is (a big WRITE is completed in place, not copied), or when a small one
  // leaves less than `min_read` for the next read. `needed` is the partial
  // packet's full size (4 while its length is not yet known). Never called
  // while a request decoded from the buffer is being handled.
  void make_room(std::size_t needed, std::size_t min_read) {
    if (head_ == 0) return;
    if (head_ + std::max(needed, min_read) <= kInputCapacity) return;
    std::memmove(data_.get(), data_.get() + head_, size());
    tail_ -= head_;
    head_ = 0;
  }
  // New bytes go behind what is there; existing bytes never move, so a
  // request being handled stays valid while more input is read.
  [[nodiscard]] std::byte* free_begin() { return data_.get() + tail_; }
  [[nodiscard]] std::size_t free_space() const { return kInputCapacity - tail_; }
  void produced(std::size_t n) { tail_ += n; }

 private:
  std::unique_ptr<std::byte[]> data_;
  std::size_t head_ = 0;
  std::size_t tail_ = 0;
};

}  // namespace sftpsh::server
