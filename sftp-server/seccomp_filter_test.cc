#include "sftp-server/seccomp_filter.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <functional>

#include <doctest/doctest.h>

// The sanitizer build installs no filter (seccomp_filter.cc says why), so
// these cases exist only in the release unit tests.
#if !defined(__SANITIZE_ADDRESS__)

using sftpsh::server::install_server_filter;

namespace {

// Runs `action` in a child under the server's filter; returns the signal that
// ended the child, or 0 if it exited normally with status 0.
int run_filtered(const std::function<void()>& action, int syslog_fd = -1) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // As in the server: default signal handling (not doctest's crash handlers).
    for (const int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGSYS})
      std::signal(sig, SIG_DFL);
    if (!install_server_filter(syslog_fd).ok()) ::_exit(3);
    action();
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  if (WIFSIGNALED(status)) return WTERMSIG(status);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return 0;
}

}  // namespace

TEST_CASE("the server's filter kills calls no request needs") {
  struct Case {
    const char* name;
    std::function<void()> call;
  };
  const Case cases[] = {
      {"socket", [] { (void)::socket(AF_INET, SOCK_STREAM, 0); }},
      {"execve", [] {
         char* argv[] = {nullptr};
         (void)::execve("/bin/true", argv, argv);
       }},
      {"execveat", [] { (void)::syscall(SYS_execveat, AT_FDCWD, "/bin/true", nullptr, nullptr, 0); }},
      {"ptrace", [] { (void)::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr); }},
      {"mount", [] { (void)::mount("none", "/tmp", "tmpfs", 0, nullptr); }},
      {"unshare", [] { (void)::unshare(CLONE_NEWUSER); }},
      {"setns", [] { (void)::syscall(SYS_setns, 0, 0); }},
      {"chroot", [] { (void)::syscall(SYS_chroot, "/"); }},
      {"fork", [] { (void)::syscall(SYS_fork); }},
      {"clone", [] { (void)::syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0); }},
      {"kill", [] { (void)::kill(1, 0); }},
      {"mprotect", [] {
         static char page[4096] __attribute__((aligned(4096)));
         (void)::mprotect(page, sizeof page, PROT_READ | PROT_EXEC);
       }},
      {"mmap executable", [] {
         (void)::mmap(nullptr, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
       }},
      {"tgkill of another process", [] { (void)::syscall(SYS_tgkill, 1, 1, 0); }},
      {"setuid", [] { (void)::syscall(SYS_setuid, 0); }},
      {"prctl", [] { (void)::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0); }},
      {"ioctl TIOCSTI", [] { (void)::ioctl(0, 0x5412 /* TIOCSTI */, "x"); }},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    CHECK(run_filtered(c.call) == SIGSYS);
  }
}

TEST_CASE("the server's filter allows what serving requests needs") {
  CHECK(run_filtered([] {
          const int fd = ::open("/proc/self/status", O_RDONLY | O_CLOEXEC);
          if (fd < 0) ::_exit(1);
          char buffer[64];
          if (::pread(fd, buffer, sizeof buffer, 0) <= 0) ::_exit(1);
          ::close(fd);
          void* p = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                           -1, 0);
          if (p == MAP_FAILED) ::_exit(1);
          std::free(std::malloc(1 << 20));  // malloc's mmap/brk
        }) == 0);
}

TEST_CASE("syslog datagrams go only to the connected socket, without an address") {
  int pair[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair) == 0);
  const int log_fd = pair[0];
  CHECK(run_filtered([log_fd] {
          if (::send(log_fd, "x", 1, 0) != 1) ::_exit(1);
        }, log_fd) == 0);
  CHECK(run_filtered([log_fd] {
          sockaddr_un to{};
          to.sun_family = AF_UNIX;
          (void)::sendto(log_fd, "x", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
        }, log_fd) == SIGSYS);
  CHECK(run_filtered([log_fd] { (void)::send(log_fd + 100, "x", 1, 0); }, log_fd) == SIGSYS);
  ::close(pair[0]);
  ::close(pair[1]);
}

TEST_CASE("abort() still works under the filter: it signals only itself") {
  CHECK(run_filtered([] { std::abort(); }) == SIGABRT);
}

#endif
