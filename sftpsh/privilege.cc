#include "sftpsh/privilege.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/capability.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "common/unique_fd.h"

namespace sftpsh {

namespace {

std::string_view detected_description(PrivilegeMode mode) {
  switch (mode) {
    case PrivilegeMode::kSetuid: return "it runs setuid root";
    case PrivilegeMode::kCapability: return "it has the file capability cap_sys_chroot";
    case PrivilegeMode::kUserNamespace: return "it has neither setuid root nor cap_sys_chroot";
    case PrivilegeMode::kAuto: break;
  }
  return "unknown";
}

std::string_view how_to_get(PrivilegeMode mode) {
  switch (mode) {
    case PrivilegeMode::kSetuid: return "chown root sftpsh && chmod 4755 sftpsh";
    case PrivilegeMode::kCapability: return "setcap cap_sys_chroot+ep sftpsh";
    case PrivilegeMode::kUserNamespace:
      return "remove the privilege (setcap -r sftpsh; chmod u-s sftpsh)";
    case PrivilegeMode::kAuto: break;
  }
  return "";
}

Result<void> write_proc_file(const char* path, std::string_view text) {
  UniqueFd fd(::open(path, O_WRONLY | O_CLOEXEC));
  if (!fd) return Error{fmt::format("open {}: {}", path, std::strerror(errno))};
  const ssize_t n = ::write(fd.get(), text.data(), text.size());
  if (n != static_cast<ssize_t>(text.size()))
    return Error{fmt::format("write {}: {}", path, n < 0 ? std::strerror(errno) : "short write")};
  return {};
}

}  // namespace

Result<Privileges> read_privileges() {
  Privileges got;
  if (::getresuid(&got.ruid, &got.euid, &got.suid) != 0)
    return Error{fmt::format("getresuid: {}", std::strerror(errno))};
  cap_t caps = ::cap_get_proc();
  if (caps == nullptr) return Error{fmt::format("cap_get_proc: {}", std::strerror(errno))};
  cap_flag_value_t value = CAP_CLEAR;
  const int rc = ::cap_get_flag(caps, CAP_SYS_CHROOT, CAP_PERMITTED, &value);
  ::cap_free(caps);
  if (rc != 0) return Error{fmt::format("cap_get_flag: {}", std::strerror(errno))};
  got.has_sys_chroot = value == CAP_SET;
  return got;
}

Result<PrivilegeMode> choose_privilege_mode(const Privileges& got, PrivilegeMode pinned) {
  if (got.ruid == 0) return Error{"refusing to serve root: uid 0 cannot be jailed by a chroot"};
  PrivilegeMode detected = PrivilegeMode::kUserNamespace;
  if (got.euid == 0 || got.suid == 0) {
    detected = PrivilegeMode::kSetuid;
  } else if (got.has_sys_chroot) {
    detected = PrivilegeMode::kCapability;
  }
  if (pinned == PrivilegeMode::kAuto || pinned == detected) return detected;
  return Error{fmt::format("PrivilegeMode {} is configured, but {}: refusing rather than "
                           "running in another mode (fix: {}, or PrivilegeMode auto)",
                           privilege_mode_name(pinned), detected_description(detected),
                           how_to_get(pinned))};
}

Result<void> enter_user_namespace(uid_t uid, gid_t gid) {
  if (::unshare(CLONE_NEWUSER) != 0)
    return Error{fmt::format("sftpsh has neither cap_sys_chroot nor setuid root, and an "
                             "unprivileged user namespace is not available ({}): install it "
                             "with `make install` (file capability)", std::strerror(errno))};
  if (auto ok = write_proc_file("/proc/self/setgroups", "deny"); !ok) return ok;
  if (auto ok = write_proc_file("/proc/self/uid_map", fmt::format("{} {} 1", uid, uid)); !ok)
    return ok;
  if (auto ok = write_proc_file("/proc/self/gid_map", fmt::format("{} {} 1", gid, gid)); !ok)
    return ok;
  return {};
}

}  // namespace sftpsh
