// Requests on open files: OPEN, CLOSE, READ, WRITE, FSTAT, FSETSTAT, and the
// fsync@openssh.com and fstatvfs@openssh.com extensions.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "sftp-server/handlers.h"
#include "sftp-server/set_attrs.h"
#include "sftp-server/statvfs_reply.h"
#include "sftp-server/status.h"

namespace sftpsh::server {

namespace {

// READs at least this long, of files with at least this much left, are
// spliced (no copy through user space); smaller ones are cheaper as one
// pread() into the batched output (a small file's whole get is then one
// pread and one EOF).
constexpr std::uint32_t kSpliceMinRead = 64 * 1024;

int open_flags_from_sftp(std::uint32_t f) {
  int flags = O_RDONLY;
  if ((f & kOpenRead) && (f & kOpenWrite))
    flags = O_RDWR;
  else if (f & kOpenWrite)
    flags = O_WRONLY;
  if (f & kOpenAppend) flags |= O_APPEND;
  if (f & kOpenCreate) flags |= O_CREAT;
  if (f & kOpenTruncate) flags |= O_TRUNC;
  if (f & kOpenExclusive) flags |= O_EXCL;
  return flags;
}

// "READ,WRITE,CREATE" as OpenSSH logs open flags.
std::string describe_open_flags(std::uint32_t f) {
  std::string out;
  const auto add = [&out](const char* word) {
    if (!out.empty()) out += ',';
    out += word;
  };
  if (f & kOpenRead) add("READ");
  if (f & kOpenWrite) add("WRITE");
  if (f & kOpenAppend) add("APPEND");
  if (f & kOpenCreate) add("CREATE");
  if (f & kOpenTruncate) add("TRUNCATE");
  if (f & kOpenExclusive) add("EXCL");
  return out;
}

// How much of the file lies at and after `offset`, going by its size when it
// was first read (see OpenHandle::size_hint). Not a regular file: "a lot".
std::uint64_t remaining_in_file(OpenHandle& entry, std::uint64_t offset) {
  if (entry.size_hint == OpenHandle::kUnknownSize) {
    struct stat st {};
    entry.size_hint = ::fstat(entry.fd.get(), &st) == 0 && S_ISREG(st.st_mode)
                          ? static_cast<std::uint64_t>(st.st_size)
                          : OpenHandle::kUnknownSize - 1;
  }
  return entry.size_hint > offset ? entry.size_hint - offset : 0;
}

ssize_t pread_retrying(int fd, std::byte* buffer, std::size_t length, off_t offset) {
  ssize_t n;
  do {
    n = ::pread(fd, buffer, length, offset);
  } while (n < 0 && errno == EINTR);
  return n;
}

// Writes all of `data` at `offset` (or at the end for O_APPEND files, where
// Linux's pwrite() appends anyway). A short write is continued, so the reply
// is OK only when every byte is in the file.
bool pwrite_all(int fd, Bytes data, std::uint64_t offset) {
  // An empty WRITE still asks the descriptor, as OpenSSH's write() does: on
  // a read-only handle it fails (EBADF) rather than claiming success.
  if (data.empty()) return ::pwrite(fd, data.data(), 0, static_cast<off_t>(offset)) == 0;
  while (!data.empty()) {
    const ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) {
      errno = EIO;
      return false;
    }
    data = data.subspan(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
  return true;
}

}  // namespace

void handle_open(Session& s, std::uint32_t id, Reader& in) {
  const auto path = in.text();
  const auto sftp_flags = in.u32();
  const auto attrs = path && sftp_flags ? decode_attrs(in) : std::nullopt;
  if (!attrs) return s.send_bad_message(id);

  const int flags = open_flags_from_sftp(*sftp_flags);
  const mode_t mode = (attrs->flags & kAttrPermissions) ? attrs->permissions : 0666;
  s.log.log(LogLevel::kDebug3, "request {}: open flags {}", id, *sftp_flags);
  s.log.info("open \"{}\" flags {} mode 0{:o}", *path, describe_open_flags(*sftp_flags), mode);
  if (!s.policy.permits_open(*sftp_flags)) {
    s.log.verbose("Refusing open request in read-only mode");
    return s.send_status(id, Status::kPermissionDenied);
  }
  const CPath cpath(*path);
  if (cpath.too_long()) return s.send_errno(id, ENAMETOOLONG);
  if (s.handles.open_count() >= s.handles.max_open()) {
    s.log.error("open \"{}\": too many open handles ({})", *path, s.handles.max_open());
    return s.send_status(id, Status::kFailure, "Too many open handles");
  }
  UniqueFd fd(::open(cpath.c_str(), flags | O_CLOEXEC | O_NOCTTY, mode & 07777));
  if (!fd) return s.send_errno(id, errno);
  OpenHandle* entry = s.handles.add(HandleKind::kFile, std::move(fd), flags, *path);
  if (entry == nullptr) return s.send_status(id, Status::kFailure, "Too many open handles");
  s.send_handle(id, *entry);
}

void handle_close(Session& s, std::uint32_t id, Reader& in) {
  const auto handle = in.bytes();
  if (!handle) return s.send_bad_message(id);
  OpenHandle* entry = s.handles.find(*handle);
  if (entry == nullptr) return s.send_errno(id, ENOENT);
  if (entry->kind == HandleKind::kFile)
    s.log.info("close \"{}\" bytes read {} written {}", entry->path, entry->bytes_read,
               entry->bytes_written);
  else
    s.log.info("closedir \"{}\"", entry->path);
  s.forget_dir_cache(*entry);
  if (s.handles.close(*entry) != 0) return s.send_errno(id, errno);
  s.send_status(id, Status::kOk);
}

// The hot path of a download. Large reads are spliced from the file to the
// client (transport.h); others are pread() straight into the reply in the
// output queue, behind its header, and the length patched in after.
void handle_read(Session& s, std::uint32_t id, Reader& in) {
  const auto handle = in.bytes();
  const auto offset = in.u64();
  const auto requested = in.u32();
  if (!handle || !offset || !requested) return s.send_bad_message(id);
  OpenHandle* entry = s.handles.find(*handle, HandleKind::kFile);
  if (s.log.enabled(LogLevel::kDebug1))
    s.log.debug("request {}: read \"{}\" off {} len {}", id, entry ? entry->path : "",
                *offset, *requested);
  if (entry == nullptr) return s.send_status(id, Status::kFailure);
  // Longer reads are shortened, not refused: clients then ask for the rest.
  const std::uint32_t length = std::min(*requested, kMaxReadLength);
  if (*offset > static_cast<std::uint64_t>(INT64_MAX)) return s.send_errno(id, EINVAL);

  if (length >= kSpliceMinRead && s.transport.can_splice() &&
      remaining_in_file(*entry, *offset) >= kSpliceMinRead) {
    const ssize_t n = s.transport.splice_in(entry->fd.get(), static_cast<off_t>(*offset), length);
    if (n == 0) return s.send_status(id, Status::kEof);
    if (n > 0) {
      Reply reply = s.out.begin(Msg::kData, id);
      reply.writer().u32(static_cast<std::uint32_t>(n));
      s.finish_with_trailer(reply, static_cast<std::size_t>(n));
      // On failure the client has gone; the I/O loop sees transport.closed().
      if (s.transport.send_spliced(static_cast<std::size_t>(n), s.log)) {
        entry->bytes_read += static_cast<std::uint64_t>(n);
        s.traffic.bytes_read += static_cast<std::uint64_t>(n);
      }
      return;
    }
    // This file refuses splice (procfs, some FUSE): read it the usual way.
  }

  Reply reply = s.out.begin(Msg::kData, id);
  Writer& w = reply.writer();
  const std::size_t length_field = w.size();
  w.u32(0);
  ssize_t n = 0;
  if (length > 0) {
    if (w.remaining() < length) fatal(s.log, "internal error: no room for a READ reply");
    n = pread_retrying(entry->fd.get(), w.cursor(), length, static_cast<off_t>(*offset));
    // An unfinished reply is simply not committed: the status replaces it.
    if (n < 0) {
      const int error = errno;
      s.log.error("read \"{}\": {}", entry->path, std::strerror(error));
      return s.send_errno(id, error);
    }
    if (n == 0) return s.send_status(id, Status::kEof);
  }
  w.advance(static_cast<std::size_t>(n));
  w.patch_u32(length_field, static_cast<std::uint32_t>(n));
  s.finish(reply);
  entry->bytes_read += static_cast<std::uint64_t>(n);
  s.traffic.bytes_read += static_cast<std::uint64_t>(n);
}

// The hot path of an upload: written straight from the input buffer; OK is
// sent only after every byte reached the file.
void handle_write(Session& s, std::uint32_t id, Reader& in) {
  const auto handle = in.bytes();
  const auto offset = in.u64();
  const auto data = in.bytes();
  if (!handle || !offset || !data) return s.send_bad_message(id);
  OpenHandle* entry = s.handles.find(*handle, HandleKind::kFile);
  if (s.log.enabled(LogLevel::kDebug1))
    s.log.debug("request {}: write \"{}\" off {} len {}", id, entry ? entry->path : "",
                *offset, data->size());
  if (entry == nullptr) return s.send_status(id, Status::kFailure);
  if (*offset > static_cast<std::uint64_t>(INT64_MAX) - data->size())
    return s.send_errno(id, EINVAL);
  if (!pwrite_all(entry->fd.get(), *data, *offset)) {
    const int error = errno;
    s.log.error("write \"{}\": {}", entry->path, std::strerror(error));
    return s.send_errno(id, error);
  }
  entry->bytes_written += data->size();
  s.traffic.bytes_written += data->size();
  s.send_status(id, Status::kOk);
}

void handle_fstat(Session& s, std::uint32_t id, Reader& in) {
  const auto handle = in.bytes();
  if (!handle) return s.send_bad_message(id);
  OpenHandle* entry = s.handles.find(*handle, HandleKind::kFile);
  if (entry == nullptr) return s.send_status(id, Status::kFailure);
  s.log.debug("request {}: fstat \"{}\"", id, entry->path);
  struct stat st {};
  if (::fstat(entry->fd.get(), &st) != 0) return s.send_errno(id, errno);
  s.send_attrs(id, attrs_from_stat(st));
}

void handle_fsetstat(Session& s, std::uint32_t id, Reader& in) {
  const auto handle = in.bytes();
  const auto attrs = handle ? decode_attrs(in) : std::nullopt;
  if (!attrs) return s.send_bad_message(id);
  OpenHandle* entry = s.handles.find(*handle, HandleKind::kFile);
  if (entry == nullptr) return s.send_status(id, Status::kFailure);
  s.log.debug("request {}: fsetstat \"{}\"", id, entry->path);
  AttrTarget target;
  target.fd = entry->fd.get();
  s.send_status(id, apply_attrs(target, entry->path, *attrs, s.log));
}

void handle_fsync(Session& s, std::uint32_t id, Reader& in) {
  const auto handle = in.bytes();
  if (!handle) return s.send_bad_message(id);
  OpenHandle* entry = s.handles.find(*handle, HandleKind::kFile);
  if (entry == nullptr) return s.send_status(id, Status::kNoSuchFile);
  s.log.verbose("fsync \"{}\"", entry->path);
  if (::fsync(entry->fd.get()) != 0) return s.send_errno(id, errno);
  s.send_status(id, Status::kOk);
}

void handle_fstatvfs(Session& s, std::uint32_t id, Reader& in) {
  const auto handle = in.bytes();
  if (!handle) return s.send_bad_message(id);
  OpenHandle* entry = s.handles.find(*handle, HandleKind::kFile);
  if (entry == nullptr) return s.send_status(id, Status::kFailure);
  s.log.debug("request {}: fstatvfs \"{}\"", id, entry->path);
  struct statvfs st {};
  if (::fstatvfs(entry->fd.get(), &st) != 0) return s.send_errno(id, errno);
  send_statvfs(s, id, st);
}

}  // namespace sftpsh::server
