// loadgen: an SFTP load generator that keeps the server, not the client, busy.
//
//   loadgen --mode MODE [options] -- SERVER [ARGS...]
//
// Like `sftp -D`, it starts each server as a child on a socketpair (stdin and
// stdout; `--transport pipe`: two pipes, as sshd connects a subsystem) and
// speaks SFTP v3 itself, but with many requests in flight and a
// client that does almost nothing per byte: DATA payloads are discarded as
// they arrive (never reassembled), WRITE payloads are sent with writev()
// from one static buffer. S sessions run at once from one poll() loop.
//
// Modes
//   get      OPEN + FSTAT, then READs of --len bytes, --depth in flight, until
//            --bytes (default: the file size) are read; CLOSE. Short reads
//            are re-requested for the rest, as the sftp client does.
//   put      OPEN(WRITE|CREAT|TRUNC), WRITEs of --len bytes, --depth in
//            flight, until --bytes are acknowledged; CLOSE. With --sessions
//            > 1 session i writes PATH.i (unless PATH is /dev/null).
//   stat     --count LSTATs of PATH/f0 .. PATH/f{names-1} (round robin),
//            --depth in flight.
//   readdir  OPENDIR PATH, READDIR until EOF (one in flight, as clients do);
//            CLOSE. --count passes.
//   startup  --count times: spawn the server, send INIT, time until the whole
//            VERSION reply is in; then close and reap it.
//
// Options
//   --path P  --bytes N  --len N (default 261120 = 255 KiB)  --depth N
//   (default 64)  --sessions N (default 1)  --count N  --names N
//   --offset-stride N  (get: session i starts at i*N modulo the file size)
//
// Output: one JSON line on stdout. Time and CPU cover the transfer phase
// only (every session spawned, initialised and its file open first, then all
// start together): wall_s, bytes, ops, mb_s, ops_s, server_cpu_s (sum over
// sessions from /proc/PID/schedstat: exact), server_user_s/server_sys_s (the
// same phase from /proc/PID/stat: clock-tick resolution, so only with one
// session; -1 otherwise), server_hwm_kb
// (largest peak RSS of one server, VmHWM read before it exits),
// client_cpu_s, and server_life_cpu_s (wait4: start-up and exit included).
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sftp-server/protocol.h"
#include "sftp-server/wire.h"

extern char** environ;

namespace {

using sftpsh::server::Bytes;
using sftpsh::server::load_u32;
using sftpsh::server::Msg;
using sftpsh::server::Reader;
using sftpsh::server::Status;
using sftpsh::server::Writer;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "loadgen: %s\n", what.c_str());
  std::exit(1);
}
[[noreturn]] void die_errno(const std::string& what) { die(what + ": " + std::strerror(errno)); }

double now() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

double seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; }

double self_cpu() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

// Time the task has spent on a CPU (ns), exact: first field of schedstat.
double task_cpu(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/schedstat", static_cast<int>(pid));
  FILE* f = std::fopen(path, "re");
  if (f == nullptr) return 0;
  unsigned long long ns = 0;
  if (std::fscanf(f, "%llu", &ns) != 1) ns = 0;
  std::fclose(f);
  return static_cast<double>(ns) / 1e9;
}

// utime and stime (s) from /proc/PID/stat: clock-tick resolution, but the
// split the kernel keeps (schedstat has only the sum).
struct Ticks {
  double user = 0, sys = 0;
};
Ticks task_ticks(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  FILE* f = std::fopen(path, "re");
  if (f == nullptr) return {};
  char line[1024];
  Ticks t;
  if (std::fgets(line, sizeof line, f) != nullptr) {
    const char* p = std::strrchr(line, ')');  // comm may hold spaces
    unsigned long long ut = 0, st = 0;
    // after ")": state ppid pgrp session tty tpgid flags minflt cminflt
    // majflt cmajflt utime stime
    if (p != nullptr &&
        std::sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
                    &st) == 2) {
      const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
      t = {static_cast<double>(ut) / hz, static_cast<double>(st) / hz};
    }
  }
  std::fclose(f);
  return t;
}

