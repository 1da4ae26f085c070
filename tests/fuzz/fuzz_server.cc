// libFuzzer target: the packet parser and the whole dispatcher, with every
// handler acting on a real (throwaway) directory.
//
// The directory layout (made by run_fuzz.py): DIR is root-owned, so no input
// can chmod or rename it; DIR/work (ours) is where requests act; the corpus
// and artifact directories are root-owned and world-writable with the sticky
// bit, so inputs can't lock libFuzzer out of them.
//
// Each input is a byte stream as a client would send it: an INIT is sent
// first, then the input is cut into packets by their length fields, exactly
// as the I/O loop does, and every packet goes through process_packet().
// Replies are discarded. run_fuzz.py runs this as an unprivileged user in a
// throwaway directory; on top of that the target confines itself with
// Landlock (writes only beneath that directory; reads of /proc, /etc and
// /usr for the sanitizer's symbolizer) and RLIMIT_FSIZE, so no input can touch or fill anything else.
#include <fcntl.h>
#include <ftw.h>
#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "common/log.h"
#include "sftp-server/dispatch.h"
#include "sftp-server/io_loop.h"
#include "sftp-server/output_queue.h"
#include "sftp-server/session.h"

using namespace sftpsh;
using namespace sftpsh::server;

namespace {

char g_work_dir[4096];
int g_log_drain = -1;

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "fuzz_server: %s: %s\n", what, std::strerror(errno));
  std::exit(2);
}

// Reads and writes beneath `root`; reads beneath /proc and /etc, and
// read+exec beneath /usr for the symbolizer; nothing else.
void confine_to(const char* root) {
  const __u64 handled = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
                        LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
                        LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
                        LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
                        LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
                        LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
                        LANDLOCK_ACCESS_FS_MAKE_SYM;
  struct landlock_ruleset_attr attr {};
  attr.handled_access_fs = handled;
  const int ruleset = static_cast<int>(syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0));
  if (ruleset < 0) die("landlock_create_ruleset (the fuzz run needs Landlock)");
  const auto allow = [ruleset](const char* path, __u64 access) {
    struct landlock_path_beneath_attr beneath {};
    beneath.allowed_access = access;
    beneath.parent_fd = ::open(path, O_PATH | O_CLOEXEC);
    if (beneath.parent_fd < 0) die(path);
    if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &beneath, 0) != 0)
      die("landlock_add_rule");
    ::close(beneath.parent_fd);
  };
  allow(root, handled & ~LANDLOCK_ACCESS_FS_EXECUTE);
  allow("/proc", LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR);
  // The sanitizers and libFuzzer run llvm-symbolizer to print stack traces.
  const __u64 read_exec = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
                          LANDLOCK_ACCESS_FS_EXECUTE;
  allow("/usr", read_exec);
  allow("/etc", LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR);
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("PR_SET_NO_NEW_PRIVS");
  if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) die("landlock_restrict_self");
  ::close(ruleset);
}

int unlock_entry(const char* path, const struct stat* st, int, struct FTW*) {
  if (S_ISDIR(st->st_mode)) ::chmod(path, 0700);  // before nftw reads it
  return 0;
}

int remove_entry(const char* path, const struct stat*, int, struct FTW* ftw) {
  if (ftw->level > 0) ::remove(path);
  return 0;
}

// Each input starts in an empty, usable directory: earlier inputs may have
// chmod'ed it or its contents away (and disk use stays bounded).
void reset_work_dir() {
  ::chmod(g_work_dir, 0700);
  if (::chdir(g_work_dir) != 0) die("chdir");
  ::nftw(g_work_dir, unlock_entry, 16, FTW_PHYS);
  ::nftw(g_work_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void drain_log() {
  char buffer[2048];
  while (::recv(g_log_drain, buffer, sizeof buffer, MSG_DONTWAIT) > 0) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dir = std::getenv("SFTPSH_FUZZ_DIR");
  if (dir == nullptr) {
    std::fprintf(stderr, "fuzz_server: set SFTPSH_FUZZ_DIR to a throwaway directory\n");
    std::exit(2);
  }
  if (std::snprintf(g_work_dir, sizeof g_work_dir, "%s/work", dir) >= int(sizeof g_work_dir))
    die("SFTPSH_FUZZ_DIR too long");
  ::chmod(g_work_dir, 0700);  // an earlier run's input may have changed it
  if (::chdir(g_work_dir) != 0) die("chdir");
  confine_to(dir);
  // Writes past 1 MiB fail with EFBIG instead of filling the disk.
  const struct rlimit fsize {1 << 20, 1 << 20};
  if (::setrlimit(RLIMIT_FSIZE, &fsize) != 0) die("setrlimit");
  std::signal(SIGXFSZ, SIG_IGN);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Logger log("sftp-server");
  static std::unique_ptr<OutputQueue> out;
  static std::unique_ptr<Transport> transport;
  if (!out) {
    out = std::make_unique<OutputQueue>(kOutputCapacity);
    // No descriptors and no splice pipe: replies stay in the queue.
    transport = std::make_unique<Transport>(-1, -1, *out);
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0)
      die("socketpair");
    g_log_drain = pair[1];
    // Every log line is formatted and escaped, then read back and dropped.
    log.set_level(LogLevel::kDebug3);
    log.set_syslog_fd(UniqueFd(pair[0]));
  }
  reset_work_dir();
  Session session(log, *transport, RequestPolicy(), 64);
  session.user = UserEntry{"fuzz", ::getuid(), ::getgid(), g_work_dir, ""};
  session.names.add_user(session.user);
  session.names.add_group(GroupEntry{"fuzzers", ::getgid()});

  static const std::byte kInit[] = {std::byte{1}, std::byte{0}, std::byte{0}, std::byte{0},
                                    std::byte{3}};
  (void)process_packet(session, Bytes(kInit, sizeof kInit));
  const auto* p = reinterpret_cast<const std::byte*>(data);
  std::size_t left = size;
  while (left >= 4) {
    const std::uint32_t length = load_u32(p);
    if (length > kMaxPacket || length > left - 4) break;  // the loop would end here too
    if (out->free_space() < kMaxReplySize) out->consume(out->pending().size());
    if (!process_packet(session, Bytes(p + 4, length))) break;
    drain_log();
    p += 4 + length;
    left -= 4 + length;
  }
  out->consume(out->pending().size());
  session.handles.for_each_open([&session](OpenHandle& entry) {
    session.forget_dir_cache(entry);
    (void)session.handles.close(entry);
  });
  drain_log();
  return 0;
}
