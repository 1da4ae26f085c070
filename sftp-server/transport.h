// The connection to the client: its descriptors, the output queue written
// to it, and a splice pipe that moves file data to it without a copy.
//
// Large WRITE payloads still arriving go straight from the client into the
// file (receive_into_file). Large READ replies don't pass through user space: splice_in() takes up to
// `length` bytes of the file into the splice pipe as page references (which
// also tells exactly how many bytes the reply carries, before its header is
// written), then send_spliced() writes the queued replies and the header,
// and splices the pipe's contents out behind them. sshd connects a subsystem
// by pipes, `sftp -D` by a socketpair; both accept splice().
//
// Never a deadlock with a client that sends many requests before reading any
// reply (paramiko's prefetch): output to a pipe or socket is non-blocking,
// and while waiting for the client to take replies, whatever input arrives
// is read into the (fixed-size) input buffer. Requests are not handled while
// the output is full; they are only collected, up to the buffer's size.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "common/log.h"
#include "common/unique_fd.h"
#include "sftp-server/input_buffer.h"
#include "sftp-server/output_queue.h"

namespace sftpsh::server {

class Transport {
 public:
  Transport(int in_fd, int out_fd, OutputQueue& out) : in_fd_(in_fd), out_fd_(out_fd), out_(out) {}
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;
  // Gives the output descriptor its original flags back.
  ~Transport();

  // Makes the splice pipe; without one, file data is copied (pread/write).
  void enable_splice();
  // An output pipe (sshd's) is made as large as the splice pipe, and an
  // output socket's send buffer as large, so a whole READ reply goes out in
  // one piece. Best effort.
  void enlarge_output_buffer();
  // Output to a pipe or socket becomes non-blocking (see above). Other
  // descriptors (a terminal, a file) are left alone.
  void enable_nonblocking_output();

  [[nodiscard]] InputBuffer& input() { return input_; }
  enum class Input { kData, kEnd, kError };
  // Reads whatever the client has sent (waiting for some) into input().
  [[nodiscard]] Input read_input(Logger& log);

  [[nodiscard]] OutputQueue& queue() { return out_; }
  [[nodiscard]] int in_fd() const { return in_fd_; }
  [[nodiscard]] int out_fd() const { return out_fd_; }
  // Set once a write found the client gone; the session then ends.
  [[nodiscard]] bool closed() const { return closed_; }

  // Writes everything queued. False when the client has gone.
  [[nodiscard]] bool flush(Logger& log);

  [[nodiscard]] bool can_splice() const { return splice_out_ok_ && pipe_write_.valid(); }
  // Moves up to `length` bytes of `file_fd` from `offset` into the pipe:
  // returns the count (0 at end of file), or -1 with errno (nothing moved).
  [[nodiscard]] ssize_t splice_in(int file_fd, off_t offset, std::size_t length);
  // Sends the queued replies (the last one's header announces `length` more
  // bytes), then the `length` bytes waiting in the pipe. False when the
  // client has gone.
  [[nodiscard]] bool send_spliced(std::size_t length, Logger& log);

  // Moves the next `length` bytes of the client's stream into `file_fd` at
  // `offset` (the rest of a large WRITE), by splice where possible. With
  // file_fd -1, or after a write error, the bytes are read and dropped so
  // the stream stays framed.
  struct Received {
    bool client_gone = false;
    int error = 0;  // the first errno writing the file
  };
  [[nodiscard]] Received receive_into_file(int file_fd, std::uint64_t offset,
                                           std::size_t length, Logger& log);

 private:
  bool copy_out_of_pipe(std::size_t length, Logger& log);
  // Waits until out_fd_ takes more, reading arriving input meanwhile.
  // False if the client has gone.
  bool wait_writable(Logger& log);
  // One read() into input(); sets input_ended_ at the end of the stream.
  Input read_once(Logger& log);
  // One step of receive_into_file: returns bytes taken from the stream
  // (0: the client closed it; -1: errno, a read error).
  ssize_t receive_step(int file_fd, loff_t& offset, std::size_t length, int& write_error);
  ssize_t receive_by_copy(int file_fd, loff_t& offset, std::size_t length, int& write_error);
  std::byte* scratch();

  int in_fd_;
  int out_fd_;
  OutputQueue& out_;
  InputBuffer input_;
  bool input_ended_ = false;
  int original_out_flags_ = -1;  // restored by the destructor
  bool closed_ = false;
  bool splice_out_ok_ = true;  // cleared if out_fd_ refuses splice()
  bool in_is_pipe_ = false;    // sshd: splice straight from it into files
  bool splice_in_ok_ = true;   // cleared if the input refuses splice()
  UniqueFd pipe_read_;
  UniqueFd pipe_write_;
  std::unique_ptr<std::byte[]> scratch_;  // copy fallback, made on first use
};

}  // namespace sftpsh::server
