// Reading a small file whole (account databases, the hand-over).
#pragma once

#include <cstddef>
#include <string>

#include "common/result.h"

namespace sftpsh {

// Reads all of `path`, refusing anything larger than `max_size`.
[[nodiscard]] Result<std::string> read_small_file(const char* path, std::size_t max_size);
// The same from an open descriptor, from offset 0 (pread: the offset of a
// shared descriptor is left alone).
[[nodiscard]] Result<std::string> read_small_fd(int fd, std::size_t max_size);

}  // namespace sftpsh