long task_hwm_kb(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/status", static_cast<int>(pid));
  FILE* f = std::fopen(path, "re");
  if (f == nullptr) return -1;
  char line[256];
  long kb = -1;
  while (std::fgets(line, sizeof line, f) != nullptr)
    if (std::strncmp(line, "VmHWM:", 6) == 0) {
      kb = std::strtol(line + 6, nullptr, 10);
      break;
    }
  std::fclose(f);
  return kb;
}

enum class Mode { kGet, kPut, kStat, kReaddir, kStartup };

struct Options {
  Mode mode = Mode::kGet;
  std::string path;
  std::uint64_t bytes = 0;  // 0: the file size (get)
  std::uint32_t len = 261120;
  unsigned depth = 64;
  unsigned sessions = 1;
  std::uint64_t count = 1;
  std::uint64_t names = 1;
  std::uint64_t offset_stride = 0;
  bool pipes = false;  // --transport pipe
  std::vector<char*> server;  // argv, null-terminated
  // --as UID:GID: the server (or sftpsh) runs as this user, with the
  // environment sshd gives a session (--as-name NAME names it), as a
  // jailed user's login shell is started.
  bool as_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string as_name = "user";
};

// The payload of every WRITE: never touched after start-up.
std::unique_ptr<char[]> g_write_data;

// ---- requests ---------------------------------------------------------------

// A request (or any packet) waiting to be sent: a small owned head and an
// optional payload that points into g_write_data.
struct OutItem {
  std::string head;
  const char* data = nullptr;
  std::size_t data_len = 0;
};

class OutQueue {
 public:
  [[nodiscard]] bool empty() const { return items_.empty(); }
  void push(OutItem item) { items_.push_back(std::move(item)); }

  // Writes as much as the socket takes. False on a hard error.
  bool flush(int fd) {
    while (!items_.empty()) {
      iovec iov[64];
      int n = 0;
      std::size_t skip = sent_;
      for (auto it = items_.begin(); it != items_.end() && n < 62; ++it) {
        const std::size_t h = it->head.size();
        if (skip < h) {
          iov[n++] = {const_cast<char*>(it->head.data()) + skip, h - skip};
          skip = 0;
        } else {
          skip -= h;
        }
        if (it->data_len > 0) {
          iov[n++] = {const_cast<char*>(it->data) + skip, it->data_len - skip};
          skip = 0;
        }
      }
      const ssize_t w = ::writev(fd, iov, n);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      if (w < 0) return false;
      consume(static_cast<std::size_t>(w));
    }
    return true;
  }

 private:
  void consume(std::size_t n) {
    n += sent_;
    while (!items_.empty()) {
      const std::size_t total = items_.front().head.size() + items_.front().data_len;
      if (n < total) break;
      n -= total;
      items_.pop_front();
    }
    sent_ = n;
  }

  std::deque<OutItem> items_;
  std::size_t sent_ = 0;  // bytes of items_.front() already written
};

// Builds one packet head: length, type, id, then fields; `extra` payload
// bytes follow it (counted in the length, sent separately).
class PacketBuilder {
 public:
  PacketBuilder(Msg type, std::uint32_t id, bool has_id = true) : w_(buf_, sizeof buf_) {
    w_.u32(0);
    w_.u8(static_cast<std::uint8_t>(type));
    if (has_id) w_.u32(id);
  }
  Writer& w() { return w_; }
  std::string finish(std::size_t extra = 0) {
    if (w_.overflowed()) die("request too large");
    w_.patch_u32(0, static_cast<std::uint32_t>(w_.size() - 4 + extra));
    return std::string(reinterpret_cast<const char*>(buf_), w_.size());
  }

 private:
  std::byte buf_[4096];
  Writer w_;
};

Bytes text_bytes(std::string_view s) { return sftpsh::server::as_bytes(s); }

// ---- sessions ---------------------------------------------------------------

enum class Phase { kVersion, kOpening, kSizing, kReady, kRunning, kClosing, kDone };

struct Pending {
  std::uint64_t offset;
  std::uint32_t len;
};

constexpr std::size_t kInCapacity = 1 << 20;
constexpr std::size_t kMinReadSpace = 64 * 1024;

