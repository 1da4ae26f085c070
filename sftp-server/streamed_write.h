// The upload fast path: a large WRITE whose payload is still arriving is
// written without first collecting the whole packet in the input buffer.
//
// The part already buffered is pwrite()n; the rest is spliced from the
// client's descriptor straight into the file (a pipe from sshd splices
// directly; a socket goes through the splice pipe). The reply is the same
// as for an ordinary WRITE and is sent only after every byte is in the file.
// Anything unusual (not a plain file handle, O_APPEND, a refused request,
// inconsistent lengths) is left to the ordinary path.
#pragma once

#include <cstdint>

#include "sftp-server/session.h"
#include "sftp-server/wire.h"

namespace sftpsh::server {

enum class StreamedWrite {
  kNotApplicable,  // handle it the ordinary way, once the packet is complete
  kDone,           // the whole packet has been consumed and answered
  kClientGone,     // the client closed the stream mid-packet
};

// `buffered` is the start of the packet (after its length field) as far as it
// has arrived; `packet_length` is its length field. On kDone the caller
// drops `buffered` from the input.
[[nodiscard]] StreamedWrite stream_large_write(Session& s, Bytes buffered,
                                               std::uint32_t packet_length);

}  // namespace sftpsh::server
