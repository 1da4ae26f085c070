#include "sftp-server/seccomp_filter.h"

#include <seccomp.h>
#include <valgrind/valgrind.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "common/syscall_sets.h"

namespace sftpsh::server {

namespace {

struct FilterContext {
  scmp_filter_ctx ctx = nullptr;
  ~FilterContext() {
    if (ctx != nullptr) seccomp_release(ctx);
  }
};

int resolve(std::string_view name) {
  return seccomp_syscall_resolve_name(std::string(name).c_str());
}

// Argument comparisons spelled out: libseccomp's SCMP_A* macros leave a field
// uninitialised, which clang's -Wmissing-field-initializers rejects.
scmp_arg_cmp arg_equals(unsigned int arg, scmp_datum_t value) {
  return scmp_arg_cmp{arg, SCMP_CMP_EQ, value, 0};
}
scmp_arg_cmp arg_masked_equals(unsigned int arg, scmp_datum_t mask, scmp_datum_t value) {
  return scmp_arg_cmp{arg, SCMP_CMP_MASKED_EQ, mask, value};
}

Error failed(std::string_view what, int rc) {
  return Error{fmt::format("seccomp: {}: {}", what, std::strerror(-rc))};
}

}  // namespace

Result<void> install_server_filter(int syslog_fd) {
#if defined(__SANITIZE_ADDRESS__)
  // The sanitizer runtime needs calls no server does (pipes and a traced
  // child for its leak check at exit). The ASan build exists to find memory
  // errors; the filter is tested on the release build.
  (void)syslog_fd;
  return {};
#endif
  // Valgrind (make bench-cpu counts instructions with callgrind) has no
  // seccomp(2). Only a process already running under valgrind can see this
  // true; nothing a client sends or sets can.
  if (RUNNING_ON_VALGRIND) return {};
  FilterContext f;
  f.ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
  if (f.ctx == nullptr) return Error{"seccomp: cannot initialise a filter"};
  // Calls made through another architecture's entry (x32, i386 int 0x80)
  // would bypass a native-only allowlist: they kill too.
  if (const int rc = seccomp_attr_set(f.ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
      rc < 0)
    return failed("bad-arch action", rc);

  // Calls with arguments worth restricting get their own rules below.
  constexpr std::string_view kRestricted[] = {"mmap", "sendto", "ioctl"};
  const auto restricted = [&kRestricted](std::string_view name) {
    for (const auto r : kRestricted)
      if (r == name) return true;
    return false;
  };
  for (const auto name : kServerRuntime) {
    if (restricted(name)) continue;
    const int nr = resolve(name);
    if (nr < 0) return Error{fmt::format("seccomp: unknown system call {}", name)};
    if (const int rc = seccomp_rule_add(f.ctx, SCMP_ACT_ALLOW, nr, 0); rc < 0)
      return failed(name, rc);
  }
  for (const auto name : kServerAbort) {
    if (name == "tgkill") continue;  // below
    if (const int rc = seccomp_rule_add(f.ctx, SCMP_ACT_ALLOW, resolve(name), 0); rc < 0)
      return failed(name, rc);
  }
  // abort() signals itself; no other process of the same user may be signalled.
  if (const int rc = seccomp_rule_add(f.ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
                                      arg_equals(0, static_cast<scmp_datum_t>(::getpid())));
      rc < 0)
    return failed("tgkill", rc);
  // Memory, but never executable: injected code could not be made runnable.
  if (const int rc = seccomp_rule_add(f.ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
                                      arg_masked_equals(2, PROT_EXEC, 0));
      rc < 0)
    return failed("mmap", rc);
  // Datagrams only on the syslog socket connected before the filter, and
  // only to where it is connected (no destination address: a compromised
  // server can't reach other sockets, e.g. abstract ones, through it).
  if (syslog_fd >= 0) {
    if (const int rc = seccomp_rule_add(f.ctx, SCMP_ACT_ALLOW, SCMP_SYS(sendto), 2,
                                        arg_equals(0, static_cast<scmp_datum_t>(syslog_fd)),
                                        arg_equals(4, 0));
        rc < 0)
      return failed("sendto", rc);
  }
  // FIONREAD-style queries and glibc's isatty(); nothing that configures.
  for (const unsigned long request : {0x5401ul /* TCGETS */, 0x541Bul /* FIONREAD */}) {
    if (const int rc = seccomp_rule_add(f.ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
                                        arg_equals(1, request));
        rc < 0)
      return failed("ioctl", rc);
  }
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return Error{fmt::format("prctl(PR_SET_NO_NEW_PRIVS): {}", std::strerror(errno))};
  if (const int rc = seccomp_load(f.ctx); rc < 0) return failed("load", rc);
  return {};
}

}  // namespace sftpsh::server