struct Session {
  int index = 0;
  int fd = -1;      // replies come from here
  int out_fd = -1;  // requests go here (== fd for a socketpair)
  pid_t pid = -1;
  Phase phase = Phase::kVersion;
  std::unique_ptr<std::byte[]> in{new std::byte[kInCapacity]};
  std::size_t head = 0, tail = 0;
  std::uint64_t skip = 0;  // DATA payload bytes still to discard
  OutQueue out;
  std::uint32_t next_id = 1;
  std::string handle;
  std::string path;
  // transfer state
  std::uint64_t start = 0, end = 0, next_offset = 0;
  std::deque<Pending> retry;  // rest of short reads
  std::unordered_map<std::uint32_t, Pending> pending;
  std::uint64_t done_bytes = 0;
  std::uint64_t issued_ops = 0, done_ops = 0, names_seen = 0;
  std::uint64_t passes_left = 1;
  bool eof = false;
  // measurements
  double cpu_at_start = 0, cpu_at_end = 0;
  Ticks ticks_at_start, ticks_at_end;
  long hwm_kb = -1;
  rusage usage{};
};

// Starts the server with its stdin and stdout on a socketpair (as `sftp -D`)
// or on two pipes (as sshd runs a subsystem). `*from_server` and
// `*to_server` are our ends (the same descriptor for a socketpair).
pid_t spawn_server(const Options& o, int* from_server, int* to_server) {
  int child_in = -1, child_out = -1;
  if (o.pipes) {
    int requests[2], replies[2];
    if (::pipe2(requests, O_CLOEXEC) != 0 || ::pipe2(replies, O_CLOEXEC) != 0)
      die_errno("pipe2");
    child_in = requests[0];
    child_out = replies[1];
    *to_server = requests[1];
    *from_server = replies[0];
  } else {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) die_errno("socketpair");
    child_in = child_out = sv[1];
    *from_server = *to_server = sv[0];
  }
  if (o.as_user) {
    // The environment sshd builds for a session (no AcceptEnv extras).
    static std::vector<std::string> env_text = {
        "USER=" + o.as_name, "LOGNAME=" + o.as_name, "HOME=/", "PATH=/usr/bin:/bin",
        "MAIL=/var/mail/" + o.as_name, std::string("SHELL=") + o.server[0],
        "SSH_CLIENT=127.0.0.1 50000 22", "SSH_CONNECTION=127.0.0.1 50000 127.0.0.1 22"};
    static std::vector<char*> env;
    if (env.empty()) {
      for (auto& e : env_text) env.push_back(e.data());
      env.push_back(nullptr);
    }
    const pid_t pid = ::fork();
    if (pid < 0) die_errno("fork");
    if (pid == 0) {
      if (::dup2(child_in, 0) < 0 || ::dup2(child_out, 1) < 0) ::_exit(126);
      const gid_t groups[] = {o.gid};
      if (::setgroups(1, groups) != 0 || ::setresgid(o.gid, o.gid, o.gid) != 0 ||
          ::setresuid(o.uid, o.uid, o.uid) != 0)
        ::_exit(126);
      ::execve(o.server[0], o.server.data(), env.data());
      ::_exit(127);
    }
    ::close(child_in);
    if (child_out != child_in) ::close(child_out);
    return pid;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, child_in, 0);
  posix_spawn_file_actions_adddup2(&fa, child_out, 1);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, o.server[0], &fa, nullptr, o.server.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    errno = rc;
    die_errno(std::string("spawn ") + o.server[0]);
  }
  ::close(child_in);
  if (child_out != child_in) ::close(child_out);
  return pid;
}

std::string init_packet() {
  PacketBuilder p(Msg::kInit, 0, false);
  p.w().u32(3);
  return p.finish();
}

class Runner {
 public:
  explicit Runner(const Options& o) : o_(o) {}

