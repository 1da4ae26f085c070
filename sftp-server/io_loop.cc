#include "sftp-server/io_loop.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "sftp-server/dispatch.h"
#include "sftp-server/streamed_write.h"

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

// A WRITE takes the streamed path (streamed_write.h) when at least this much
// of it is still to come; for less, one more read() is cheaper.
constexpr std::size_t kMinStreamedRest = 16 * 1024;

}  // namespace

int run_io_loop(Session& s) {
  Transport& t = s.transport;
  InputBuffer& in = t.input();
  for (;;) {
    // Every complete packet already here, each only once its reply fits.
    // (Waiting for the output to drain reads more input meanwhile, so the
    // sizes are looked at only after making room.)
    std::size_t needed = 4;
    for (;;) {
      if (s.out.free_space() < kMaxReplySize && !t.flush(s.log)) return kExitClean;
      if (in.size() < 4) break;
      const std::uint32_t length = load_u32(in.front());
      if (length > kMaxPacket) {
        s.log.error("bad message from {} local user {}", s.client, s.user.name);
        return kExitBadLength;
      }
      needed = 4 + std::size_t{length};
      if (in.size() < needed) {
        // A large WRITE still arriving: write what is here and splice the
        // rest straight into the file instead of collecting it first.
        if (needed - in.size() < kMinStreamedRest) break;
        const auto streamed = stream_large_write(s, Bytes(in.front() + 4, in.size() - 4), length);
        if (streamed == StreamedWrite::kNotApplicable) break;
        if (streamed == StreamedWrite::kClientGone || t.closed()) return kExitClean;
        in.consume(in.size());
        needed = 4;
        continue;
      }
      if (!process_packet(s, Bytes(in.front() + 4, length))) return kExitProtocol;
      if (t.closed()) return kExitClean;
      in.consume(needed);
      needed = 4;
    }
    // Nothing more to do until the client sends more: send what we have.
    // Waiting for the client to take it may collect more requests: those
    // are handled before blocking for input again.
    const std::size_t buffered = in.size();
    if (!t.flush(s.log)) return kExitClean;
    if (in.size() != buffered) continue;

    in.make_room(needed, kMinReadSpace);
    switch (t.read_input(s.log)) {
      case Transport::Input::kData:
        break;
      case Transport::Input::kEnd:
        s.log.debug("read eof");
        return kExitClean;
      case Transport::Input::kError:
        return kExitIoError;
    }
  }
}

}  // namespace sftpsh::server
