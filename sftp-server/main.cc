// sftp-server: an SFTP v3 server with OpenSSH's extensions and options.
//
// Start-up, in order: sane stdio, options, logging, who we serve, umask and
// start directory, then the seccomp filter — after which nothing but serving
// requests is possible — and the I/O loop.
#include <fcntl.h>
#include <poll.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "common/log.h"
#include "sftp-server/identity.h"
#include "sftp-server/io_loop.h"
#include "sftp-server/options.h"
#include "sftp-server/request_table.h"
#include "sftp-server/seccomp_filter.h"
#include "sftp-server/session.h"

namespace {

using namespace sftpsh;
using namespace sftpsh::server;

// More handles than any client needs; each holds a descriptor.
constexpr std::size_t kMaxHandles = 512;

[[noreturn]] void usage(const char* program) {
  std::fprintf(stderr,
               "usage: %s [-ehR] [-d start_directory] [-f log_facility] [-l log_level]\n"
               "\t[-P denied_requests] [-p allowed_requests] [-u umask]\n"
               "       %s -Q protocol_feature\n",
               program, program);
  std::exit(1);
}

// fds 0-2 must be open, or a file we open could become "stdout".
void ensure_standard_fds() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    const int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd != fd) {
      std::fprintf(stderr, "sftp-server: descriptor %d is closed and /dev/null unusable\n", fd);
      std::exit(1);
    }
  }
}

std::string program_name(const char* argv0) {
  const std::string_view name = argv0 != nullptr ? argv0 : "sftp-server";
  const auto slash = name.rfind('/');
  return std::string(slash == std::string_view::npos ? name : name.substr(slash + 1));
}

// Descriptors open now, counted with one poll() (no /proc in a jail): a
// closed one reports POLLNVAL.
std::size_t descriptors_in_use(std::size_t below) {
  std::vector<struct pollfd> fds(below);
  for (std::size_t i = 0; i < below; ++i) fds[i] = {static_cast<int>(i), 0, 0};
  if (::poll(fds.data(), fds.size(), 0) < 0) return below;
  std::size_t used = 0;
  for (const auto& p : fds)
    if ((p.revents & POLLNVAL) == 0) ++used;
  return used;
}

// As many handles as descriptors remain (each handle holds one), less one
// spare, so the number limits@openssh.com announces can really be opened.
// (The spare, as OpenSSH keeps one, also lets the sanitizer runtime of the
// ASan build open the pipe it checks memory with.)
std::size_t max_handles() {
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1;
  const std::size_t scan = std::min<std::size_t>(limit.rlim_cur, 4096);
  const std::size_t used = descriptors_in_use(scan) + 1;
  if (limit.rlim_cur <= used + 1) return 1;
  return std::min<std::size_t>(kMaxHandles, limit.rlim_cur - used);
}

}  // namespace

int main(int argc, char** argv) {
  ensure_standard_fds();
  const std::string program = program_name(argv[0]);
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  const auto names = request_names();
  auto options = parse_options(args, names);
  if (!options) {
    std::fprintf(stderr, "%s: %s\n", program.c_str(), options.error().c_str());
    usage(program.c_str());
  }
  if (options->usage) usage(program.c_str());
  if (options->query) {
    if (::strcasecmp(options->query->c_str(), "requests") != 0) {
      std::fprintf(stderr, "Invalid query type\n");
      return 1;
    }
    for (const auto name : names) std::printf("%.*s\n", static_cast<int>(name.size()), name.data());
    return 0;
  }

  Logger log(program);
  log.set_level(options->log_level);
  log.set_facility(options->log_facility);
  log.set_stderr(options->log_stderr);

  Identity identity;
  if (options->handover_fd >= 0) {
    auto from_sftpsh = identity_from_handover(options->handover_fd);
    if (!from_sftpsh) fatal(log, from_sftpsh.error());
    identity = std::move(*from_sftpsh);
  } else {
    identity = identity_standalone(log);
    identity.syslog_fd = connect_syslog_socket();
  }
  const int syslog_fd = identity.syslog_fd.get();
  log.set_syslog_fd(std::move(identity.syslog_fd));

  if (options->umask) ::umask(*options->umask);
  // A client that goes away is an EPIPE to handle, not a signal to die of;
  // a write past the user's file-size limit is EFBIG for the client to see.
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGXFSZ, SIG_IGN);

  OutputQueue out(kOutputCapacity);
  Transport transport(STDIN_FILENO, STDOUT_FILENO, out);
  transport.enable_splice();
  transport.enlarge_output_buffer();
  transport.enable_nonblocking_output();
  Session session(log, transport,
                  RequestPolicy(options->read_only, std::move(options->allowed_requests),
                                std::move(options->denied_requests)),
                  max_handles());
  session.user = identity.user;
  session.names = std::move(identity.names);
  session.client = identity.client;

  if (options->start_directory) {
    auto directory = expand_start_directory(*options->start_directory, session.user,
                                            session.names);
    if (!directory) fatal(log, directory.error());
    if (::chdir(directory->c_str()) != 0)
      log.error("chdir to \"{}\" failed: {}", *directory, std::strerror(errno));
  }

  // No core dumps and no /proc/self/mem for the user: SFTP access must not
  // mean the power to rewrite the server's memory.
  (void)::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (auto filtered = install_server_filter(syslog_fd); !filtered) fatal(log, filtered.error());

  log.info("session opened for local user {} from [{}]", session.user.name, session.client);
  const int status = run_io_loop(session);
  session.log_session_end();
  return status;
}
