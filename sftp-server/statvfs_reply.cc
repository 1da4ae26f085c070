#include "sftp-server/statvfs_reply.h"

namespace sftpsh::server {

void send_statvfs(Session& s, std::uint32_t id, const struct statvfs& st) {
  std::uint64_t flags = 0;
  if (st.f_flag & ST_RDONLY) flags |= kStatvfsReadOnly;
  if (st.f_flag & ST_NOSUID) flags |= kStatvfsNoSuid;
  Reply reply = s.out.begin(Msg::kExtendedReply, id);
  Writer& w = reply.writer();
  w.u64(st.f_bsize);
  w.u64(st.f_frsize);
  w.u64(st.f_blocks);
  w.u64(st.f_bfree);
  w.u64(st.f_bavail);
  w.u64(st.f_files);
  w.u64(st.f_ffree);
  w.u64(st.f_favail);
  w.u64(st.f_fsid);
  w.u64(flags);
  w.u64(st.f_namemax);
  s.finish(reply);
}

}  // namespace sftpsh::server
