#include "sftp-server/status.h"

#include <cerrno>

namespace sftpsh::server {

Status status_from_errno(int error) {
  switch (error) {
    case 0:
      return Status::kOk;
    case ENOENT:
    case ENOTDIR:
    case EBADF:
    case ELOOP:
      return Status::kNoSuchFile;
    case EPERM:
    case EACCES:
    case EFAULT:
      return Status::kPermissionDenied;
    case ENAMETOOLONG:
    case EINVAL:
      return Status::kBadMessage;
    case ENOSYS:
      return Status::kOpUnsupported;
    default:
      return Status::kFailure;
  }
}

std::string_view status_message(Status status) {
  switch (status) {
    case Status::kOk: return "Success";
    case Status::kEof: return "End of file";
    case Status::kNoSuchFile: return "No such file";
    case Status::kPermissionDenied: return "Permission denied";
    case Status::kFailure: return "Failure";
    case Status::kBadMessage: return "Bad message";
    case Status::kNoConnection: return "No connection";
    case Status::kConnectionLost: return "Connection lost";
    case Status::kOpUnsupported: return "Operation unsupported";
  }
  return "Unknown error";
}

}  // namespace sftpsh::server
