#include "sftpsh/check_program.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "common/read_file.h"
#include "common/unique_fd.h"

namespace sftpsh {

namespace {

constexpr std::size_t kMaxOutput = 4 * 1024 * 1024;

Result<UniqueFd> memory_file(const char* name) {
  UniqueFd fd(::memfd_create(name, MFD_CLOEXEC));
  if (!fd) return Error{fmt::format("memfd_create: {}", std::strerror(errno))};
  return fd;
}

// In the child: only async-signal-safe calls, then exec or _exit.
[[noreturn]] void exec_child(int program, int out, int err, char* const* argv) {
  const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null < 0 || ::dup2(null, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(126);
  static char path[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
  char* const envp[] = {path, nullptr};
  ::execveat(program, "", argv, envp, AT_EMPTY_PATH);
  ::_exit(127);
}

}  // namespace

Result<ProgramOutput> run_program(int program, const std::vector<std::string>& argv,
                                  unsigned timeout_seconds) {
  auto out = memory_file("check-stdout");
  if (!out) return Error{out.error()};
  auto err = memory_file("check-stderr");
  if (!err) return Error{err.error()};
  std::vector<std::string> words = argv;
  std::vector<char*> pointers;
  for (auto& word : words) pointers.push_back(word.data());
  pointers.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) return Error{fmt::format("fork: {}", std::strerror(errno))};
  if (pid == 0) {
    ::alarm(timeout_seconds);  // survives the exec: a hung program is killed
    exec_child(program, out->get(), err->get(), pointers.data());
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Error{fmt::format("waitpid: {}", std::strerror(errno))};
  }
  ProgramOutput result;
  if (WIFEXITED(status)) result.exit_status = WEXITSTATUS(status);
  if (result.exit_status == 127)
    return Error{fmt::format("cannot execute {}", argv.empty() ? "" : argv.front())};
  auto out_text = read_small_fd(out->get(), kMaxOutput);
  if (!out_text) return Error{out_text.error()};
  auto err_text = read_small_fd(err->get(), kMaxOutput);
  if (!err_text) return Error{err_text.error()};
  result.out = std::move(*out_text);
  result.err = std::move(*err_text);
  if (WIFSIGNALED(status) && result.err.empty())
    result.err = fmt::format("killed by signal {}", WTERMSIG(status));
  return result;
}

}  // namespace sftpsh