  int run() {
    sessions_.resize(o_.sessions);
    for (unsigned i = 0; i < o_.sessions; ++i) {
      Session& s = sessions_[i];
      s.index = static_cast<int>(i);
      s.pid = spawn_server(o_, &s.fd, &s.out_fd);
      if (::fcntl(s.fd, F_SETFL, O_NONBLOCK) != 0 || ::fcntl(s.out_fd, F_SETFL, O_NONBLOCK) != 0)
        die_errno("fcntl");
      s.path = o_.path;
      if (o_.mode == Mode::kPut && o_.sessions > 1 && o_.path != "/dev/null")
        s.path += "." + std::to_string(i);
      s.passes_left = o_.mode == Mode::kReaddir ? o_.count : 1;
      s.out.push({init_packet()});
    }
    loop();
    report();
    return 0;
  }

 private:
  void loop() {
    // Up to two entries per session: replies in, and (pipes) requests out.
    std::vector<pollfd> fds(2 * sessions_.size());
    std::vector<Session*> owner(fds.size());
    for (;;) {
      if (!started_ && std::all_of(sessions_.begin(), sessions_.end(),
                                   [](const Session& s) { return s.phase == Phase::kReady; }))
        start_all();
      std::size_t n = 0;
      for (auto& s : sessions_) {
        if (s.phase == Phase::kDone) continue;
        const short want_out = s.out.empty() ? 0 : POLLOUT;
        if (s.out_fd == s.fd) {
          owner[n] = &s;
          fds[n++] = {s.fd, static_cast<short>(POLLIN | want_out), 0};
        } else {
          owner[n] = &s;
          fds[n++] = {s.fd, POLLIN, 0};
          if (want_out) {
            owner[n] = &s;
            fds[n++] = {s.out_fd, POLLOUT, 0};
          }
        }
      }
      if (n == 0) break;
      if (::poll(fds.data(), n, -1) < 0) {
        if (errno == EINTR) continue;
        die_errno("poll");
      }
      for (std::size_t k = 0; k < n; ++k) {
        Session& s = *owner[k];
        if (s.phase == Phase::kDone || fds[k].revents == 0) continue;
        if (fds[k].fd == s.fd && (fds[k].revents & (POLLIN | POLLHUP | POLLERR))) read_input(s);
        if (s.phase != Phase::kDone && !s.out.flush(s.out_fd)) die_errno("write to server");
      }
    }
    t_end_ = now();
    cpu_end_ = self_cpu();
  }

  void start_all() {
    started_ = true;
    for (auto& s : sessions_) {
      s.cpu_at_start = task_cpu(s.pid);
      s.ticks_at_start = task_ticks(s.pid);
    }
    t_start_ = now();
    cpu_start_ = self_cpu();
    for (auto& s : sessions_) {
      s.phase = Phase::kRunning;
      pump(s);
      if (!s.out.flush(s.out_fd)) die_errno("write to server");
    }
  }

