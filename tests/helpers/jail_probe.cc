// jail_probe: a stand-in for sftp-server that reports the state sftpsh left
// it in, then tries forbidden things on command.
//
// Run by sftpsh (configured with `Server /path/to/jail_probe`), it gets the
// server's argv ("-H fd" and the options) and runs under sftpsh's seccomp
// filter, so it uses only calls that filter allows. It prints "key value"
// lines on stdout, then "ready", then reads commands from stdin, one a line:
//   try <what>   attempt one forbidden operation (see kTries); prints
//                "result <what> rc <n> errno <name>" if it survives it
//                (seccomp kills it with SIGSYS for a call not allowed)
//   exit         exit 0 (so does end of input)
// While it waits, a test can read /proc/<pid>/status and /proc/<pid>/root
// from outside the jail.
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace {

void out(const std::string& line) {
  const std::string text = line + "\n";
  std::string_view rest = text;
  while (!rest.empty()) {
    const ssize_t n = ::write(STDOUT_FILENO, rest.data(), rest.size());
    if (n <= 0) ::_exit(3);
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Control characters and spaces shown as %XX, so one value stays one line.
std::string visible(std::string_view text) {
  std::string shown;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c > 0x20 && c < 0x7f && c != '%') {
      shown += ch;
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      shown += hex;
    }
  }
  return shown;
}

std::string list_root() {
  std::string names;
  DIR* dir = ::opendir("/");
  if (dir == nullptr) return std::string("error:") + std::strerror(errno);
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (!names.empty()) names += ',';
    names += visible(name);
  }
  ::closedir(dir);
  return names.empty() ? "(empty)" : names;
}

std::string read_fd_text(int fd) {
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = ::pread(fd, buffer, sizeof buffer, static_cast<off_t>(text.size()))) > 0)
    text.append(buffer, static_cast<std::size_t>(n));
  return text;
}

std::string open_fds() {
  std::string fds;
  for (int fd = 0; fd < 256; ++fd) {
    if (::fcntl(fd, F_GETFD) < 0) continue;
    if (!fds.empty()) fds += ',';
    fds += std::to_string(fd);
  }
  return fds;
}

int count_bounding() {
  int count = 0;
  for (int cap = 0; cap < 64; ++cap)
    if (::prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) ++count;
  return count;
}

int count_ambient() {
  int count = 0;
  for (int cap = 0; cap < 64; ++cap)
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) == 1) ++count;
  return count;
}

void report(int argc, char** argv) {
  std::string args;
  int handover_fd = -1;
  for (int i = 0; i < argc; ++i) {
    if (i > 0) args += ' ';
    args += visible(argv[i]);
    if (std::string_view(argv[i]) == "-H" && i + 1 < argc) handover_fd = std::atoi(argv[i + 1]);
  }
  out("argv " + args);
  out("ids " + std::to_string(::getuid()) + " " + std::to_string(::geteuid()) + " " +
      std::to_string(::getgid()) + " " + std::to_string(::getegid()));
  out("no_new_privs " + std::to_string(::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)));
  out("seccomp " + std::to_string(::prctl(PR_GET_SECCOMP, 0, 0, 0, 0)));
  out("securebits " + std::to_string(::prctl(PR_GET_SECUREBITS, 0, 0, 0, 0)));
  out("bounding_count " + std::to_string(count_bounding()));
  out("ambient_count " + std::to_string(count_ambient()));
  char cwd[4096] = "";
  out(std::string("cwd ") + (::getcwd(cwd, sizeof cwd) != nullptr ? visible(cwd) : "?"));
  out("root_entries " + list_root());
  out("fds " + open_fds());
  if (handover_fd >= 0) out("handover " + visible(read_fd_text(handover_fd)));
  for (const char* const* env = environ; *env != nullptr; ++env) out("env " + visible(*env));
  out("ready");
}

