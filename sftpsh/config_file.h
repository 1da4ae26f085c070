// Reading /etc/sftpsh.conf (see config.h for the format).
#pragma once

#include <string_view>

#include "common/result.h"
#include "sftpsh/config.h"

namespace sftpsh {

// The longest config file read; anything longer is refused, not truncated.
inline constexpr std::size_t kMaxConfigSize = 1 << 20;

// Reads and parses `path`. A missing file gives the built-in defaults (an
// empty Config); an untrusted file or path (trusted_file.h: root's all the
// way from "/", no symbolic link), a read error or a parse error is an error
// naming the file.
[[nodiscard]] Result<Config> load_config(std::string_view path);

}  // namespace sftpsh
