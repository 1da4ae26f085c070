#include "sftp-server/set_attrs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "sftp-server/status.h"

namespace sftpsh::server {

namespace {

int set_size(const AttrTarget& t, std::uint64_t size) {
  if (size > static_cast<std::uint64_t>(INT64_MAX)) {
    errno = EINVAL;
    return -1;
  }
  const auto length = static_cast<off_t>(size);
  return t.fd >= 0 ? ::ftruncate(t.fd, length) : ::truncate(t.path, length);
}

int set_mode(const AttrTarget& t, mode_t mode) {
  if (t.fd >= 0) return ::fchmod(t.fd, mode);
  return ::fchmodat(AT_FDCWD, t.path, mode, t.no_follow ? AT_SYMLINK_NOFOLLOW : 0);
}

int set_times(const AttrTarget& t, std::uint32_t atime, std::uint32_t mtime) {
  const struct timespec times[2] = {{static_cast<time_t>(atime), 0},
                                    {static_cast<time_t>(mtime), 0}};
  if (t.fd >= 0) return ::futimens(t.fd, times);
  return ::utimensat(AT_FDCWD, t.path, times, t.no_follow ? AT_SYMLINK_NOFOLLOW : 0);
}

int set_owner(const AttrTarget& t, std::uint32_t uid, std::uint32_t gid) {
  if (t.fd >= 0) return ::fchown(t.fd, uid, gid);
  return ::fchownat(AT_FDCWD, t.path, uid, gid, t.no_follow ? AT_SYMLINK_NOFOLLOW : 0);
}

}  // namespace

Status apply_attrs(const AttrTarget& target, std::string_view name, const Attrs& a,
                   Logger& log) {
  Status status = Status::kOk;
  if (a.flags & kAttrSize) {
    log.info("set \"{}\" size {}", name, a.size);
    if (set_size(target, a.size) != 0) status = status_from_errno(errno);
  }
  if (a.flags & kAttrPermissions) {
    log.info("set \"{}\" mode {:04o}", name, a.permissions);
    if (set_mode(target, a.permissions & 07777) != 0) status = status_from_errno(errno);
  }
  if (a.flags & kAttrAcModTime) {
    char when[64] = "";
    const std::time_t t = a.mtime;
    struct tm tm {};
    if (::localtime_r(&t, &tm) != nullptr) std::strftime(when, sizeof when, "%Y%m%d-%H:%M:%S", &tm);
    log.info("set \"{}\" modtime {}", name, when);
    if (set_times(target, a.atime, a.mtime) != 0) status = status_from_errno(errno);
  }
  if (a.flags & kAttrUidGid) {
    log.info("set \"{}\" owner {} group {}", name, a.uid, a.gid);
    if (set_owner(target, a.uid, a.gid) != 0) status = status_from_errno(errno);
  }
  return status;
}

}  // namespace sftpsh::server
