// The statvfs@openssh.com / fstatvfs@openssh.com reply.
#pragma once

#include <sys/statvfs.h>

#include <cstdint>

#include "sftp-server/session.h"

namespace sftpsh::server {

void send_statvfs(Session& s, std::uint32_t id, const struct statvfs& st);

}  // namespace sftpsh::server
