#include "sftp-server/status.h"

#include <cerrno>

#include <doctest/doctest.h>

using namespace sftpsh::server;

TEST_CASE("errno maps to the status OpenSSH sends") {
  struct Row {
    int error;
    Status status;
  };
  const Row rows[] = {
      {0, Status::kOk},
      {ENOENT, Status::kNoSuchFile},
      {ENOTDIR, Status::kNoSuchFile},
      {EBADF, Status::kNoSuchFile},
      {ELOOP, Status::kNoSuchFile},
      {EPERM, Status::kPermissionDenied},
      {EACCES, Status::kPermissionDenied},
      {EFAULT, Status::kPermissionDenied},
      {ENAMETOOLONG, Status::kBadMessage},
      {EINVAL, Status::kBadMessage},
      {ENOSYS, Status::kOpUnsupported},
      {EEXIST, Status::kFailure},
      {ENOSPC, Status::kFailure},
      {EISDIR, Status::kFailure},
      {ENOTEMPTY, Status::kFailure},
      {EXDEV, Status::kFailure},
  };
  for (const auto& row : rows) {
    CAPTURE(row.error);
    CHECK(status_from_errno(row.error) == row.status);
  }
}

TEST_CASE("status messages are OpenSSH's") {
  CHECK(status_message(Status::kOk) == "Success");
  CHECK(status_message(Status::kEof) == "End of file");
  CHECK(status_message(Status::kNoSuchFile) == "No such file");
  CHECK(status_message(Status::kPermissionDenied) == "Permission denied");
  CHECK(status_message(Status::kFailure) == "Failure");
  CHECK(status_message(Status::kBadMessage) == "Bad message");
  CHECK(status_message(Status::kOpUnsupported) == "Operation unsupported");
  CHECK(status_message(static_cast<Status>(99)) == "Unknown error");
}
