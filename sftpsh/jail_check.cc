#include "sftpsh/jail_check.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace sftpsh {

namespace {

constexpr int kWalkFlags = O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC;

std::string child_path(std::string_view parent, std::string_view name) {
  return parent == "/" ? fmt::format("/{}", name) : fmt::format("{}/{}", parent, name);
}

// Why openat() of one component failed, in words an admin can act on.
Error open_error(int parent, const std::string& name, const std::string& path, int error,
                 const WalkWords& words) {
  struct stat st {};
  if (error == ENOTDIR && ::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISLNK(st.st_mode))
      return Error{fmt::format("{} {} is a symbolic link: {}", words.component, path,
                               words.symlink_hint)};
    return Error{fmt::format("{} {} is not a directory", words.component, path)};
  }
  if (error == ENOENT) return Error{fmt::format("{} {} does not exist", words.component, path)};
  return Error{fmt::format("cannot open {} {}: {}", words.component, path,
                           std::strerror(error))};
}

Result<void> check_fd(int fd, std::string_view path, uid_t owner, const WalkWords& words) {
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    return Error{fmt::format("fstat {}: {}", path, std::strerror(errno))};
  return check_jail_component(st, path, owner, words);
}

}  // namespace

Result<void> check_jail_component(const struct stat& st, std::string_view path, uid_t owner,
                                  const WalkWords& words) {
  if (!S_ISDIR(st.st_mode))
    return Error{fmt::format("{} {} is not a directory", words.component, path)};
  if (st.st_uid != owner)
    return Error{fmt::format("bad ownership for {} {}: owned by uid {}, must be root (chown "
                             "root {})", words.component, path, st.st_uid, path)};
  if ((st.st_mode & 022) != 0)
    return Error{fmt::format("bad modes for {} {}: mode {:04o} is writable by group or others "
                             "(chmod go-w {}){}", words.component, path, st.st_mode & 07777,
                             path, words.writable_hint)};
  return {};
}

Result<UniqueFd> walk_jail(UniqueFd start, std::string_view start_path,
                           std::span<const std::string> components, uid_t owner,
                           const WalkWords& words, bool* missing) {
  if (missing != nullptr) *missing = false;
  if (auto ok = check_fd(start.get(), start_path, owner, words); !ok) return Error{ok.error()};
  UniqueFd current = std::move(start);
  std::string path(start_path);
  for (const auto& name : components) {
    path = child_path(path, name);
    UniqueFd next(::openat(current.get(), name.c_str(), kWalkFlags));
    if (!next) {
      const int error = errno;
      if (missing != nullptr) *missing = error == ENOENT;
      return open_error(current.get(), name, path, error, words);
    }
    if (auto ok = check_fd(next.get(), path, owner, words); !ok) return Error{ok.error()};
    current = std::move(next);
  }
  return current;
}

Result<UniqueFd> open_jail(const JailPath& jail) {
  UniqueFd root(::open("/", kWalkFlags));
  if (!root) return Error{fmt::format("cannot open /: {}", std::strerror(errno))};
  return walk_jail(std::move(root), "/", jail.components, 0);
}

}  // namespace sftpsh
