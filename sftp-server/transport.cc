#include "sftp-server/transport.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "sftp-server/protocol.h"

namespace sftpsh::server {

namespace {

// Big enough for the largest READ (kMaxReadLength), so one splice_in() takes
// a whole reply; the default pipe holds only 64 KiB.
constexpr int kSplicePipeSize = 1024 * 1024;
constexpr std::size_t kScratchSize = 64 * 1024;

void wait_for_input(int fd) {
  struct pollfd p {fd, POLLIN, 0};
  while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
  }
}

}  // namespace

Transport::~Transport() {
  if (original_out_flags_ != -1) (void)::fcntl(out_fd_, F_SETFL, original_out_flags_);
}

void Transport::enlarge_output_buffer() {
  struct stat st {};
  if (::fstat(out_fd_, &st) != 0) return;
  if (S_ISFIFO(st.st_mode)) {
    // sshd's pipe holds 64 KiB: a 255 KiB reply would leave in four pieces,
    // each a wake-up for both ends. Best effort: the user's pipe quota
    // (fs.pipe-user-pages-soft) may say no, and that is fine.
    if (::fcntl(out_fd_, F_GETPIPE_SZ) < kSplicePipeSize)
      (void)::fcntl(out_fd_, F_SETPIPE_SZ, kSplicePipeSize);
  } else if (S_ISSOCK(st.st_mode)) {
    // A socket (sftp -D, inetd-style set-ups) sends ~208 KiB by default
    // (net.core.wmem_default): less than one reply, so the server stalls
    // once per reply. Measured on `sftp -D` 1 GiB gets: 10-25 % less wall
    // time with a larger buffer. The kernel caps it at net.core.wmem_max.
    int size = kSplicePipeSize;
    int current = 0;
    socklen_t length = sizeof current;
    if (::getsockopt(out_fd_, SOL_SOCKET, SO_SNDBUF, &current, &length) == 0 &&
        current < 2 * size)
      (void)::setsockopt(out_fd_, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  }
}

void Transport::enable_nonblocking_output() {
  struct stat st {};
  if (::fstat(out_fd_, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) return;
  const int flags = ::fcntl(out_fd_, F_GETFL);
  if (flags == -1 || (flags & O_NONBLOCK) != 0) return;
  if (::fcntl(out_fd_, F_SETFL, flags | O_NONBLOCK) == 0) original_out_flags_ = flags;
}

Transport::Input Transport::read_once(Logger& log) {
  // A read into no space would return 0 and look like the end of the stream.
  if (input_.free_space() == 0) return Input::kData;
  const ssize_t n = ::read(in_fd_, input_.free_begin(), input_.free_space());
  if (n > 0) {
    input_.produced(static_cast<std::size_t>(n));
    return Input::kData;
  }
  if (n == 0) {
    input_ended_ = true;
    return Input::kEnd;
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return Input::kData;
  log.error("read: {}", std::strerror(errno));
  input_ended_ = true;
  return Input::kError;
}

Transport::Input Transport::read_input(Logger& log) {
  for (;;) {
    if (input_ended_) return Input::kEnd;
    const std::size_t before = input_.size();
    const Input result = read_once(log);
    if (result != Input::kData || input_.size() > before) return result;
    wait_for_input(in_fd_);  // EAGAIN: a non-blocking descriptor with nothing yet
  }
}

bool Transport::wait_writable(Logger& log) {
  const bool same = in_fd_ == out_fd_;
  for (;;) {
    const bool want_input = !input_ended_ && input_.free_space() > 0;
    struct pollfd p[2] = {{out_fd_, POLLOUT, 0}, {in_fd_, POLLIN, 0}};
    if (same && want_input) p[0].events |= POLLIN;
    const nfds_t count = (want_input && !same) ? 2 : 1;
    if (::poll(p, count, -1) < 0) {
      if (errno == EINTR) continue;
      log.error("poll: {}", std::strerror(errno));
      closed_ = true;
      return false;
    }
    const short in_events = same ? p[0].revents : (count == 2 ? p[1].revents : 0);
    if (want_input && (in_events & (POLLIN | POLLHUP)) != 0) {
      // Collected, not handled: handling waits until the replies drain.
      if (read_once(log) == Input::kError) {
        closed_ = true;
        return false;
      }
    }
    if (p[0].revents & (POLLOUT | POLLERR)) return true;
    if (!same && (p[0].revents & POLLHUP)) return true;  // write() reports EPIPE
  }
}

void Transport::enable_splice() {
  struct stat st {};
  in_is_pipe_ = ::fstat(in_fd_, &st) == 0 && S_ISFIFO(st.st_mode);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return;
  pipe_read_.reset(fds[0]);
  pipe_write_.reset(fds[1]);
  if (::fcntl(pipe_write_.get(), F_SETPIPE_SZ, kSplicePipeSize) < static_cast<int>(kMaxReadLength)) {
    // Too small a pipe would split replies into many calls: copy instead.
    pipe_read_.reset();
    pipe_write_.reset();
  }
}

bool Transport::flush(Logger& log) {
  while (!out_.empty()) {
    const Bytes pending = out_.pending();
    const ssize_t n = ::write(out_fd_, pending.data(), pending.size());
    if (n > 0) {
      out_.consume(static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_writable(log)) return false;
    } else {
      if (n < 0 && errno != EPIPE)
        log.error("write: {}", std::strerror(errno));
      else
        log.debug("write eof");
      closed_ = true;
      return false;
    }
  }
  return true;
}

ssize_t Transport::splice_in(int file_fd, off_t offset, std::size_t length) {
  std::size_t moved = 0;
  while (moved < length) {
    loff_t at = offset + static_cast<off_t>(moved);
    const ssize_t n = ::splice(file_fd, &at, pipe_write_.get(), nullptr, length - moved,
                               SPLICE_F_MOVE);
    if (n > 0) {
      moved += static_cast<std::size_t>(n);
      // Short: the end of the file (the pipe holds a whole READ). A short
      // reply is fine; asking again would only find the end.
      if (moved < length) break;
    } else if (n == 0) {
      break;  // end of file
    } else if (errno == EINTR) {
      continue;
    } else {
      if (moved > 0) break;  // a short reply, as a short pread() would give
      return -1;
    }
  }
  return static_cast<ssize_t>(moved);
}

bool Transport::send_spliced(std::size_t length, Logger& log) {
  if (!flush(log)) return false;
  std::size_t left = length;
  while (left > 0) {
    const ssize_t n = ::splice(pipe_read_.get(), nullptr, out_fd_, nullptr, left, SPLICE_F_MOVE);
    if (n > 0) {
      left -= static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_writable(log)) return false;
    } else if (n < 0 && errno == EINVAL && left == length) {
      // The client's descriptor refuses splice (not a pipe or socket):
      // copy this reply, and every later one.
      splice_out_ok_ = false;
      return copy_out_of_pipe(left, log);
    } else {
      if (n < 0 && errno != EPIPE) log.error("splice: {}", std::strerror(errno));
      closed_ = true;
      return false;
    }
  }
  return true;
}

// The slow way out of the pipe: through the (empty, flushed) output queue.
bool Transport::copy_out_of_pipe(std::size_t length, Logger& log) {
  Reply chunk = out_.begin_raw();
  Writer& w = chunk.writer();
  while (length > 0) {
    const ssize_t n = ::read(pipe_read_.get(), w.cursor(), std::min(length, w.remaining()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      log.error("splice pipe: {}", n < 0 ? std::strerror(errno) : "empty");
      closed_ = true;
      return false;
    }
    w.advance(static_cast<std::size_t>(n));
    length -= static_cast<std::size_t>(n);
  }
  out_.finish_raw(chunk);
  return flush(log);
}

}  // namespace sftpsh::server

namespace sftpsh::server {

std::byte* Transport::scratch() {
  if (!scratch_) scratch_.reset(new std::byte[kScratchSize]);
  return scratch_.get();
}

// read() then pwrite(): for inputs or files that refuse splice, and to drop
// the payload after a write error (file_fd -1).
ssize_t Transport::receive_by_copy(int file_fd, loff_t& offset, std::size_t length,
                                   int& write_error) {
  std::byte* buffer = scratch();
  const ssize_t n = ::read(in_fd_, buffer, std::min(length, kScratchSize));
  if (n <= 0) return n;
  std::size_t done = 0;
  while (file_fd >= 0 && write_error == 0 && done < static_cast<std::size_t>(n)) {
    const ssize_t w = ::pwrite(file_fd, buffer + done, static_cast<std::size_t>(n) - done,
                               offset + static_cast<loff_t>(done));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      write_error = w < 0 ? errno : EIO;
      break;
    }
    done += static_cast<std::size_t>(w);
  }
  offset += n;
  return n;
}

ssize_t Transport::receive_step(int file_fd, loff_t& offset, std::size_t length,
                                int& write_error) {
  if (file_fd < 0 || write_error != 0 || !splice_in_ok_)
    return receive_by_copy(write_error == 0 ? file_fd : -1, offset, length, write_error);
  if (in_is_pipe_) {
    const ssize_t n = ::splice(in_fd_, nullptr, file_fd, &offset, length, SPLICE_F_MOVE);
    if (n < 0 && errno == EINVAL) {
      splice_in_ok_ = false;  // this file (or input) takes no splice: copy
      return receive_by_copy(file_fd, offset, length, write_error);
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      // splice() can't tell a read error from a write error; a write error
      // (ENOSPC, EFBIG, EIO) is the likely one. Drop the rest by copying.
      write_error = errno;
      return receive_by_copy(-1, offset, length, write_error);
    }
    return n;
  }
  if (!pipe_write_.valid()) {
    splice_in_ok_ = false;
    return receive_by_copy(file_fd, offset, length, write_error);
  }
  // A socket: through the splice pipe (empty between requests).
  const ssize_t n = ::splice(in_fd_, nullptr, pipe_write_.get(), nullptr,
                             std::min<std::size_t>(length, kSplicePipeSize), SPLICE_F_MOVE);
  if (n < 0 && errno == EINVAL) {
    splice_in_ok_ = false;
    return receive_by_copy(file_fd, offset, length, write_error);
  }
  if (n <= 0) return n;
  std::size_t in_pipe = static_cast<std::size_t>(n);
  while (in_pipe > 0 && write_error == 0) {
    const ssize_t w = ::splice(pipe_read_.get(), nullptr, file_fd, &offset, in_pipe, SPLICE_F_MOVE);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      write_error = w < 0 ? errno : EIO;
      break;
    }
    in_pipe -= static_cast<std::size_t>(w);
  }
  // After a write error, empty the pipe so the next READ starts clean.
  while (in_pipe > 0) {
    const ssize_t r = ::read(pipe_read_.get(), scratch(), std::min(in_pipe, kScratchSize));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    in_pipe -= static_cast<std::size_t>(r);
  }
  return n;
}

Transport::Received Transport::receive_into_file(int file_fd, std::uint64_t offset,
                                                 std::size_t length, Logger& log) {
  Received result;
  auto at = static_cast<loff_t>(offset);
  while (length > 0) {
    const ssize_t n = receive_step(file_fd, at, length, result.error);
    if (n > 0) {
      length -= static_cast<std::size_t>(n);
    } else if (n == 0) {
      log.debug("read eof in the middle of a WRITE");
      result.client_gone = true;
      closed_ = true;
      return result;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      wait_for_input(in_fd_);
    } else if (errno != EINTR) {
      log.error("read: {}", std::strerror(errno));
      result.client_gone = true;
      closed_ = true;
      return result;
    }
  }
  return result;
}

}  // namespace sftpsh::server
