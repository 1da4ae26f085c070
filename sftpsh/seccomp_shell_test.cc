#include "sftpsh/seccomp_shell.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cerrno>
#include <csignal>

namespace sftpsh {
namespace {

TEST_CASE("every syscall name in sftpsh's filter resolves on this architecture") {
  CHECK(unresolved_shell_filter_names().empty());
  CHECK(shell_filter_names().size() > 60);
}

TEST_CASE("the filter allows nothing that creates sockets, execs, traces or mounts") {
  for (const auto name : shell_filter_names()) {
    for (const std::string_view forbidden :
         {"socket", "socketpair", "connect", "bind", "execve", "execveat", "ptrace", "mount",
          "umount2", "unshare", "setns", "chroot", "pivot_root", "clone", "clone3", "fork",
          "vfork", "setuid", "setresuid", "setgid", "setresgid", "setgroups", "capset", "kill",
          "bpf", "perf_event_open", "process_vm_writev", "init_module", "keyctl", "add_key"})
      CHECK_MESSAGE(name != forbidden, name);
  }
}

// Runs `body` in a child under the filter (no_new_privs first, as sftpsh
// sets it in its drop) and returns the child's wait status. The child exits
// by the raw syscall, past any sanitizer's exit hooks.
template <typename Body>
int status_under_filter(int allowed_fd, Body body) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::syscall(SYS_exit_group, 90);
    if (!install_shell_filter(allowed_fd).ok()) ::syscall(SYS_exit_group, 91);
    ::syscall(SYS_exit_group, body());
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return status;
}

bool killed_by_sigsys(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS; }

TEST_CASE("under the filter, allowed calls work and forbidden calls kill") {
  const int fd = ::open("/bin/true", O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  const int fine = status_under_filter(fd, [] {
    return ::syscall(SYS_getpid) > 0 && ::syscall(SYS_write, 2, "", 0) == 0 ? 7 : 8;
  });
  CHECK((WIFEXITED(fine) && WEXITSTATUS(fine) == 7));
  CHECK(killed_by_sigsys(status_under_filter(fd, [] {
    return static_cast<int>(::syscall(SYS_socket, AF_UNIX, SOCK_DGRAM, 0));
  })));
  CHECK(killed_by_sigsys(status_under_filter(fd, [] {
    return static_cast<int>(::syscall(SYS_setresuid, 0, 0, 0));
  })));
  CHECK(killed_by_sigsys(status_under_filter(fd, [] {
    return static_cast<int>(::syscall(SYS_execve, "/bin/true", nullptr, nullptr));
  })));
  ::close(fd);
}

TEST_CASE("under the filter, execveat works only on the server fd with AT_EMPTY_PATH") {
  const int fd = ::open("/bin/true", O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  // Another fd: killed, even with AT_EMPTY_PATH.
  CHECK(killed_by_sigsys(status_under_filter(fd, [fd] {
    return static_cast<int>(::syscall(SYS_execveat, fd + 1, "", nullptr, nullptr, AT_EMPTY_PATH));
  })));
  // The server fd without AT_EMPTY_PATH: killed.
  CHECK(killed_by_sigsys(status_under_filter(fd, [fd] {
    return static_cast<int>(::syscall(SYS_execveat, fd, "x", nullptr, nullptr, 0));
  })));
  // The server fd with AT_EMPTY_PATH passes the filter, whatever the upper
  // 32 bits of the flags (the kernel reads an int): the kernel itself answers,
  // here EFAULT for an argv at address 1, so nothing is actually exec'd.
  const int passed = status_under_filter(fd, [fd] {
    const long rc = ::syscall(SYS_execveat, fd, "", 1L, 0L,
                              static_cast<long>(AT_EMPTY_PATH) | (1L << 40));
    return rc == -1 && errno == EFAULT ? 5 : 6;
  });
  CHECK((WIFEXITED(passed) && WEXITSTATUS(passed) == 5));
  ::close(fd);
}

}  // namespace
}  // namespace sftpsh
