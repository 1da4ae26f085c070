#include "sftpsh/prepare.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "common/version.h"
#include "sftpsh/trusted_file.h"

namespace sftpsh {

Result<UniqueFd> open_server(std::string_view path) {
  auto fd = open_trusted_file(path, O_RDONLY | O_NOFOLLOW, "server");
  if (!fd) return fd;
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0 || (st.st_mode & 0111) == 0)
    return Error{fmt::format("server {} is not executable", path)};
  // O_NONBLOCK (from open_trusted_file) does not matter: the fd is only exec'd.
  return fd;
}

Handover make_handover(const Account& account, const NameDb& database, const JailPath& jail,
                       const ClientAddress& client, int log_fd) {
  Handover handover;
  handover.version = std::string(kVersion);
  handover.user = UserEntry{account.name, account.uid, account.gid, jail.start, ""};
  handover.client = client.address;
  handover.log_fd = log_fd;
  handover.names.add_user(handover.user);
  // Only names and ids: homes and shells outside the jail mean nothing there.
  for (const uid_t uid : {uid_t{0}, uid_t{kOverflowId}}) {
    UserEntry entry = user_entry(database, uid);
    handover.names.add_user(UserEntry{entry.name, entry.uid, entry.gid, "/", ""});
  }
  for (const auto& group : account.groups) handover.names.add_group(group);
  for (const gid_t gid : {gid_t{0}, gid_t{kOverflowId}})
    handover.names.add_group(group_entry(database, gid));
  return handover;
}

Result<UniqueFd> write_handover_memfd(std::string_view text) {
  UniqueFd fd(::memfd_create("sftpsh-handover", MFD_ALLOW_SEALING));
  if (!fd) return Error{fmt::format("memfd_create: {}", std::strerror(errno))};
  while (!text.empty()) {
    const ssize_t n = ::write(fd.get(), text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error{fmt::format("writing the hand-over: {}", std::strerror(errno))};
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  constexpr int kSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
  if (::fcntl(fd.get(), F_ADD_SEALS, kSeals) != 0)
    return Error{fmt::format("sealing the hand-over: {}", std::strerror(errno))};
  if (::lseek(fd.get(), 0, SEEK_SET) != 0)
    return Error{fmt::format("lseek on the hand-over: {}", std::strerror(errno))};
  return fd;
}

Result<void> keep_across_exec(int fd) {
  if (::fcntl(fd, F_SETFD, 0) != 0)
    return Error{fmt::format("fcntl(F_SETFD) on fd {}: {}", fd, std::strerror(errno))};
  return {};
}

}  // namespace sftpsh
