// SETSTAT, FSETSTAT and lsetstat share one order and one set of log lines
// (OpenSSH's): size, then permissions, then times, then owner. Every change
// is attempted; the status is that of the last one that failed.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/log.h"
#include "sftp-server/attrs.h"
#include "sftp-server/protocol.h"

namespace sftpsh::server {

// What the changes are applied to.
struct AttrTarget {
  const char* path = nullptr;  // for the path-based variants
  int fd = -1;                 // for FSETSTAT
  bool no_follow = false;      // lsetstat: the link itself
};

[[nodiscard]] Status apply_attrs(const AttrTarget& target, std::string_view display_name,
                                 const Attrs& attrs, Logger& log);

}  // namespace sftpsh::server
