#include "sftp-server/output_queue.h"

#include <cstring>

namespace sftpsh::server {

OutputQueue::OutputQueue(std::size_t capacity)
    // Not value-initialised: pages are touched only as replies use them.
    : buffer_(new std::byte[capacity]), capacity_(capacity) {}

Reply OutputQueue::begin(Msg type, std::uint32_t id) {
  Reply reply(Writer(buffer_.get() + length_, capacity_ - length_));
  reply.writer_.u32(0);  // length, filled in by finish()
  reply.writer_.u8(static_cast<std::uint8_t>(type));
  reply.writer_.u32(id);
  return reply;
}

Reply OutputQueue::begin_version() {
  Reply reply(Writer(buffer_.get() + length_, capacity_ - length_));
  reply.writer_.u32(0);
  reply.writer_.u8(static_cast<std::uint8_t>(Msg::kVersion));
  return reply;
}

bool OutputQueue::finish(Reply& reply) {
  Writer& w = reply.writer_;
  if (w.overflowed() || w.size() < 5 || w.size() - 4 > kMaxPacket) return false;
  w.patch_u32(0, static_cast<std::uint32_t>(w.size() - 4));
  length_ += w.size();
  return true;
}

bool OutputQueue::finish_with_trailer(Reply& reply, std::size_t trailing) {
  Writer& w = reply.writer_;
  if (w.overflowed() || w.size() < 5 || w.size() - 4 + trailing > kMaxPacket) return false;
  w.patch_u32(0, static_cast<std::uint32_t>(w.size() - 4 + trailing));
  length_ += w.size();
  return true;
}

Reply OutputQueue::begin_raw() {
  return Reply(Writer(buffer_.get() + length_, capacity_ - length_));
}

void OutputQueue::finish_raw(Reply& reply) {
  if (!reply.writer_.overflowed()) length_ += reply.writer_.size();
}

void OutputQueue::consume(std::size_t n) {
  if (n >= length_) {
    length_ = 0;
    return;
  }
  std::memmove(buffer_.get(), buffer_.get() + n, length_ - n);
  length_ -= n;
}

}  // namespace sftpsh::server
