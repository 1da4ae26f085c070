#include "sftpsh/enter.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace sftpsh {

Result<void> enter_jail(UniqueFd jail) {
  if (::fchdir(jail.get()) != 0)
    return Error{fmt::format("fchdir to the jail: {}", std::strerror(errno))};
  if (::chroot(".") != 0) return Error{fmt::format("chroot: {}", std::strerror(errno))};
  if (::chdir("/") != 0) return Error{fmt::format("chdir / in the jail: {}", std::strerror(errno))};
  return {};
}

Result<void> close_fds_except(std::span<const int> keep) {
  std::vector<unsigned> kept;
  for (const int fd : keep)
    if (fd > 2) kept.push_back(static_cast<unsigned>(fd));
  std::sort(kept.begin(), kept.end());
  unsigned first = 3;  // close [first, next kept fd) for each kept fd, then the rest
  for (const unsigned fd : kept) {
    if (fd > first && ::close_range(first, fd - 1, 0) != 0)
      return Error{fmt::format("close_range: {}", std::strerror(errno))};
    first = std::max(first, fd + 1);
  }
  if (::close_range(first, ~0U, 0) != 0)
    return Error{fmt::format("close_range: {}", std::strerror(errno))};
  return {};
}

Result<void> enter_start_directory(std::string_view start) {
  const std::string path(start);
  if (::chdir(path.c_str()) != 0)
    return Error{fmt::format("cannot enter the start directory {} inside the jail: {}", path,
                             std::strerror(errno))};
  return {};
}

}  // namespace sftpsh
