// The I/O loop: the performance core.
//
// It reads as much input as the kernel has, handles every complete request
// in the buffer, and writes the replies with one write() per batch. Replies
// are built in place in the output queue (READ data is pread() straight into
// it; WRITE data is pwrite()n straight from the input buffer), so file data
// is never copied in user space. Backpressure: a request is handled only
// when the output queue has room for the largest reply; otherwise the queue
// is written out first; while it drains, arriving input is only collected,
// never more than the input buffer holds (transport.h). Memory is fixed: two
// buffers, allocated once (kInputCapacity + kOutputCapacity).
#pragma once

#include <cstddef>

#include "sftp-server/output_queue.h"
#include "sftp-server/session.h"

namespace sftpsh::server {

// The input buffer (input_buffer.h) holds two packets of the largest size, so
// a partly received packet can always be completed without first moving the
// one before it.
inline constexpr std::size_t kOutputCapacity = 2 * kMaxReplySize;

// Serves requests until the client closes its end; returns the process exit
// status (0 on a clean end, as OpenSSH).
[[nodiscard]] int run_io_loop(Session& session);

}  // namespace sftpsh::server
