// srvwrap: runs a server command and records what it cost.
//
//   srvwrap RESULT_FILE SERVER [ARGS...]
//
// Used as `sftp -D "srvwrap /dev/shm/x.json /path/sftp-server"`: the server
// inherits the socket on stdin/stdout unchanged (no byte passes through
// srvwrap). When the server exits, RESULT_FILE gets one JSON line:
//   {"user_s":..,"sys_s":..,"hwm_kb":..,"maxrss_kb":..,"exit":..,
//    "wrap_user_s":..,"wrap_sys_s":..}
// user_s/sys_s are the server's own rusage (wait4). hwm_kb is the server's
// peak RSS (VmHWM of its own address space, read at its exit stop through
// PTRACE_O_TRACEEXIT); maxrss_kb is wait4's ru_maxrss, which also counts the
// address space the server was exec'ed from (srvwrap's), so hwm_kb is the
// figure to report. No system call is traced: ptrace only stops the server
// at exec and at exit. srvwrap exits with the server's status. A tool in
// front of the server (valgrind, strace, perf) is measured instead, but its
// exit status is the server's, which is what bench_cpu.py checks.
#include <fcntl.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

double seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; }

// "VmHWM:     1234 kB" from /proc/PID/status; -1 if absent.
long read_hwm_kb(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/status", static_cast<int>(pid));
  FILE* f = std::fopen(path, "re");
  if (f == nullptr) return -1;
  char line[256];
  long kb = -1;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, "VmHWM:", 6) == 0) {
      kb = std::strtol(line + 6, nullptr, 10);
      break;
    }
  }
  std::fclose(f);
  return kb;
}

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "srvwrap: %s: %s\n", what, std::strerror(errno));
  std::exit(125);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: srvwrap RESULT_FILE SERVER [ARGS...]\n");
    return 125;
  }
  const char* result_path = argv[1];
  const pid_t pid = ::fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    if (::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) die("ptrace(TRACEME)");
    ::execv(argv[2], argv + 2);
    std::fprintf(stderr, "srvwrap: exec %s: %s\n", argv[2], std::strerror(errno));
    ::_exit(127);
  }

  long hwm_kb = -1;
  int status = 0;
  struct rusage usage {};
  bool options_set = false;
  for (;;) {
    pid_t r;
    do {
      r = ::wait4(pid, &status, __WALL, &usage);
    } while (r < 0 && errno == EINTR);
    if (r < 0) die("wait4");
    if (WIFEXITED(status) || WIFSIGNALED(status)) break;
    if (!WIFSTOPPED(status)) continue;
    int deliver = 0;
    if (!options_set && WSTOPSIG(status) == SIGTRAP) {
      // The stop after a successful exec.
      options_set = true;
      if (::ptrace(PTRACE_SETOPTIONS, pid, nullptr,
                   reinterpret_cast<void*>(PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC |
                                           PTRACE_O_EXITKILL)) != 0)
        die("ptrace(SETOPTIONS)");
    } else if ((status >> 8) == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
      hwm_kb = read_hwm_kb(pid);  // the address space still exists here
    } else if ((status >> 16) != 0) {
      // another event (a further exec, by a tool such as valgrind): resume
    } else {
      deliver = WSTOPSIG(status);  // an ordinary signal: pass it on
    }
    ::ptrace(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(static_cast<long>(deliver)));
  }

  struct rusage self {};
  ::getrusage(RUSAGE_SELF, &self);
  const int exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  const std::string json =
      "{\"user_s\":" + std::to_string(seconds(usage.ru_utime)) +
      ",\"sys_s\":" + std::to_string(seconds(usage.ru_stime)) +
      ",\"hwm_kb\":" + std::to_string(hwm_kb) +
      ",\"maxrss_kb\":" + std::to_string(usage.ru_maxrss) +
      ",\"exit\":" + std::to_string(exit_code) +
      ",\"wrap_user_s\":" + std::to_string(seconds(self.ru_utime)) +
      ",\"wrap_sys_s\":" + std::to_string(seconds(self.ru_stime)) + "}\n";
  const int fd = ::open(result_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) die("open result file");
  if (::write(fd, json.data(), json.size()) != static_cast<ssize_t>(json.size())) die("write");
  ::close(fd);
  return exit_code;
}
