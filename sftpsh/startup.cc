#include "sftpsh/startup.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "sftpsh/die.h"

extern char** environ;

namespace sftpsh {

namespace {

std::optional<ClientAddress> client_from_environment() {
  const char* value = std::getenv("SSH_CONNECTION");
  if (value == nullptr) return std::nullopt;
  return parse_ssh_connection(value);
}

// The kernel sets AT_SECURE for setuid and file-capability executables, and
// glibc then ignores LD_* itself. Without it (user-namespace mode), the
// environment reached glibc's start-up code and must be dropped by a new exec.
void reexec_if_environment_unsafe(char** argv) {
  if (::getauxval(AT_SECURE) != 0) return;
  if (environment_is_clean(environ)) return;
  std::string connection;  // kept verbatim, but only once it parsed
  if (client_from_environment())
    connection = std::string("SSH_CONNECTION=") + std::getenv("SSH_CONNECTION");
  char* clean_env[2] = {connection.empty() ? nullptr : connection.data(), nullptr};
  ::execve("/proc/self/exe", argv, clean_env);
  die(fmt::format("cannot re-execute without the inherited environment "
                  "(/proc/self/exe: {}); refusing to go on with it",
                  std::strerror(errno)));
}

void ensure_standard_fds_open() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
    const int opened = ::open("/dev/null", O_RDWR | O_NOCTTY);  // lands on `fd`
    if (opened != fd) ::_exit(1);  // can't even report: no stderr
  }
}

void close_inherited_fds() {
  if (::close_range(3, ~0U, 0) != 0)
    die(fmt::format("close_range: {}", std::strerror(errno)));
}

void reset_signals() {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    ::sigaction(sig, &dfl, nullptr);  // fails only for signals glibc reserves
  }
  sigset_t none;
  sigemptyset(&none);
  if (::sigprocmask(SIG_SETMASK, &none, nullptr) != 0)
    die(fmt::format("sigprocmask: {}", std::strerror(errno)));
}

void disable_core_dumps() {
  const rlimit zero{0, 0};
  if (::setrlimit(RLIMIT_CORE, &zero) != 0)
    die(fmt::format("setrlimit(RLIMIT_CORE): {}", std::strerror(errno)));
}

}  // namespace

ClientAddress sanitize_process(char** argv) {
  reexec_if_environment_unsafe(argv);
  const ClientAddress client = client_from_environment().value_or(ClientAddress{});
  if (::clearenv() != 0) die("clearenv failed");
  ensure_standard_fds_open();
  close_inherited_fds();
  ::umask(022);
  reset_signals();
  disable_core_dumps();
  return client;
}

}  // namespace sftpsh
