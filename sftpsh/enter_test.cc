#include "sftpsh/enter.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <array>

namespace sftpsh {
namespace {

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) >= 0; }

TEST_CASE("close_fds_except keeps 0-2 and the listed fds, closes the rest") {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    auto finish = [](int code) { ::syscall(SYS_exit_group, code); };
    for (int fd = 3; fd <= 40; ++fd)
      if (::dup2(0, fd) != fd) finish(20);
    const std::array keep{17, 5, -1, 2, 33};
    if (!close_fds_except(keep).ok()) finish(21);
    for (int fd = 0; fd <= 40; ++fd) {
      const bool kept = fd <= 2 || fd == 5 || fd == 17 || fd == 33;
      if (is_open(fd) != kept) finish(100 + fd);
    }
    finish(0);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("enter_start_directory names a missing start directory") {
  auto entered = enter_start_directory("/nonexistent/start");
  REQUIRE_FALSE(entered.ok());
  CHECK(entered.error().find("cannot enter the start directory /nonexistent/start") == 0);
}

}  // namespace
}  // namespace sftpsh
