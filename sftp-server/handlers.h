// One handler per request type. Each decodes its whole request first (a
// malformed one gets SSH_FX_BAD_MESSAGE), then acts, then sends exactly one
// reply. Registered in request_table.cc.
#pragma once

#include <cstdint>

#include "sftp-server/session.h"
#include "sftp-server/wire.h"

namespace sftpsh::server {

// handlers_file.cc: requests on open file handles.
void handle_open(Session& s, std::uint32_t id, Reader& in);
void handle_close(Session& s, std::uint32_t id, Reader& in);
void handle_read(Session& s, std::uint32_t id, Reader& in);
void handle_write(Session& s, std::uint32_t id, Reader& in);
void handle_fstat(Session& s, std::uint32_t id, Reader& in);
void handle_fsetstat(Session& s, std::uint32_t id, Reader& in);
void handle_fsync(Session& s, std::uint32_t id, Reader& in);
void handle_fstatvfs(Session& s, std::uint32_t id, Reader& in);

// handlers_path.cc: requests naming paths.
void handle_stat(Session& s, std::uint32_t id, Reader& in);
void handle_lstat(Session& s, std::uint32_t id, Reader& in);
void handle_setstat(Session& s, std::uint32_t id, Reader& in);
void handle_lsetstat(Session& s, std::uint32_t id, Reader& in);
void handle_remove(Session& s, std::uint32_t id, Reader& in);
void handle_mkdir(Session& s, std::uint32_t id, Reader& in);
void handle_rmdir(Session& s, std::uint32_t id, Reader& in);
void handle_rename(Session& s, std::uint32_t id, Reader& in);
void handle_posix_rename(Session& s, std::uint32_t id, Reader& in);
void handle_hardlink(Session& s, std::uint32_t id, Reader& in);
void handle_symlink(Session& s, std::uint32_t id, Reader& in);
void handle_readlink(Session& s, std::uint32_t id, Reader& in);
void handle_realpath(Session& s, std::uint32_t id, Reader& in);
void handle_statvfs(Session& s, std::uint32_t id, Reader& in);

// handlers_dir.cc
void handle_opendir(Session& s, std::uint32_t id, Reader& in);
void handle_readdir(Session& s, std::uint32_t id, Reader& in);

// handlers_ext.cc: the remaining OpenSSH extensions.
void handle_limits(Session& s, std::uint32_t id, Reader& in);
void handle_expand_path(Session& s, std::uint32_t id, Reader& in);
void handle_copy_data(Session& s, std::uint32_t id, Reader& in);
void handle_home_directory(Session& s, std::uint32_t id, Reader& in);
void handle_users_groups_by_id(Session& s, std::uint32_t id, Reader& in);

}  // namespace sftpsh::server
