// The remaining OpenSSH extensions: limits, expand-path, copy-data,
// home-directory, users-groups-by-id.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <string>

#include "sftp-server/handlers.h"
#include "sftp-server/realpath.h"
#include "sftp-server/status.h"

namespace sftpsh::server {

namespace {

// copy-data moves data through this much memory at a time when
// copy_file_range() can't be used.
constexpr std::size_t kCopyChunk = 64 * 1024;

// ~, ~/path and ~user/path, as OpenSSH's expand-path: "~" is the working
// directory (the start directory), "~user" that user's home.
bool expand_tilde(Session& s, std::string& path, const std::string& cwd) {
  if (path == "~") {
    path = cwd;
    return true;
  }
  if (path.rfind("~/", 0) == 0) {
    path = cwd + "/" + path.substr(2);
    return true;
  }
  const auto slash = path.find('/');
  const std::string name = path.substr(1, slash == std::string::npos ? slash : slash - 1);
  const UserEntry* user = s.names.user_by_name(name);
  if (user == nullptr) return false;
  std::string rest = slash == std::string::npos ? "" : path.substr(slash + 1);
  std::size_t slashes = 0;
  while (slashes < rest.size() && rest[slashes] == '/') ++slashes;
  rest.erase(0, slashes);
  std::string home = user->home;
  if (home.empty() || home.back() != '/') home += '/';
  path = home + rest;
  return true;
}

// Copies [offset, offset+length) — or to the end of file when `to_eof` — from
// one descriptor to another. Returns 0, or an errno, or -1 for "ended early".
int copy_range(int from, std::uint64_t read_offset, std::uint64_t length, bool to_eof, int to,
               std::uint64_t write_offset, bool to_append, std::uint64_t& copied) {
  copied = 0;
  auto in_off = static_cast<loff_t>(read_offset);
  auto out_off = static_cast<loff_t>(write_offset);
  bool kernel_copy = !to_append;  // copy_file_range() refuses O_APPEND targets
  std::unique_ptr<std::byte[]> chunk;
  while (to_eof || copied < length) {
    const std::size_t want =
        to_eof ? kCopyChunk * 16 : static_cast<std::size_t>(std::min<std::uint64_t>(length - copied, kCopyChunk * 16));
    if (kernel_copy) {
      const ssize_t n = ::copy_file_range(from, &in_off, to, &out_off, want, 0);
      if (n > 0) {
        copied += static_cast<std::uint64_t>(n);
        continue;
      }
      if (n == 0) return to_eof ? 0 : -1;
      if (errno == EINTR) continue;
      if (errno != EXDEV && errno != EINVAL && errno != EOPNOTSUPP && errno != ENOSYS)
        return errno;
      kernel_copy = false;  // fall back to read/write below
    }
    if (!chunk) chunk.reset(new std::byte[kCopyChunk]);
    const std::size_t piece = std::min(want, kCopyChunk);
    const ssize_t n = ::pread(from, chunk.get(), piece, in_off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return to_eof ? 0 : -1;
    std::size_t done = 0;
    while (done < static_cast<std::size_t>(n)) {
      const ssize_t w = ::pwrite(to, chunk.get() + done, static_cast<std::size_t>(n) - done,
                                 out_off + static_cast<loff_t>(done));
      if (w < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      done += static_cast<std::size_t>(w);
    }
    in_off += n;
    out_off += n;
    copied += static_cast<std::uint64_t>(n);
  }
  return 0;
}

}  // namespace

void handle_limits(Session& s, std::uint32_t id, Reader&) {
  s.log.debug("request {}: limits", id);
  Reply reply = s.out.begin(Msg::kExtendedReply, id);
  Writer& w = reply.writer();
  w.u64(kMaxPacket);
  w.u64(kMaxReadLength);
  w.u64(kMaxWriteLength);
  w.u64(s.handles.max_open());
  s.finish(reply);
}

void handle_expand_path(Session& s, std::uint32_t id, Reader& in) {
  const auto requested = in.text();
  if (!requested) return s.send_bad_message(id);
  char cwd_buffer[PATH_MAX];
  if (::getcwd(cwd_buffer, sizeof cwd_buffer) == nullptr) return s.send_errno(id, errno);
  const std::string cwd(cwd_buffer);
  s.log.log(LogLevel::kDebug3, "request {}: expand, original \"{}\"", id, *requested);
  std::string path(*requested);
  if (path.empty()) {
    path = ".";
  } else if (path.front() == '~') {
    if (!expand_tilde(s, path, cwd))
      return s.send_status(id, Status::kNoSuchFile, "no such user");
  } else if (path.front() != '/') {
    path = cwd + "/" + path;
  }
  s.log.verbose("expand \"{}\"", path);
  std::string resolved;
  if (!resolve_real_path(path, resolved)) return s.send_errno(id, errno);
  s.send_single_name(id, resolved);
}

void handle_copy_data(Session& s, std::uint32_t id, Reader& in) {
  const auto read_handle = in.bytes();
  const auto read_offset = in.u64();
  const auto read_length = in.u64();
  const auto write_handle = in.bytes();
  const auto write_offset = in.u64();
  if (!read_handle || !read_offset || !read_length || !write_handle || !write_offset)
    return s.send_bad_message(id);
  OpenHandle* from = s.handles.find(*read_handle, HandleKind::kFile);
  OpenHandle* to = s.handles.find(*write_handle, HandleKind::kFile);
  s.log.debug("request {}: copy-data from \"{}\" off {} len {} to \"{}\" off {}", id,
              from ? from->path : "", *read_offset, *read_length, to ? to->path : "",
              *write_offset);
  if (from == nullptr || to == nullptr || from == to) return s.send_status(id, Status::kFailure);
  // Reading and writing one file at once could never end (OpenSSH <= 10.3
  // compared names only; a hard link or "./x" got past it): compare inodes.
  struct stat from_st {};
  struct stat to_st {};
  if (::fstat(from->fd.get(), &from_st) != 0 || ::fstat(to->fd.get(), &to_st) != 0)
    return s.send_errno(id, errno);
  if (from_st.st_dev == to_st.st_dev && from_st.st_ino == to_st.st_ino) {
    s.log.error("copy-data: \"{}\" and \"{}\" are the same file", from->path, to->path);
    return s.send_status(id, Status::kFailure);
  }
  if (*read_offset > static_cast<std::uint64_t>(INT64_MAX) ||
      *write_offset > static_cast<std::uint64_t>(INT64_MAX))
    return s.send_errno(id, EINVAL);
  const bool to_eof = *read_length == 0;  // length 0 means "to the end of the file"
  std::uint64_t copied = 0;
  const int result = copy_range(from->fd.get(), *read_offset, *read_length, to_eof,
                                to->fd.get(), *write_offset, (to->open_flags & O_APPEND) != 0,
                                copied);
  from->bytes_read += copied;
  to->bytes_written += copied;
  s.traffic.bytes_read += copied;
  s.traffic.bytes_written += copied;
  if (result == -1) return s.send_status(id, Status::kEof);  // ended before `length`
  if (result != 0) {
    s.log.error("copy-data: {}", std::strerror(result));
    return s.send_errno(id, result);
  }
  s.send_status(id, Status::kOk);
}

void handle_home_directory(Session& s, std::uint32_t id, Reader& in) {
  const auto name = in.text();
  if (!name) return s.send_bad_message(id);
  s.log.log(LogLevel::kDebug3, "request {}: home-directory \"{}\"", id, *name);
  // The named user's home (OpenSSH 9.2 answers its own user's home for any
  // existing name: a bug fixed upstream later).
  const UserEntry* user = name->empty() ? &s.user : s.names.user_by_name(*name);
  if (user == nullptr) return s.send_status(id, Status::kFailure);
  s.log.verbose("home-directory \"{}\"", user->home);
  s.send_single_name(id, user->home);
}

void handle_users_groups_by_id(Session& s, std::uint32_t id, Reader& in) {
  const auto uids = in.bytes();
  const auto gids = uids ? in.bytes() : std::nullopt;
  if (!gids || uids->size() % 4 != 0 || gids->size() % 4 != 0) return s.send_bad_message(id);
  Reply reply = s.out.begin(Msg::kExtendedReply, id);
  Writer& w = reply.writer();
  // Two strings, each a concatenation of strings: lengths patched after.
  const auto put_names = [&s, &w](Bytes ids, bool users) {
    const std::size_t length_field = w.size();
    w.u32(0);
    for (std::size_t i = 0; i < ids.size(); i += 4) {
      const std::uint32_t n = load_u32(ids.data() + i);
      std::string_view name;
      if (users) {
        if (const UserEntry* user = s.names.user_by_uid(n)) name = user->name;
      } else if (const GroupEntry* group = s.names.group_by_gid(n)) {
        name = group->name;
      }
      w.text(name);  // unknown ids get "", as OpenSSH
    }
    w.patch_u32(length_field, static_cast<std::uint32_t>(w.size() - length_field - 4));
  };
  put_names(*uids, true);
  put_names(*gids, false);
  if (w.overflowed() || w.size() > kMaxReplySize) {
    // Too many ids to answer in one packet: refuse rather than send a packet
    // the client would reject. The unfinished reply is not committed.
    return s.send_status(id, Status::kFailure, "Too many ids");
  }
  s.log.verbose("users-groups-by-id: {} users, {} groups", uids->size() / 4, gids->size() / 4);
  s.finish(reply);
}

}  // namespace sftpsh::server
