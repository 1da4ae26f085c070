#include "sftpsh/config_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "sftpsh/trusted_file.h"

namespace sftpsh {

Result<Config> load_config(std::string_view path) {
  bool missing = false;
  auto fd = open_trusted_file(path, O_RDONLY, "config", &missing);
  if (missing) return Config{};
  if (!fd) return Error{fd.error()};

  std::string text;
  char buffer[8192];
  while (true) {
    const ssize_t n = ::read(fd->get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{fmt::format("read {}: {}", path, std::strerror(errno))};
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > kMaxConfigSize)
      return Error{fmt::format("config {} is larger than {} bytes", path, kMaxConfigSize)};
  }
  return parse_config(text, path);
}

}  // namespace sftpsh
