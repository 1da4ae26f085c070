#include "sftp-server/io_loop.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "sftp-server/dispatch.h"

namespace sftpsh::server {

namespace {

// Exit statuses, as OpenSSH's sftp-server uses them.
constexpr int kExitClean = 0;
constexpr int kExitIoError = 1;
constexpr int kExitBadLength = 11;
constexpr int kExitProtocol = 255;

// Don't read into less free space than this when moving the partial packet
// to the front would give more: small reads cost syscalls.
constexpr std::size_t kMinReadSpace = 64 * 1024;

// Blocks until `fd` is ready for `events` (for descriptors a parent left in
// non-blocking mode: we must not change the shared file description).
void wait_for(int fd, short events) {
  struct pollfd p {fd, events, 0};
  while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
  }
}

// Writes everything queued. Returns false when the client has gone.
bool flush(Session& s, int out_fd) {
  while (!s.out.empty()) {
    const Bytes pending = s.out.pending();
    const ssize_t n = ::write(out_fd, pending.data(), pending.size());
    if (n > 0) {
      s.out.consume(static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      wait_for(out_fd, POLLOUT);
    } else {
      if (n < 0 && errno != EPIPE) s.log.error("write: {}", std::strerror(errno));
      else s.log.debug("write eof");
      return false;
    }
  }
  return true;
}

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
  // leaves too little room for a useful read. `needed` is the partial
  // packet's full size (4 while its length is not yet known).
  void make_room(std::size_t needed) {
    if (head_ == 0) return;
    if (head_ + std::max(needed, kMinReadSpace) <= kInputCapacity) return;
    std::memmove(data_.get(), data_.get() + head_, size());
    tail_ -= head_;
    head_ = 0;
  }
  [[nodiscard]] std::byte* free_begin() { return data_.get() + tail_; }
  [[nodiscard]] std::size_t free_space() const { return kInputCapacity - tail_; }
  void produced(std::size_t n) { tail_ += n; }

 private:
  std::unique_ptr<std::byte[]> data_;
  std::size_t head_ = 0;
  std::size_t tail_ = 0;
};

}  // namespace

int run_io_loop(Session& s, int in_fd, int out_fd) {
  InputBuffer in;
  for (;;) {
    // Every complete packet already here, each only once its reply fits.
    std::size_t needed = 4;
    while (in.size() >= 4) {
      const std::uint32_t length = load_u32(in.front());
      if (length > kMaxPacket) {
        s.log.error("bad message from {} local user {}", s.client, s.user.name);
        return kExitBadLength;
      }
      needed = 4 + std::size_t{length};
      if (in.size() < needed) break;
      if (s.out.free_space() < kMaxReplySize && !flush(s, out_fd)) return kExitClean;
      if (!process_packet(s, Bytes(in.front() + 4, length))) return kExitProtocol;
      in.consume(needed);
      needed = 4;
    }
    // Nothing more to do until the client sends more: send what we have.
    if (!flush(s, out_fd)) return kExitClean;

    in.make_room(needed);
    const ssize_t n = ::read(in_fd, in.free_begin(), in.free_space());
    if (n > 0) {
      in.produced(static_cast<std::size_t>(n));
    } else if (n == 0) {
      s.log.debug("read eof");
      return kExitClean;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      wait_for(in_fd, POLLIN);
    } else if (errno != EINTR) {
      s.log.error("read: {}", std::strerror(errno));
      return kExitIoError;
    }
  }
}

}  // namespace sftpsh::server
