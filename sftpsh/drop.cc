#include "sftpsh/drop.h"

#include <linux/securebits.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

namespace sftpsh {

namespace {

constexpr unsigned kLockedSecurebits =
    SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP_LOCKED |
    SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;

Error failed(std::string_view what) {
  return Error{fmt::format("{}: {}", what, std::strerror(errno))};
}

bool has_effective(cap_value_t cap) {
  cap_t caps = ::cap_get_proc();
  if (caps == nullptr) return false;
  cap_flag_value_t value = CAP_CLEAR;
  const bool set = ::cap_get_flag(caps, cap, CAP_EFFECTIVE, &value) == 0 && value == CAP_SET;
  ::cap_free(caps);
  return set;
}

Result<void> clear_bounding_set() {
  for (cap_value_t cap = 0; cap < ::cap_max_bits(); ++cap)
    if (::cap_drop_bound(cap) != 0) return failed(fmt::format("cap_drop_bound({})", cap));
  return {};
}

Result<void> clear_capability_sets() {
  if (::cap_reset_ambient() != 0) return failed("cap_reset_ambient");
  cap_t none = ::cap_init();
  if (none == nullptr) return failed("cap_init");
  const int rc = ::cap_set_proc(none);
  ::cap_free(none);
  if (rc != 0) return failed("cap_set_proc(empty)");
  return {};
}

std::string capability_text() {
  cap_t caps = ::cap_get_proc();
  if (caps == nullptr) return "?";
  char* text = ::cap_to_text(caps, nullptr);
  std::string copy = text != nullptr ? text : "?";
  ::cap_free(text);
  ::cap_free(caps);
  return copy;
}

Result<void> verify_ids(uid_t uid, gid_t gid) {
  uid_t ru = 0, eu = 0, su = 0;
  gid_t rg = 0, eg = 0, sg = 0;
  if (::getresuid(&ru, &eu, &su) != 0 || ::getresgid(&rg, &eg, &sg) != 0)
    return failed("getresuid/getresgid");
  if (ru != uid || eu != uid || su != uid)
    return Error{fmt::format("uids are {}/{}/{}, not {}", ru, eu, su, uid)};
  if (rg != gid || eg != gid || sg != gid)
    return Error{fmt::format("gids are {}/{}/{}, not {}", rg, eg, sg, gid)};
  // The real proof: root can't be had back. (If it could, we stop here.)
  if (::setresuid(0, 0, 0) == 0) return Error{"setresuid(0, 0, 0) succeeded after the drop"};
  if (::setresgid(0, 0, 0) == 0) return Error{"setresgid(0, 0, 0) succeeded after the drop"};
  return {};
}

Result<void> verify_capabilities(const DropReport& report) {
  cap_t now = ::cap_get_proc();
  cap_t none = ::cap_init();
  const bool empty = now != nullptr && none != nullptr && ::cap_compare(now, none) == 0;
  ::cap_free(now);
  ::cap_free(none);
  if (!empty) return Error{fmt::format("capabilities left after the drop: {}", capability_text())};
  for (cap_value_t cap = 0; cap < ::cap_max_bits(); ++cap) {
    if (::cap_get_ambient(cap) > 0) return Error{fmt::format("ambient capability {} left", cap)};
    if (report.bounding_set_cleared && ::cap_get_bound(cap) != 0)
      return Error{fmt::format("capability {} left in the bounding set", cap)};
  }
  if (report.securebits_locked &&
      (::cap_get_secbits() & kLockedSecurebits) != kLockedSecurebits)
    return Error{fmt::format("securebits are {:#x}, not locked", ::cap_get_secbits())};
  return {};
}

}  // namespace

Result<DropReport> drop_privileges(uid_t uid, gid_t gid, PrivilegeMode mode) {
  DropReport report;
  // 1-2. What needs CAP_SETPCAP. Without it only capability mode may go on.
  if (has_effective(CAP_SETPCAP)) {
    if (auto ok = clear_bounding_set(); !ok) return Error{ok.error()};
    report.bounding_set_cleared = true;
    if (::cap_set_secbits(kLockedSecurebits) != 0) return failed("cap_set_secbits");
    report.securebits_locked = true;
  } else if (mode != PrivilegeMode::kCapability) {
    return Error{fmt::format("no CAP_SETPCAP in {} mode: cannot clear the bounding set",
                             privilege_mode_name(mode))};
  }
  // 3-4. Groups first: changing them needs the privilege the uid change ends.
  if (::setresgid(gid, gid, gid) != 0) return failed("setresgid");
  if (::setresuid(uid, uid, uid) != 0) return failed("setresuid");
  // 5. The kernel clears permitted/effective on leaving uid 0 (fix-ups are
  // locked on), but not a file capability or the namespace's set: do it all.
  if (auto ok = clear_capability_sets(); !ok) return Error{ok.error()};
  // 6.
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return failed("PR_SET_NO_NEW_PRIVS");
  const rlimit zero{0, 0};
  if (::setrlimit(RLIMIT_CORE, &zero) != 0) return failed("setrlimit(RLIMIT_CORE)");
  return report;
}

Result<void> verify_dropped(uid_t uid, gid_t gid, const DropReport& report) {
  if (auto ok = verify_ids(uid, gid); !ok) return ok;
  if (auto ok = verify_capabilities(report); !ok) return ok;
  if (::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) return Error{"no_new_privs is not set"};
  rlimit core{};
  if (::getrlimit(RLIMIT_CORE, &core) != 0 || core.rlim_cur != 0 || core.rlim_max != 0)
    return Error{"RLIMIT_CORE is not 0"};
  return {};
}

}  // namespace sftpsh