  void read_input(Session& s) {
    for (;;) {
      if (s.head > 0 && kInCapacity - s.tail < kMinReadSpace) {
        std::memmove(s.in.get(), s.in.get() + s.head, s.tail - s.head);
        s.tail -= s.head;
        s.head = 0;
      }
      const ssize_t n = ::read(s.fd, s.in.get() + s.tail, kInCapacity - s.tail);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n < 0) die_errno("read from server");
      if (n == 0) die("server " + std::to_string(s.pid) + " closed the connection");
      s.tail += static_cast<std::size_t>(n);
      parse(s);
      if (s.phase == Phase::kDone) return;
    }
    if (s.phase == Phase::kRunning) pump(s);
  }

  void parse(Session& s) {
    for (;;) {
      std::size_t avail = s.tail - s.head;
      if (s.skip > 0) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(s.skip, avail));
        s.head += n;
        s.skip -= n;
        if (s.skip > 0) break;
        continue;
      }
      if (avail < 5) break;
      const std::byte* p = s.in.get() + s.head;
      const std::uint32_t len = load_u32(p);
      if (len > (1u << 20) || len == 0) die("bad packet length from server");
      const auto type = static_cast<Msg>(std::to_integer<std::uint8_t>(p[4]));
      if (type == Msg::kData && len >= 9) {
        if (avail < 13) break;
        const std::uint32_t id = load_u32(p + 5);
        const std::uint32_t dlen = load_u32(p + 9);
        if (dlen != len - 9) die("bad DATA length");
        s.head += 13;
        s.skip = dlen;  // discarded as it arrives
        on_data(s, id, dlen);
        continue;
      }
      if (avail < 4 + std::size_t{len}) break;
      Reader r(Bytes(p + 5, len - 1));
      s.head += 4 + std::size_t{len};
      on_packet(s, type, r);
      if (s.phase == Phase::kDone) return;
    }
    if (s.head == s.tail) s.head = s.tail = 0;
  }

  void send(Session& s, std::string head, const char* data = nullptr, std::size_t n = 0) {
    s.out.push({std::move(head), data, n});
  }

  std::uint32_t send_path_request(Session& s, Msg type, std::string_view path) {
    const std::uint32_t id = s.next_id++;
    PacketBuilder p(type, id);
    p.w().text(path);
    send(s, p.finish());
    return id;
  }

  std::uint32_t send_handle_request(Session& s, Msg type) {
    const std::uint32_t id = s.next_id++;
    PacketBuilder p(type, id);
    p.w().bytes(text_bytes(s.handle));
    send(s, p.finish());
    return id;
  }

  void open_target(Session& s) {
    s.phase = Phase::kOpening;
    if (o_.mode == Mode::kReaddir) {
      send_path_request(s, Msg::kOpendir, s.path);
      return;
    }
    PacketBuilder p(Msg::kOpen, s.next_id++);
    p.w().text(s.path);
    if (o_.mode == Mode::kGet) {
      p.w().u32(sftpsh::server::kOpenRead);
      p.w().u32(0);
    } else {
      p.w().u32(sftpsh::server::kOpenWrite | sftpsh::server::kOpenCreate |
                sftpsh::server::kOpenTruncate);
      p.w().u32(sftpsh::server::kAttrPermissions);
      p.w().u32(0644);
    }
    send(s, p.finish());
  }

  void on_packet(Session& s, Msg type, Reader& r) {
    if (type == Msg::kVersion) {
      if (s.phase != Phase::kVersion) die("unexpected VERSION");
      if (o_.mode == Mode::kStat) {
        s.phase = Phase::kReady;
      } else {
        open_target(s);
      }
      return;
    }
    const auto id = r.u32();
    if (!id) die("short reply");
    switch (type) {
      case Msg::kHandle: {
        const auto h = r.bytes();
        if (!h || s.phase != Phase::kOpening) die("unexpected HANDLE");
        s.handle.assign(reinterpret_cast<const char*>(h->data()), h->size());
        if (o_.mode == Mode::kGet) {
          s.phase = Phase::kSizing;
          send_handle_request(s, Msg::kFstat);
        } else if (o_.mode == Mode::kPut) {
          s.start = s.next_offset = 0;
          s.end = o_.bytes;
          s.phase = Phase::kReady;
        } else if (started_) {
          s.phase = Phase::kRunning;  // the next readdir pass
          pump(s);
        } else {
          s.phase = Phase::kReady;
        }
        return;
      }
      case Msg::kAttrs: {
        if (s.phase == Phase::kSizing) {
          const auto flags = r.u32();
          const auto size = r.u64();
          if (!flags || !(*flags & sftpsh::server::kAttrSize) || !size) die("FSTAT: no size");
          setup_range(s, *size);
          s.phase = Phase::kReady;
        } else {
          ++s.done_ops;
          s.pending.erase(*id);
        }
        return;
      }
      case Msg::kName: {
        const auto count = r.u32();
        if (!count) die("bad NAME");
        s.names_seen += *count;
        ++s.done_ops;
        s.pending.erase(*id);
        return;
      }
      case Msg::kStatus: {
        const auto code = r.u32();
        if (!code) die("bad STATUS");
        on_status(s, *id, static_cast<Status>(*code), r);
        return;
      }
      default:
        die("unexpected reply type " + std::to_string(static_cast<int>(type)));
    }
  }

  void setup_range(Session& s, std::uint64_t size) {
    std::uint64_t want = o_.bytes != 0 ? o_.bytes : size;
    if (size == 0) die("get: empty file");
    want = std::min(want, size);
    std::uint64_t start = (o_.offset_stride * static_cast<std::uint64_t>(s.index)) % size;
    if (start + want > size) start = size - want;
    s.start = s.next_offset = start;
    s.end = start + want;
  }

  void on_status(Session& s, std::uint32_t id, Status code, Reader& r) {
    if (s.phase == Phase::kClosing) {
      if (code != Status::kOk) die("CLOSE failed");
      if (o_.mode == Mode::kReaddir && --s.passes_left > 0) {
        s.handle.clear();
        s.eof = false;
        open_target(s);  // its HANDLE reply starts the next pass
        return;
      }
      finish(s);
      return;
    }
    const auto it = s.pending.find(id);
    if (code == Status::kEof && it != s.pending.end()) {
      s.eof = true;
      s.pending.erase(it);
      return;
    }
    if (code == Status::kOk && o_.mode == Mode::kPut && it != s.pending.end()) {
      s.done_bytes += it->second.len;
      ++s.done_ops;
      s.pending.erase(it);
      return;
    }
    const auto message = r.text();
    die("request " + std::to_string(id) + " failed: status " +
        std::to_string(static_cast<unsigned>(code)) + " " +
        std::string(message ? *message : ""));
  }

  void on_data(Session& s, std::uint32_t id, std::uint32_t n) {
    const auto it = s.pending.find(id);
    if (it == s.pending.end()) die("DATA for an unknown request");
    const Pending p = it->second;
    s.pending.erase(it);
    if (n > p.len) die("DATA longer than asked");
    s.done_bytes += n;
    ++s.done_ops;
    if (n < p.len && n > 0) s.retry.push_back({p.offset + n, p.len - n});
    if (n == 0) s.eof = true;
  }

  // Issues requests up to the depth, or closes when the work is done.
  void pump(Session& s) {
    if (s.phase != Phase::kRunning) return;
    switch (o_.mode) {
      case Mode::kGet:
        while (s.pending.size() < o_.depth) {
          Pending p{};
          if (!s.retry.empty()) {
            p = s.retry.front();
            s.retry.pop_front();
          } else if (!s.eof && s.next_offset < s.end) {
            p = {s.next_offset, static_cast<std::uint32_t>(
                                    std::min<std::uint64_t>(o_.len, s.end - s.next_offset))};
            s.next_offset += p.len;
          } else {
            break;
          }
          const std::uint32_t id = s.next_id++;
          PacketBuilder b(Msg::kRead, id);
          b.w().bytes(text_bytes(s.handle));
          b.w().u64(p.offset);
          b.w().u32(p.len);
          send(s, b.finish());
          s.pending.emplace(id, p);
        }
        if (s.pending.empty() && s.retry.empty() && (s.eof || s.next_offset >= s.end)) close(s);
        return;
      case Mode::kPut:
        while (s.pending.size() < o_.depth && s.next_offset < s.end) {
          const Pending p{s.next_offset, static_cast<std::uint32_t>(std::min<std::uint64_t>(
                                             o_.len, s.end - s.next_offset))};
          s.next_offset += p.len;
          const std::uint32_t id = s.next_id++;
          PacketBuilder b(Msg::kWrite, id);
          b.w().bytes(text_bytes(s.handle));
          b.w().u64(p.offset);
          b.w().u32(p.len);
          send(s, b.finish(p.len), g_write_data.get(), p.len);
          s.pending.emplace(id, p);
        }
        if (s.pending.empty() && s.next_offset >= s.end) close(s);
        return;
      case Mode::kStat:
        while (s.pending.size() < o_.depth && s.issued_ops < o_.count) {
          const std::string name =
              o_.path + "/f" + std::to_string(s.issued_ops % std::max<std::uint64_t>(o_.names, 1));
          ++s.issued_ops;
          const std::uint32_t id = send_path_request(s, Msg::kLstat, name);
          s.pending.emplace(id, Pending{});
        }
        if (s.pending.empty() && s.issued_ops >= o_.count) finish(s);
        return;
      case Mode::kReaddir:
        if (!s.pending.empty()) return;
        if (s.eof) {
          close(s);
          return;
        }
        s.pending.emplace(send_handle_request(s, Msg::kReaddir), Pending{});
        return;
      case Mode::kStartup:
        return;
    }
  }

  void close(Session& s) {
    s.phase = Phase::kClosing;
    send_handle_request(s, Msg::kClose);
  }

  void finish(Session& s) {
    s.cpu_at_end = task_cpu(s.pid);
    s.ticks_at_end = task_ticks(s.pid);
    s.hwm_kb = task_hwm_kb(s.pid);
    s.phase = Phase::kDone;
    (void)s.out.flush(s.out_fd);
    if (s.out_fd != s.fd) ::close(s.out_fd);
    ::close(s.fd);
    s.fd = s.out_fd = -1;
  }

  void report() {
    double server_cpu = 0, server_user = 0, server_sys = 0, life_cpu = 0;
    long hwm = -1;
    std::uint64_t bytes = 0, ops = 0, names = 0;
    int failures = 0;
    for (auto& s : sessions_) {
      int status = 0;
      if (::wait4(s.pid, &status, 0, &s.usage) < 0) die_errno("wait4");
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failures;
      server_cpu += s.cpu_at_end - s.cpu_at_start;
      server_user += s.ticks_at_end.user - s.ticks_at_start.user;
      server_sys += s.ticks_at_end.sys - s.ticks_at_start.sys;
      life_cpu += seconds(s.usage.ru_utime) + seconds(s.usage.ru_stime);
      hwm = std::max(hwm, s.hwm_kb);
      bytes += s.done_bytes;
      ops += s.done_ops;
      names += s.names_seen;
    }
    // Tick-resolution deltas are meaningless over many short server lives.
    if (o_.sessions > 1) server_user = server_sys = -1;
    const double wall = t_end_ - t_start_;
    const char* mode_name[] = {"get", "put", "stat", "readdir", "startup"};
    std::printf(
        "{\"mode\":\"%s\",\"sessions\":%u,\"depth\":%u,\"len\":%u,\"wall_s\":%.6f,"
        "\"bytes\":%llu,\"ops\":%llu,\"names\":%llu,\"mb_s\":%.1f,\"ops_s\":%.1f,"
        "\"server_cpu_s\":%.6f,\"server_user_s\":%.6f,\"server_sys_s\":%.6f,"
        "\"server_cpu_per_gib_s\":%.4f,\"server_hwm_kb\":%ld,\"client_cpu_s\":%.6f,"
        "\"server_life_cpu_s\":%.6f,\"server_failures\":%d,\"transport\":\"%s\"}\n",
        mode_name[static_cast<int>(o_.mode)], o_.sessions, o_.depth, o_.len, wall,
        static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(ops),
        static_cast<unsigned long long>(names), bytes / wall / 1e6, ops / wall, server_cpu,
        server_user, server_sys, bytes > 0 ? server_cpu / (bytes / 1073741824.0) : 0.0, hwm,
        cpu_end_ - cpu_start_, life_cpu, failures, o_.pipes ? "pipe" : "socket");
  }

  const Options& o_;
  std::vector<Session> sessions_;
  bool started_ = false;
  double t_start_ = 0, t_end_ = 0, cpu_start_ = 0, cpu_end_ = 0;
};

