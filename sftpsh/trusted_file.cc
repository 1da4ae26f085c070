#include "sftpsh/trusted_file.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "sftpsh/jail_check.h"
#include "sftpsh/locate.h"

namespace sftpsh {

namespace {

constexpr WalkWords kTrustedWords{
    "directory", "",
    "use the real path (the link's target) in the configuration"};

std::string join(std::string_view start_path, std::span<const std::string> components) {
  std::string path(start_path == "/" ? "" : start_path);
  for (const auto& name : components) path += "/" + name;
  return path.empty() ? "/" : path;
}

// The components of an absolute path; nullopt for a relative path, a ".."
// or no name at all. Empty and "." components are dropped.
std::optional<std::vector<std::string>> split_absolute(std::string_view path) {
  if (!path.starts_with('/')) return std::nullopt;
  auto parts = path_components(path);
  if (!parts || parts->empty()) return std::nullopt;
  return parts;
}

}  // namespace

Result<void> check_trusted_file(const struct stat& st, std::string_view path,
                                std::string_view what, uid_t owner) {
  if (!S_ISREG(st.st_mode)) return Error{fmt::format("{} {} is not a regular file", what, path)};
  if (st.st_uid != owner)
    return Error{fmt::format("{} {} is owned by uid {}, not root (chown root {})", what, path,
                             st.st_uid, path)};
  if ((st.st_mode & 022) != 0)
    return Error{fmt::format("{} {} is writable by group or others (mode {:04o}; chmod go-w {})",
                             what, path, st.st_mode & 07777, path)};
  return {};
}

Result<UniqueFd> open_trusted_file_beneath(UniqueFd start, std::string_view start_path,
                                           std::span<const std::string> components, int flags,
                                           std::string_view what, uid_t owner, bool* missing) {
  if (missing != nullptr) *missing = false;
  const std::string path = join(start_path, components);
  if (components.empty()) return Error{fmt::format("{} {} is not a file", what, path)};
  auto dir = walk_jail(std::move(start), start_path, components.first(components.size() - 1),
                       owner, kTrustedWords, missing);
  if (!dir) return Error{fmt::format("{} {}: {}", what, path, dir.error())};
  const std::string& name = components.back();
  UniqueFd fd(::openat(dir->get(), name.c_str(),
                       flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd) {
    const int error = errno;
    if (missing != nullptr) *missing = error == ENOENT;
    if (error == ELOOP)
      return Error{fmt::format("{} {} is a symbolic link: {}", what, path,
                               kTrustedWords.symlink_hint)};
    return Error{fmt::format("cannot open {} {}: {}", what, path, std::strerror(error))};
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return Error{fmt::format("fstat {}: {}", path, std::strerror(errno))};
  if (auto trusted = check_trusted_file(st, path, what, owner); !trusted)
    return Error{trusted.error()};
  return fd;
}

Result<UniqueFd> open_trusted_file(std::string_view path, int flags, std::string_view what,
                                   bool* missing) {
  if (missing != nullptr) *missing = false;
  const auto components = split_absolute(path);
  if (!components)
    return Error{fmt::format("{} {} is not an absolute path to a file (without \"..\")", what,
                             path)};
  UniqueFd root(::open("/", O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC));
  if (!root) return Error{fmt::format("cannot open /: {}", std::strerror(errno))};
  return open_trusted_file_beneath(std::move(root), "/", *components, flags, what, 0, missing);
}

}  // namespace sftpsh
