#include "sftpsh/landlock.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cerrno>
#include <cstdlib>
#include <string>

namespace sftpsh {
namespace {

constexpr std::uint64_t kExecute = 1;

TEST_CASE("landlock_access_for_abi grows with the ABI and handles EXECUTE") {
  CHECK(landlock_access_for_abi(0).fs == 0);
  CHECK(landlock_access_for_abi(1).fs == 0x1fff);
  CHECK((landlock_access_for_abi(1).fs & kExecute) != 0);
  CHECK(landlock_access_for_abi(2).fs == 0x3fff);
  CHECK(landlock_access_for_abi(3).fs == 0x7fff);
  CHECK(landlock_access_for_abi(3).net == 0);
  CHECK(landlock_access_for_abi(4).net == 0x3);
  CHECK(landlock_access_for_abi(5).fs == 0xffff);
  CHECK(landlock_access_for_abi(5).scoped == 0);
  CHECK(landlock_access_for_abi(6).scoped == 0x3);
  CHECK(landlock_access_for_abi(7).fs == 0xffff);
}

TEST_CASE("landlock_skip_reason: no ruleset without REFER (ABI < 2)") {
  CHECK(landlock_skip_reason(0).find("unavailable") != std::string_view::npos);
  // ABI 1 would make every cross-directory rename fail with EXDEV.
  CHECK(landlock_skip_reason(1).find("Landlock ABI 1") == 0);
  CHECK(landlock_skip_reason(1).find("rename") != std::string_view::npos);
  for (const int abi : {2, 3, 4, 5, 6, 7, 8}) CHECK(landlock_skip_reason(abi).empty());
}

TEST_CASE("restrict_filesystem confines a process beneath a directory") {
  if (!landlock_skip_reason(landlock_abi()).empty()) {
    MESSAGE("this kernel has no Landlock: nothing to confine");
    return;
  }
  char dir[] = "/tmp/sftpsh-landlock-test.XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  const std::string inside = std::string(dir) + "/file";
  const int made = ::open(inside.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  REQUIRE(made >= 0);
  ::close(made);

  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Exit codes name the first check that failed; the raw syscall skips
    // any sanitizer exit hook.
    auto finish = [](int code) { ::syscall(SYS_exit_group, code); };
    const int root = ::open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0 || ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) finish(10);
    const auto outcome = restrict_filesystem(root, -1);
    if (!outcome.ok() || !outcome->applied) finish(11);
    const int in = ::open(inside.c_str(), O_RDWR | O_CLOEXEC);
    if (in < 0) finish(12);
    const int out = ::open("/etc/passwd", O_RDONLY | O_CLOEXEC);
    if (out >= 0 || errno != EACCES) finish(13);
    const int out_dir = ::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (out_dir >= 0 || errno != EACCES) finish(14);
    finish(0);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  ::unlink(inside.c_str());
  ::rmdir(dir);
}

}  // namespace
}  // namespace sftpsh