// Each returns the syscall's result; errno tells the rest.
long attempt(std::string_view what) {
  if (what == "socket") return ::socket(AF_INET, SOCK_STREAM, 0);
  if (what == "socket_unix") return ::socket(AF_UNIX, SOCK_DGRAM, 0);
  if (what == "execve") {
    char* const argv[] = {const_cast<char*>("/bin/sh"), nullptr};
    return ::execve("/bin/sh", argv, argv + 1);
  }
  if (what == "execveat_self") {
    char* const argv[] = {const_cast<char*>("x"), nullptr};
    return ::syscall(SYS_execveat, 0, "", argv, argv + 1, AT_EMPTY_PATH);
  }
  if (what == "ptrace") return ::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
  if (what == "mount") return ::mount("none", "/", "tmpfs", 0, nullptr);
  if (what == "unshare") return ::unshare(CLONE_NEWUSER);
  if (what == "chroot") return ::chroot("/");
  if (what == "setuid0") return ::syscall(SYS_setuid, 0);
  if (what == "setresuid0") return ::syscall(SYS_setresuid, 0, 0, 0);
  if (what == "fork") return ::syscall(SYS_fork);
  if (what == "kill1") return ::syscall(SYS_kill, 1, 0);
  if (what == "open_etc_passwd") return ::open("/etc/passwd", O_RDONLY | O_CLOEXEC);
  if (what == "open_proc") return ::open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (what == "dotdot") {
    // Climb as far as ".." goes, then show where that is.
    for (int i = 0; i < 16; ++i)
      if (::chdir("..") != 0) return -1;
    out("dotdot_root_entries " + list_root());
    const int fd = ::open("../../..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return fd;
  }
  if (what.starts_with("exec_fd ")) {
    // "exec_fd N PATH": exec PATH through fd number N with AT_EMPTY_PATH, the
    // one exec sftpsh's seccomp filter lets through when N is the number the
    // server's fd had; Landlock must still refuse any file but the server.
    const std::string rest(what.substr(8));
    const auto space = rest.find(' ');
    const int number = std::atoi(rest.substr(0, space).c_str());
    const int fd = ::open(rest.substr(space + 1).c_str(), O_RDONLY | O_CLOEXEC);
    // fcntl, not dup3: dup3 is not in the filter.
    if (fd < 0 || (fd != number && ::fcntl(fd, F_DUPFD_CLOEXEC, number) != number)) return -3;
    char* const argv[] = {const_cast<char*>("exec_fd_child"), nullptr};
    return ::syscall(SYS_execveat, number, "", argv, argv + 1, AT_EMPTY_PATH);
  }
  if (what.starts_with("exec_path ")) {
    // "exec_path N PATH": execveat(N, PATH, ..., AT_EMPTY_PATH). A non-empty
    // absolute PATH makes the kernel ignore N and AT_EMPTY_PATH, so sftpsh's
    // seccomp rule (fd number N, AT_EMPTY_PATH) lets it through when N is the
    // server's number: only Landlock's EXECUTE rule can refuse the file.
    const std::string rest(what.substr(10));
    const auto space = rest.find(' ');
    const int number = std::atoi(rest.substr(0, space).c_str());
    const std::string path = rest.substr(space + 1);
    char* const argv[] = {const_cast<char*>("exec_path_child"), nullptr};
    return ::syscall(SYS_execveat, number, path.c_str(), argv, argv + 1, AT_EMPTY_PATH);
  }
  errno = EINVAL;
  return -2;
}

std::string read_line() {
  std::string line;
  char c;
  while (true) {
    const ssize_t n = ::read(STDIN_FILENO, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return line.empty() ? "exit" : line;
    if (c == '\n') return line;
    line += c;
  }
}

}  // namespace

int main(int argc, char** argv) {
  report(argc, argv);
  while (true) {
    const std::string line = read_line();
    if (line == "exit") return 0;
    if (!line.starts_with("try ")) {
      out("unknown " + visible(line));
      continue;
    }
    const std::string what = line.substr(4);
    errno = 0;
    const long rc = attempt(what);
    const int error = errno;
    out("result " + what.substr(0, what.find(' ')) + " rc " + std::to_string(rc) + " errno " +
        (error != 0 ? strerrorname_np(error) : "0"));
  }
}
