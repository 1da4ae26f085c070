#include "common/read_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "common/unique_fd.h"

namespace sftpsh {

Result<std::string> read_small_fd(int fd, std::size_t max_size) {
  std::string text;
  char buffer[16384];
  off_t offset = 0;
  for (;;) {
    const ssize_t n = ::pread(fd, buffer, sizeof buffer, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{std::strerror(errno)};
    if (n == 0) return text;
    text.append(buffer, static_cast<std::size_t>(n));
    offset += n;
    if (text.size() > max_size) return Error{fmt::format("larger than {} bytes", max_size)};
  }
}

Result<std::string> read_small_file(const char* path, std::size_t max_size) {
  const UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd) return Error{fmt::format("{}: {}", path, std::strerror(errno))};
  auto text = read_small_fd(fd.get(), max_size);
  if (!text) return Error{fmt::format("{}: {}", path, text.error())};
  return text;
}

}  // namespace sftpsh
