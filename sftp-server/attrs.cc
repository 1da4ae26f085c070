#include "sftp-server/attrs.h"

#include "sftp-server/protocol.h"

namespace sftpsh::server {

std::optional<Attrs> decode_attrs(Reader& in) {
  Attrs a;
  const auto flags = in.u32();
  if (!flags) return std::nullopt;
  a.flags = *flags;
  if (a.flags & kAttrSize) {
    const auto size = in.u64();
    if (!size) return std::nullopt;
    a.size = *size;
  }
  if (a.flags & kAttrUidGid) {
    const auto uid = in.u32();
    const auto gid = in.u32();
    if (!uid || !gid) return std::nullopt;
    a.uid = *uid;
    a.gid = *gid;
  }
  if (a.flags & kAttrPermissions) {
    const auto perm = in.u32();
    if (!perm) return std::nullopt;
    a.permissions = *perm;
  }
  if (a.flags & kAttrAcModTime) {
    const auto atime = in.u32();
    const auto mtime = in.u32();
    if (!atime || !mtime) return std::nullopt;
    a.atime = *atime;
    a.mtime = *mtime;
  }
  if (a.flags & kAttrExtended) {
    const auto count = in.u32();
    if (!count) return std::nullopt;
    // Each pair needs at least 8 bytes, so a huge count ends at the data's end.
    for (std::uint32_t i = 0; i < *count; ++i) {
      if (!in.bytes() || !in.bytes()) return std::nullopt;
    }
  }
  return a;
}

void encode_attrs(Writer& out, const Attrs& a) {
  // Extended pairs are never sent: we have none to report.
  const std::uint32_t flags = a.flags & ~kAttrExtended;
  out.u32(flags);
  if (flags & kAttrSize) out.u64(a.size);
  if (flags & kAttrUidGid) {
    out.u32(a.uid);
    out.u32(a.gid);
  }
  if (flags & kAttrPermissions) out.u32(a.permissions);
  if (flags & kAttrAcModTime) {
    out.u32(a.atime);
    out.u32(a.mtime);
  }
}

Attrs attrs_from_stat(const struct stat& st) {
  Attrs a;
  a.flags = kAttrSize | kAttrUidGid | kAttrPermissions | kAttrAcModTime;
  a.size = static_cast<std::uint64_t>(st.st_size);
  a.uid = st.st_uid;
  a.gid = st.st_gid;
  a.permissions = st.st_mode;
  // v3 times are 32-bit: truncated as OpenSSH does.
  a.atime = static_cast<std::uint32_t>(st.st_atime);
  a.mtime = static_cast<std::uint32_t>(st.st_mtime);
  return a;
}

}  // namespace sftpsh::server
