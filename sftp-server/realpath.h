// REALPATH and expand-path resolution, with the semantics of OpenSSH's
// sftp_realpath() (OpenBSD's realpath): "." and ".." are resolved lexically
// after symlinks, every symlink is followed, and a missing *last* component
// is allowed (a client asks for the real path of a file it will create).
#pragma once

#include <string>
#include <string_view>

namespace sftpsh::server {

// Returns true and sets `resolved`, or returns false with errno set.
// Relative paths start from the working directory.
[[nodiscard]] bool resolve_real_path(std::string_view path, std::string& resolved);

}  // namespace sftpsh::server
