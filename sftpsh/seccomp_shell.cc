#include "sftpsh/seccomp_shell.h"

#include <fcntl.h>
#include <seccomp.h>

#include <cstring>
#include <string>

#include <fmt/format.h>

#include "common/syscall_sets.h"

namespace sftpsh {

namespace {

int resolve(std::string_view name) {
  return ::seccomp_syscall_resolve_name(std::string(name).c_str());
}

// Owns a libseccomp context.
class Filter {
 public:
  Filter() : ctx_(::seccomp_init(SCMP_ACT_KILL_PROCESS)) {}
  Filter(const Filter&) = delete;
  Filter& operator=(const Filter&) = delete;
  ~Filter() {
    if (ctx_ != nullptr) ::seccomp_release(ctx_);
  }
  [[nodiscard]] scmp_filter_ctx get() const { return ctx_; }

 private:
  scmp_filter_ctx ctx_;
};

Error seccomp_error(std::string_view what, int rc) {
  return Error{fmt::format("seccomp: {}: {}", what, std::strerror(-rc))};
}

}  // namespace

std::vector<std::string_view> shell_filter_names() {
  std::vector<std::string_view> names;
  for (const auto name : kServerStartup) names.push_back(name);
  for (const auto name : kServerRuntime) names.push_back(name);
  for (const auto name : kServerAbort) names.push_back(name);
  return names;
}

std::vector<std::string_view> unresolved_shell_filter_names() {
  std::vector<std::string_view> unresolved;
  for (const auto name : shell_filter_names())
    if (resolve(name) == __NR_SCMP_ERROR) unresolved.push_back(name);
  if (resolve(kShellExec) == __NR_SCMP_ERROR) unresolved.push_back(kShellExec);
  return unresolved;
}

Result<void> install_shell_filter(int server_fd) {
  Filter filter;
  if (filter.get() == nullptr) return Error{"seccomp_init failed"};
  // Another architecture's syscall numbers (i386, x32) kill the process too.
  int rc = ::seccomp_attr_set(filter.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  if (rc != 0) return seccomp_error("SCMP_FLTATR_ACT_BADARCH", rc);
  for (const auto name : shell_filter_names()) {
    const int nr = resolve(name);
    if (nr == __NR_SCMP_ERROR) return Error{fmt::format("seccomp: unknown syscall {}", name)};
    rc = ::seccomp_rule_add(filter.get(), SCMP_ACT_ALLOW, nr, 0);
    if (rc != 0) return seccomp_error(name, rc);
  }
  // execveat(server_fd, <path>, argv, envp, AT_EMPTY_PATH). The kernel reads
  // both arguments as int: compare the low 32 bits, as it does. The path is
  // a pointer seccomp can't read, and with a non-empty absolute path execveat
  // ignores the fd and AT_EMPTY_PATH: this rule alone lets any file be
  // executed by path. Landlock's EXECUTE right, on the server's file only,
  // is what confines it (landlock.h); without Landlock, the server's own
  // filter (no exec at all), installed before it reads client input, is.
  constexpr scmp_datum_t kInt = 0xffffffff;
  rc = ::seccomp_rule_add(
      filter.get(), SCMP_ACT_ALLOW, resolve(kShellExec), 2,
      SCMP_A0(SCMP_CMP_MASKED_EQ, kInt, static_cast<scmp_datum_t>(server_fd)),
      SCMP_A4(SCMP_CMP_MASKED_EQ, kInt, static_cast<scmp_datum_t>(AT_EMPTY_PATH)));
  if (rc != 0) return seccomp_error(kShellExec, rc);
  rc = ::seccomp_load(filter.get());
  if (rc != 0) return seccomp_error("seccomp_load", rc);
  return {};
}

}  // namespace sftpsh
