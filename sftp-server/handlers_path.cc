// Requests that name paths: STAT, LSTAT, SETSTAT, REMOVE, MKDIR, RMDIR,
// RENAME, SYMLINK, READLINK, REALPATH and the posix-rename, hardlink,
// lsetstat and statvfs extensions.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <string>

#include "sftp-server/handlers.h"
#include "sftp-server/realpath.h"
#include "sftp-server/set_attrs.h"
#include "sftp-server/statvfs_reply.h"
#include "sftp-server/status.h"

namespace sftpsh::server {

namespace {

// Runs `op` on one path from the request and answers with its status.
template <typename Op>
void simple_path_request(Session& s, std::uint32_t id, Reader& in, Op op) {
  const auto path = in.text();
  if (!path) return s.send_bad_message(id);
  const CPath cpath(*path);
  if (cpath.too_long()) return s.send_errno(id, ENAMETOOLONG);
  s.send_status(id, op(*path, cpath.c_str()) == 0 ? Status::kOk : status_from_errno(errno));
}

// The same for requests with two paths (old, new).
template <typename Op>
void two_path_request(Session& s, std::uint32_t id, Reader& in, Op op) {
  const auto from = in.text();
  const auto to = from ? in.text() : std::nullopt;
  if (!to) return s.send_bad_message(id);
  const CPath cfrom(*from);
  const CPath cto(*to);
  if (cfrom.too_long() || cto.too_long()) return s.send_errno(id, ENAMETOOLONG);
  s.send_status(id, op(*from, *to, cfrom.c_str(), cto.c_str()) == 0 ? Status::kOk
                                                                       : status_from_errno(errno));
}

void stat_request(Session& s, std::uint32_t id, Reader& in, bool follow) {
  const auto path = in.text();
  if (!path) return s.send_bad_message(id);
  s.log.verbose("{}stat name \"{}\"", follow ? "" : "l", *path);
  const CPath cpath(*path);
  if (cpath.too_long()) return s.send_errno(id, ENAMETOOLONG);
  struct stat st {};
  if ((follow ? ::stat(cpath.c_str(), &st) : ::lstat(cpath.c_str(), &st)) != 0)
    return s.send_errno(id, errno);
  s.send_attrs(id, attrs_from_stat(st));
}

// v3 RENAME never replaces an existing target. renameat2(RENAME_NOREPLACE)
// does that atomically; where the filesystem lacks it, OpenSSH's method: a
// hard link then unlink for regular files, else check-then-rename.
int rename_no_replace(const char* from, const char* to) {
  if (::renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return -1;
  struct stat st {};
  if (::lstat(from, &st) != 0) return -1;
  if (S_ISREG(st.st_mode)) {
    if (::link(from, to) == 0) {
      if (::unlink(from) == 0) return 0;
      const int saved = errno;
      ::unlink(to);
      errno = saved;
      return -1;
    }
    // Filesystems without hard links (vfat): racy, as OpenSSH's fallback.
    if (errno != EOPNOTSUPP && errno != ENOSYS && errno != EXDEV && errno != EPERM) return -1;
  }
  if (::stat(to, &st) == 0) {
    errno = EEXIST;
    return -1;
  }
  return ::rename(from, to);
}

}  // namespace

void handle_stat(Session& s, std::uint32_t id, Reader& in) { stat_request(s, id, in, true); }
void handle_lstat(Session& s, std::uint32_t id, Reader& in) { stat_request(s, id, in, false); }

void handle_setstat(Session& s, std::uint32_t id, Reader& in) {
  const auto path = in.text();
  const auto attrs = path ? decode_attrs(in) : std::nullopt;
  if (!attrs) return s.send_bad_message(id);
  s.log.debug("request {}: setstat name \"{}\"", id, *path);
  const CPath cpath(*path);
  if (cpath.too_long()) return s.send_errno(id, ENAMETOOLONG);
  AttrTarget target;
  target.path = cpath.c_str();
  s.send_status(id, apply_attrs(target, *path, *attrs, s.log));
}

void handle_lsetstat(Session& s, std::uint32_t id, Reader& in) {
  const auto path = in.text();
  const auto attrs = path ? decode_attrs(in) : std::nullopt;
  if (!attrs) return s.send_bad_message(id);
  s.log.debug("request {}: lsetstat name \"{}\"", id, *path);
  // A size makes no sense for a link (OpenSSH answers the same).
  if (attrs->flags & kAttrSize) return s.send_status(id, Status::kBadMessage);
  const CPath cpath(*path);
  if (cpath.too_long()) return s.send_errno(id, ENAMETOOLONG);
  AttrTarget target;
  target.path = cpath.c_str();
  target.no_follow = true;
  s.send_status(id, apply_attrs(target, *path, *attrs, s.log));
}

void handle_remove(Session& s, std::uint32_t id, Reader& in) {
  simple_path_request(s, id, in, [&s](std::string_view path, const char* cpath) {
    s.log.info("remove name \"{}\"", path);
    return ::unlink(cpath);
  });
}

void handle_mkdir(Session& s, std::uint32_t id, Reader& in) {
  const auto path = in.text();
  const auto attrs = path ? decode_attrs(in) : std::nullopt;
  if (!attrs) return s.send_bad_message(id);
  const mode_t mode = (attrs->flags & kAttrPermissions) ? (attrs->permissions & 07777) : 0777;
  s.log.info("mkdir name \"{}\" mode 0{:o}", *path, mode);
  const CPath cpath(*path);
  if (cpath.too_long()) return s.send_errno(id, ENAMETOOLONG);
  s.send_status(id, ::mkdir(cpath.c_str(), mode) == 0 ? Status::kOk : status_from_errno(errno));
}

void handle_rmdir(Session& s, std::uint32_t id, Reader& in) {
  simple_path_request(s, id, in, [&s](std::string_view path, const char* cpath) {
    s.log.info("rmdir name \"{}\"", path);
    return ::rmdir(cpath);
  });
}

void handle_rename(Session& s, std::uint32_t id, Reader& in) {
  two_path_request(s, id, in,
                   [&s](std::string_view from, std::string_view to, const char* cfrom,
                        const char* cto) {
                     s.log.info("rename old \"{}\" new \"{}\"", from, to);
                     return rename_no_replace(cfrom, cto);
                   });
}

void handle_posix_rename(Session& s, std::uint32_t id, Reader& in) {
  two_path_request(s, id, in,
                   [&s](std::string_view from, std::string_view to, const char* cfrom,
                        const char* cto) {
                     s.log.info("posix-rename old \"{}\" new \"{}\"", from, to);
                     return ::rename(cfrom, cto);
                   });
}

void handle_hardlink(Session& s, std::uint32_t id, Reader& in) {
  two_path_request(s, id, in,
                   [&s](std::string_view from, std::string_view to, const char* cfrom,
                        const char* cto) {
                     s.log.info("hardlink old \"{}\" new \"{}\"", from, to);
                     return ::link(cfrom, cto);
                   });
}

// OpenSSH's argument order, which clients follow: target first, then the
// link to create (the draft has them the other way round).
void handle_symlink(Session& s, std::uint32_t id, Reader& in) {
  two_path_request(s, id, in,
                   [&s](std::string_view target, std::string_view link, const char* ctarget,
                        const char* clink) {
                     s.log.info("symlink old \"{}\" new \"{}\"", target, link);
                     return ::symlink(ctarget, clink);
                   });
}

void handle_readlink(Session& s, std::uint32_t id, Reader& in) {
  const auto path = in.text();
  if (!path) return s.send_bad_message(id);
  s.log.verbose("readlink \"{}\"", *path);
  const CPath cpath(*path);
  if (cpath.too_long()) return s.send_errno(id, ENAMETOOLONG);
  char target[PATH_MAX];
  const ssize_t n = ::readlink(cpath.c_str(), target, sizeof target - 1);
  if (n < 0) return s.send_errno(id, errno);
  s.send_single_name(id, std::string_view(target, static_cast<std::size_t>(n)));
}

void handle_realpath(Session& s, std::uint32_t id, Reader& in) {
  auto path = in.text();
  if (!path) return s.send_bad_message(id);
  if (path->empty()) path = ".";
  s.log.verbose("realpath \"{}\"", *path);
  std::string resolved;
  if (!resolve_real_path(*path, resolved)) return s.send_errno(id, errno);
  s.send_single_name(id, resolved);
}

void handle_statvfs(Session& s, std::uint32_t id, Reader& in) {
  const auto path = in.text();
  if (!path) return s.send_bad_message(id);
  s.log.info("statvfs \"{}\"", *path);
  const CPath cpath(*path);
  if (cpath.too_long()) return s.send_errno(id, ENAMETOOLONG);
  struct statvfs st {};
  if (::statvfs(cpath.c_str(), &st) != 0) return s.send_errno(id, errno);
  send_statvfs(s, id, st);
}

}  // namespace sftpsh::server
