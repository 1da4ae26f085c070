// sockcopy: the transport limit of `sftp -D`, measured the same way.
//
//   sockcopy [--buf BYTES] [--bytes N] [--sndbuf BYTES]
//            [--transport socket|pipe] [--pipe-size BYTES] SOURCE DEST
//
// Copies SOURCE through a socketpair (what `sftp -D` uses on Linux) into
// DEST: a sender process read()s the file and write()s the socket, a
// receiver process read()s the socket and write()s DEST (e.g. /dev/null or
// a file in /dev/shm). The same two copies and two processes as an SFTP
// get, minus the protocol. --sndbuf sets SO_SNDBUF on the sender's end (what
// a server may do to its stdout socket). `--transport pipe` copies through a
// pipe instead (as sshd connects a subsystem), --pipe-size resizes it
// (F_SETPIPE_SZ). Prints one JSON line:
//   {"bytes":..,"wall_s":..,"mb_s":..,"sender_cpu_s":..,"receiver_cpu_s":..}
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "sockcopy: %s: %s\n", what, std::strerror(errno));
  std::exit(1);
}

double now() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

double cpu_seconds(const rusage& u) {
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) die("write");
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

// Moves everything from `in` to `out` (at most `limit` bytes) in `buf`-sized
// reads; returns the byte count.
std::uint64_t pump(int in, int out, std::size_t buf, std::uint64_t limit) {
  std::unique_ptr<char[]> data(new char[buf]);
  std::uint64_t total = 0;
  while (total < limit) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buf, limit - total));
    const ssize_t n = ::read(in, data.get(), want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("read");
    if (n == 0) break;
    write_all(out, data.get(), static_cast<std::size_t>(n));
    total += static_cast<std::uint64_t>(n);
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t buf = 256 * 1024;
  std::uint64_t limit = UINT64_MAX;
  int sndbuf = 0;
  int pipe_size = 0;
  bool pipe = false;
  int i = 1;
  for (; i + 1 < argc && argv[i][0] == '-' && argv[i][1] == '-'; i += 2) {
    const std::string_view opt = argv[i];
    if (opt == "--buf")
      buf = std::strtoull(argv[i + 1], nullptr, 0);
    else if (opt == "--bytes")
      limit = std::strtoull(argv[i + 1], nullptr, 0);
    else if (opt == "--pipe-size")
      pipe_size = static_cast<int>(std::strtol(argv[i + 1], nullptr, 0));
    else if (opt == "--transport")
      pipe = std::string_view(argv[i + 1]) == "pipe";
    else if (opt == "--sndbuf")
      sndbuf = static_cast<int>(std::strtol(argv[i + 1], nullptr, 0));
    else
      break;
  }
  if (argc - i != 2 || buf == 0) {
    std::fprintf(stderr, "usage: sockcopy [--buf BYTES] [--bytes N] [--sndbuf BYTES]\n"
                 "                [--transport socket|pipe] [--pipe-size BYTES] SOURCE DEST\n");
    return 2;
  }
  const char* source = argv[i];
  const char* dest = argv[i + 1];

  // sv[0]: the sender's end, sv[1]: the receiver's.
  int sv[2];
  if (pipe) {
    int p[2];
    if (::pipe(p) != 0) die("pipe");
    sv[0] = p[1];
    sv[1] = p[0];
    if (pipe_size > 0 && ::fcntl(sv[0], F_SETPIPE_SZ, pipe_size) < 0) die("F_SETPIPE_SZ");
  } else {
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) die("socketpair");
    // As a server could on its own end (capped by net.core.wmem_max).
    if (sndbuf > 0 && ::setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) != 0)
      die("setsockopt(SO_SNDBUF)");
  }
  const double start = now();
  const pid_t receiver = ::fork();
  if (receiver < 0) die("fork");
  if (receiver == 0) {
    ::close(sv[0]);
    const int out = ::open(dest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) die("open dest");
    pump(sv[1], out, buf, UINT64_MAX);
    ::_exit(0);
  }
  ::close(sv[1]);
  const pid_t sender = ::fork();
  if (sender < 0) die("fork");
  if (sender == 0) {
    const int in = ::open(source, O_RDONLY | O_CLOEXEC);
    if (in < 0) die("open source");
    pump(in, sv[0], buf, limit);
    ::_exit(0);
  }
  ::close(sv[0]);

  rusage sender_usage{}, receiver_usage{};
  int status = 0;
  if (::wait4(sender, &status, 0, &sender_usage) < 0 || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0)
    die("sender failed");
  if (::wait4(receiver, &status, 0, &receiver_usage) < 0 || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0)
    die("receiver failed");
  const double wall = now() - start;

  struct stat st {};
  if (::stat(source, &st) != 0) die("stat source");
  const std::uint64_t bytes = std::min<std::uint64_t>(static_cast<std::uint64_t>(st.st_size), limit);
  std::printf("{\"bytes\":%llu,\"wall_s\":%.6f,\"mb_s\":%.1f,\"sender_cpu_s\":%.6f,"
              "\"receiver_cpu_s\":%.6f}\n",
              static_cast<unsigned long long>(bytes), wall, bytes / wall / 1e6,
              cpu_seconds(sender_usage), cpu_seconds(receiver_usage));
  return 0;
}
