#include "sftpsh/home_check.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "common/unique_fd.h"

namespace sftpsh {

namespace {

constexpr int kWalkFlags = O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC;

std::string child_path(std::string_view parent, std::string_view name) {
  return parent == "/" ? fmt::format("/{}", name) : fmt::format("{}/{}", parent, name);
}

std::string fix(std::string_view home) {
  return fmt::format("make it root's and not writable by the user (chown root {0}; chmod "
                     "go-w {0}) and give the user a subdirectory of their own for uploads "
                     "(mkdir {0}/upload; chown USER {0}/upload)", home);
}

// Whether the real uid and groups may write the directory `fd` (faccessat
// without AT_EACCESS checks the real ids, ACLs included). "." beneath the
// directory's own fd: nothing is looked up by name.
Result<bool> user_can_write(int fd, std::string_view path) {
  if (::faccessat(fd, ".", W_OK, 0) == 0) return true;
  if (errno == EACCES || errno == EROFS || errno == EPERM) return false;
  return Error{fmt::format("cannot check whether the user may write {}: {}", path,
                           std::strerror(errno))};
}

Result<void> check_fd(int fd, std::string_view path, std::string_view home, uid_t uid) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Error{fmt::format("fstat {}: {}", path, std::strerror(errno))};
  auto writable = user_can_write(fd, path);
  if (!writable) return Error{writable.error()};
  return check_home_directory(st, *writable, path, home, uid);
}

Error open_error(int parent, const std::string& name, const std::string& path,
                 std::string_view home, int error) {
  struct stat st {};
  if ((error == ENOTDIR || error == ELOOP) &&
      ::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
    return Error{fmt::format("home directory {}: {} is a symbolic link, which sshd and PAM "
                             "would follow outside the jail: use a real directory", home, path)};
  if (error == ENOTDIR) return Error{fmt::format("home directory {}: {} is not a directory",
                                                 home, path)};
  if (error == ENOENT) return Error{fmt::format("home directory {}: {} does not exist", home,
                                                path)};
  return Error{fmt::format("home directory {}: cannot open {}: {}", home, path,
                           std::strerror(error))};
}

}  // namespace

Result<void> check_home_directory(const struct stat& st, bool user_can_write,
                                  std::string_view path, std::string_view home, uid_t uid) {
  const std::string where =
      path == home ? fmt::format("the home directory {}", home)
                   : fmt::format("{}, on the way to the home directory {},", path, home);
  const std::string_view why =
      "sshd and PAM read files there outside the jail, as the user, before sftpsh runs "
      "(~/.pam_environment, ~/.ssh/rc, ~/.ssh/environment), so an upload could run code "
      "outside the jail";
  if (!S_ISDIR(st.st_mode)) return Error{fmt::format("home directory {}: {} is not a directory",
                                                     home, path)};
  if (st.st_uid == uid)
    return Error{fmt::format("refusing to serve: {} is owned by the user (uid {}): {}; {}", where,
                             uid, why, fix(home))};
  if (user_can_write)
    return Error{fmt::format("refusing to serve: {} is writable by the user (mode {:04o}): {}; "
                             "{}", where, st.st_mode & 07777, why, fix(home))};
  return {};
}

Result<void> check_home(int jail_fd, const JailPath& jail, uid_t uid) {
  const std::string home = host_home(jail);
  std::string path = jail.root;
  if (auto ok = check_fd(jail_fd, path, home, uid); !ok) return ok;
  UniqueFd current;  // beneath jail_fd, which the caller keeps
  for (const auto& name : jail.start_components) {
    const int parent = current ? current.get() : jail_fd;
    path = child_path(path, name);
    UniqueFd next(::openat(parent, name.c_str(), kWalkFlags));
    if (!next) return open_error(parent, name, path, home, errno);
    if (auto ok = check_fd(next.get(), path, home, uid); !ok) return ok;
    current = std::move(next);
  }
  return {};
}

}  // namespace sftpsh