// ---- startup ----------------------------------------------------------------

int run_startup(const Options& o) {
  const std::string init = init_packet();
  std::vector<double> to_version, to_exit, server_cpu;
  long hwm = -1;
  std::unique_ptr<std::byte[]> buf(new std::byte[65536]);
  for (std::uint64_t i = 0; i < o.count; ++i) {
    const double t0 = now();
    int fd = -1, to_server = -1;
    const pid_t pid = spawn_server(o, &fd, &to_server);
    if (::write(to_server, init.data(), init.size()) != static_cast<ssize_t>(init.size()))
      die_errno("write INIT");
    std::size_t have = 0;
    for (;;) {
      const ssize_t n = ::read(fd, buf.get() + have, 65536 - have);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) die("no VERSION from the server");
      have += static_cast<std::size_t>(n);
      if (have >= 5 && have >= 4 + std::size_t{load_u32(buf.get())}) break;
    }
    const double t1 = now();
    if (std::to_integer<int>(buf[4]) != static_cast<int>(Msg::kVersion)) die("not VERSION");
    if (i == 0) hwm = task_hwm_kb(pid);
    if (to_server != fd) ::close(to_server);
    ::close(fd);
    int status = 0;
    rusage u{};
    if (::wait4(pid, &status, 0, &u) < 0) die_errno("wait4");
    const double t2 = now();
    to_version.push_back(t1 - t0);
    to_exit.push_back(t2 - t0);
    server_cpu.push_back(seconds(u.ru_utime) + seconds(u.ru_stime));
  }
  const auto pct = [](std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5)];
  };
  std::printf(
      "{\"mode\":\"startup\",\"count\":%llu,\"version_ms_median\":%.4f,\"version_ms_p10\":%.4f,"
      "\"version_ms_p90\":%.4f,\"version_ms_min\":%.4f,\"exit_ms_median\":%.4f,"
      "\"server_cpu_ms_median\":%.4f,\"server_hwm_kb\":%ld}\n",
      static_cast<unsigned long long>(o.count), pct(to_version, 0.5) * 1e3,
      pct(to_version, 0.1) * 1e3, pct(to_version, 0.9) * 1e3, pct(to_version, 0) * 1e3,
      pct(to_exit, 0.5) * 1e3, pct(server_cpu, 0.5) * 1e3, hwm);
  return 0;
}

