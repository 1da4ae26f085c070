// File attributes as SFTP v3 carries them (ATTRS).
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <optional>

#include "sftp-server/wire.h"

namespace sftpsh::server {

struct Attrs {
  std::uint32_t flags = 0;  // kAttr* bits: which fields are present
  std::uint64_t size = 0;
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::uint32_t permissions = 0;  // st_mode, file type bits included
  std::uint32_t atime = 0;
  std::uint32_t mtime = 0;
};

// Decodes ATTRS; vendor extension pairs are read and ignored (as OpenSSH).
[[nodiscard]] std::optional<Attrs> decode_attrs(Reader& in);
void encode_attrs(Writer& out, const Attrs& attrs);
// Size, ids, mode and times, all present — what OpenSSH's stat_to_attrib() sends.
[[nodiscard]] Attrs attrs_from_stat(const struct stat& st);

}  // namespace sftpsh::server
