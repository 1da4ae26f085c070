// OPENDIR and READDIR. READDIR reads the directory with getdents64 in large
// batches, stats each entry relative to the directory's fd, and packs into
// one reply at least OpenSSH's 100 entries, and more while the reply stays
// under kMaxReaddirReply.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "sftp-server/handlers.h"
#include "sftp-server/longname.h"
#include "sftp-server/status.h"

namespace sftpsh::server {

namespace {

constexpr std::size_t kGetdentsBuffer = 32 * 1024;
// OpenSSH sends 100 entries per READDIR reply, whatever their size.
constexpr std::uint32_t kMinReaddirEntries = 100;

// Makes the session's getdents buffer belong to `entry`. If it held unread
// entries of another open directory, that directory's file position is set
// back so its next READDIR gets them again.
void claim_dir_cache(Session& s, OpenHandle& entry) {
  DirCache& cache = s.dir_cache;
  if (cache.owner == &entry && cache.owner_generation == entry.generation) return;
  if (cache.owner != nullptr && cache.position < cache.length) {
    auto* previous = const_cast<OpenHandle*>(cache.owner);
    if (previous->kind == HandleKind::kDir && previous->generation == cache.owner_generation)
      (void)::lseek(previous->fd.get(), previous->dir_resume_offset, SEEK_SET);
  }
  if (!cache.buffer) cache.buffer.reset(new std::byte[kGetdentsBuffer]);
  cache.owner = &entry;
  cache.owner_generation = entry.generation;
  cache.length = cache.position = 0;
}

// The next entry of the directory, refilling the buffer as needed; nullptr at
// the end (sets dir_at_end) or on error (errno set, dir_at_end unchanged).
const struct dirent64* next_entry(Session& s, OpenHandle& entry) {
  DirCache& cache = s.dir_cache;
  if (cache.position >= cache.length) {
    ssize_t n;
    do {
      n = ::getdents64(entry.fd.get(), cache.buffer.get(), kGetdentsBuffer);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
      if (n == 0) entry.dir_at_end = true;
      cache.length = cache.position = 0;
      return nullptr;
    }
    cache.length = static_cast<std::size_t>(n);
    cache.position = 0;
  }
  const auto* d = reinterpret_cast<const struct dirent64*>(cache.buffer.get() + cache.position);
  return d;
}

void consume_entry(Session& s, OpenHandle& entry, const struct dirent64* d) {
  s.dir_cache.position += d->d_reclen;
  entry.dir_resume_offset = d->d_off;
}

}  // namespace

void handle_opendir(Session& s, std::uint32_t id, Reader& in) {
  const auto path = in.text();
  if (!path) return s.send_bad_message(id);
  s.log.info("opendir \"{}\"", *path);
  const CPath cpath(*path);
  if (cpath.too_long()) return s.send_errno(id, ENAMETOOLONG);
  if (s.handles.open_count() >= s.handles.max_open()) {
    s.log.error("opendir \"{}\": too many open handles ({})", *path, s.handles.max_open());
    return s.send_status(id, Status::kFailure, "Too many open handles");
  }
  UniqueFd fd(::open(cpath.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY));
  if (!fd) return s.send_errno(id, errno);
  OpenHandle* entry = s.handles.add(HandleKind::kDir, std::move(fd), O_RDONLY, *path);
  if (entry == nullptr) return s.send_status(id, Status::kFailure, "Too many open handles");
  s.send_handle(id, *entry);
}

void handle_readdir(Session& s, std::uint32_t id, Reader& in) {
  const auto handle = in.bytes();
  if (!handle) return s.send_bad_message(id);
  OpenHandle* entry = s.handles.find(*handle, HandleKind::kDir);
  if (entry == nullptr) return s.send_status(id, Status::kFailure);
  s.log.debug("request {}: readdir \"{}\"", id, entry->path);
  if (entry->dir_at_end) return s.send_status(id, Status::kEof);
  claim_dir_cache(s, *entry);

  Reply reply = s.out.begin(Msg::kName, id);
  Writer& w = reply.writer();
  const std::size_t count_field = w.size();
  w.u32(0);
  std::uint32_t count = 0;
  const std::time_t now = std::time(nullptr);
  int error = 0;
  while (const struct dirent64* d = next_entry(s, *entry)) {
    struct stat st {};
    // Entries that vanished or can't be stat'ed are skipped, as OpenSSH does.
    if (::fstatat(entry->fd.get(), d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      consume_entry(s, *entry, d);
      continue;
    }
    const std::size_t mark = w.size();
    const std::string_view name(d->d_name);
    w.text(name);
    s.scratch.clear();
    append_longname(s.scratch, name, st, s.user_name(st.st_uid), s.group_name(st.st_gid), now,
                    s.dates);
    w.text(s.scratch);
    encode_attrs(w, attrs_from_stat(st));
    // Never fewer entries than OpenSSH's 100 (so never more round trips),
    // more while the reply stays under kMaxReaddirReply, and never past the
    // packet limit.
    const bool too_big = w.size() > kMaxReaddirReply && count >= kMinReaddirEntries;
    if (w.overflowed() || w.size() > kMaxReplySize || too_big) {
      w.truncate(mark);  // this entry goes first in the next reply
      break;
    }
    consume_entry(s, *entry, d);
    ++count;
  }
  if (count == 0 && !entry->dir_at_end) error = errno;
  if (count == 0) {
    // The unfinished reply is not committed; a status replaces it.
    if (entry->dir_at_end) return s.send_status(id, Status::kEof);
    return s.send_errno(id, error);
  }
  w.patch_u32(count_field, count);
  s.log.debug("request {}: sent names count {}", id, count);
  s.finish(reply);
}

}  // namespace sftpsh::server