// ---- command line -----------------------------------------------------------

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: loadgen --mode get|put|stat|readdir|startup [--path P] [--bytes N]\n"
               "               [--len N] [--depth N] [--sessions N] [--count N] [--names N]\n"
               "               [--offset-stride N] [--transport socket|pipe]\n"
               "               [--as UID:GID [--as-name NAME]]\n"
               "               -- SERVER [ARGS...]\n");
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  int i = 1;
  for (; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (i + 1 >= argc) usage();
    const char* v = argv[++i];
    if (a == "--transport") {
      const std::string_view t = v;
      if (t != "pipe" && t != "socket") usage();
      o.pipes = t == "pipe";
      continue;
    }
    const auto num = [v]() { return std::strtoull(v, nullptr, 0); };
    if (a == "--as") {
      unsigned long long uid = 0, gid = 0;
      if (std::sscanf(v, "%llu:%llu", &uid, &gid) != 2) usage();
      o.as_user = true;
      o.uid = static_cast<uid_t>(uid);
      o.gid = static_cast<gid_t>(gid);
      continue;
    }
    if (a == "--as-name") {
      o.as_name = v;
      continue;
    }
    if (a == "--mode") {
      const std::string_view m = v;
      if (m == "get") o.mode = Mode::kGet;
      else if (m == "put") o.mode = Mode::kPut;
      else if (m == "stat") o.mode = Mode::kStat;
      else if (m == "readdir") o.mode = Mode::kReaddir;
      else if (m == "startup") o.mode = Mode::kStartup;
      else usage();
    } else if (a == "--path") {
      o.path = v;
    } else if (a == "--bytes") {
      o.bytes = num();
    } else if (a == "--len") {
      o.len = static_cast<std::uint32_t>(num());
    } else if (a == "--depth") {
      o.depth = static_cast<unsigned>(num());
    } else if (a == "--sessions") {
      o.sessions = static_cast<unsigned>(num());
    } else if (a == "--count") {
      o.count = num();
    } else if (a == "--names") {
      o.names = num();
    } else if (a == "--offset-stride") {
      o.offset_stride = num();
    } else {
      usage();
    }
  }
  if (i >= argc) usage();
  for (; i < argc; ++i) o.server.push_back(argv[i]);
  o.server.push_back(nullptr);
  if (o.depth == 0 || o.sessions == 0 || o.len == 0 || o.count == 0) usage();
  if (o.mode != Mode::kStartup && o.path.empty()) usage();
  if (o.mode == Mode::kPut && o.bytes == 0) die("put needs --bytes");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  std::signal(SIGPIPE, SIG_IGN);
  if (o.mode == Mode::kPut) {
    g_write_data.reset(new char[o.len]);
    for (std::uint32_t i = 0; i < o.len; ++i) g_write_data[i] = static_cast<char>(i * 131 + 7);
  }
  if (o.mode == Mode::kStartup) return run_startup(o);
  Runner runner(o);
  return runner.run();
}
