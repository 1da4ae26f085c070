#include "sftp-server/streamed_write.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sftp-server/request_table.h"
#include "sftp-server/status.h"

namespace sftpsh::server {

namespace {

// Below this, collecting the packet costs less than the extra calls.
constexpr std::uint32_t kMinStreamedPacket = 64 * 1024;

struct WriteHeader {
  OpenHandle* entry = nullptr;
  std::uint32_t id = 0;
  std::uint64_t offset = 0;
  Bytes buffered_data;       // payload bytes already here
  std::size_t missing = 0;   // payload bytes still in the stream
};

// Decodes the WRITE header and checks that this request may take the fast
// path; nullopt sends it down the ordinary path.
std::optional<WriteHeader> fast_path_header(Session& s, Bytes buffered,
                                            std::uint32_t packet_length) {
  if (!s.initialized || packet_length < kMinStreamedPacket) return std::nullopt;
  Reader in(buffered);
  if (in.u8() != static_cast<std::uint8_t>(Msg::kWrite)) return std::nullopt;
  const auto id = in.u32();
  const auto handle = in.bytes();
  const auto offset = in.u64();
  const auto data_length = in.u32();
  if (!id || !handle || !offset || !data_length) return std::nullopt;
  const std::size_t header = buffered.size() - in.remaining();
  // The payload must be exactly the rest of the packet.
  if (header + *data_length != packet_length) return std::nullopt;
  const RequestSpec* spec = find_request(static_cast<std::uint8_t>(Msg::kWrite));
  if (spec == nullptr || !s.policy.allows(*spec)) return std::nullopt;
  OpenHandle* entry = s.handles.find(*handle, HandleKind::kFile);
  if (entry == nullptr || (entry->open_flags & O_APPEND) != 0) return std::nullopt;
  if (*offset > static_cast<std::uint64_t>(INT64_MAX) - *data_length) return std::nullopt;
  WriteHeader h;
  h.entry = entry;
  h.id = *id;
  h.offset = *offset;
  h.buffered_data = in.rest();
  h.missing = *data_length - h.buffered_data.size();
  return h;
}

bool pwrite_all(int fd, Bytes data, std::uint64_t offset) {
  while (!data.empty()) {
    const ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    data = data.subspan(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
  return true;
}

}  // namespace

StreamedWrite stream_large_write(Session& s, Bytes buffered, std::uint32_t packet_length) {
  const auto h = fast_path_header(s, buffered, packet_length);
  if (!h) return StreamedWrite::kNotApplicable;
  ++s.traffic.requests;
  OpenHandle& entry = *h->entry;
  s.log.debug("request {}: write \"{}\" off {} len {} (streamed)", h->id, entry.path, h->offset,
              h->buffered_data.size() + h->missing);

  int error = 0;
  if (!pwrite_all(entry.fd.get(), h->buffered_data, h->offset)) error = errno;
  const std::uint64_t rest_offset = h->offset + h->buffered_data.size();
  // The rest of the payload must leave the stream even after an error, or
  // the next packet would be read from the middle of this one.
  const auto moved = s.transport.receive_into_file(error == 0 ? entry.fd.get() : -1,
                                                   rest_offset, h->missing, s.log);
  if (moved.client_gone) return StreamedWrite::kClientGone;
  if (error == 0) error = moved.error;
  if (error != 0) {
    s.log.error("write \"{}\": {}", entry.path, std::strerror(error));
    s.send_errno(h->id, error);
    return StreamedWrite::kDone;
  }
  const std::size_t total = h->buffered_data.size() + h->missing;
  entry.bytes_written += total;
  s.traffic.bytes_written += total;
  s.send_status(h->id, Status::kOk);
  return StreamedWrite::kDone;
}

}  // namespace sftpsh::server
