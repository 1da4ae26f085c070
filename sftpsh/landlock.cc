#include "sftpsh/landlock.h"

#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "common/unique_fd.h"

namespace sftpsh {

namespace {

// Rights by the ABI that introduced them (the system headers may be older
// than the kernel, so they are spelled out here).
constexpr std::uint64_t kFsExecute = 1ULL << 0;
constexpr std::uint64_t kFsAbi1 = (1ULL << 13) - 1;  // EXECUTE ... MAKE_SYM
constexpr std::uint64_t kFsRefer = 1ULL << 13;       // ABI 2
constexpr std::uint64_t kFsTruncate = 1ULL << 14;    // ABI 3
constexpr std::uint64_t kFsIoctlDev = 1ULL << 15;    // ABI 5
constexpr std::uint64_t kFsReadFile = 1ULL << 2;
constexpr std::uint64_t kNetBindTcp = 1ULL << 0;     // ABI 4
constexpr std::uint64_t kNetConnectTcp = 1ULL << 1;  // ABI 4
constexpr std::uint64_t kScopeAbstractUnix = 1ULL << 0;  // ABI 6
constexpr std::uint64_t kScopeSignal = 1ULL << 1;        // ABI 6

// struct landlock_ruleset_attr as of ABI 6; an older kernel accepts it while
// the fields it does not know are zero.
struct RulesetAttr {
  std::uint64_t handled_access_fs;
  std::uint64_t handled_access_net;
  std::uint64_t scoped;
};

int create_ruleset(const RulesetAttr* attr, std::size_t size, std::uint32_t flags) {
  return static_cast<int>(::syscall(SYS_landlock_create_ruleset, attr, size, flags));
}

Result<void> allow_beneath(int ruleset, int fd, std::uint64_t access) {
  landlock_path_beneath_attr rule{};
  rule.allowed_access = access;
  rule.parent_fd = fd;
  if (::syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) != 0)
    return Error{fmt::format("landlock_add_rule: {}", std::strerror(errno))};
  return {};
}

}  // namespace

LandlockAccess landlock_access_for_abi(int abi) {
  LandlockAccess access;
  if (abi < 1) return access;
  access.fs = kFsAbi1;
  if (abi >= 2) access.fs |= kFsRefer;
  if (abi >= 3) access.fs |= kFsTruncate;
  if (abi >= 4) access.net = kNetBindTcp | kNetConnectTcp;
  if (abi >= 5) access.fs |= kFsIoctlDev;
  if (abi >= 6) access.scoped = kScopeAbstractUnix | kScopeSignal;
  return access;
}

int landlock_abi() {
  const int abi = create_ruleset(nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return abi < 0 ? 0 : abi;
}

std::string_view landlock_skip_reason(int abi) {
  if (abi < 1) return "Landlock unavailable in this kernel";
  if (abi < 2)
    return "Landlock ABI 1 (Linux 5.13-5.18) skipped: it cannot allow renaming or linking "
           "into another directory (no LANDLOCK_ACCESS_FS_REFER), which SFTP rename needs";
  return "";
}

Result<LandlockOutcome> restrict_filesystem(int root_fd, int exec_fd) {
  const int abi = landlock_abi();
  if (const auto skip = landlock_skip_reason(abi); !skip.empty())
    return LandlockOutcome{false, std::string(skip)};
  const LandlockAccess access = landlock_access_for_abi(abi);
  const RulesetAttr attr{access.fs, access.net, access.scoped};
  UniqueFd ruleset(create_ruleset(&attr, sizeof attr, 0));
  if (!ruleset) return Error{fmt::format("landlock_create_ruleset: {}", std::strerror(errno))};
  if (auto ok = allow_beneath(ruleset.get(), root_fd, access.fs & ~kFsExecute); !ok)
    return Error{ok.error()};
  if (exec_fd >= 0) {
    if (auto ok = allow_beneath(ruleset.get(), exec_fd, kFsReadFile | kFsExecute); !ok)
      return Error{ok.error()};
  }
  if (::syscall(SYS_landlock_restrict_self, ruleset.get(), 0) != 0)
    return Error{fmt::format("landlock_restrict_self: {}", std::strerror(errno))};
  return LandlockOutcome{true, fmt::format("Landlock ABI {}", abi)};
}

}  // namespace sftpsh
